import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  hashFileOf,
  newestBackupFile,
  readBackup,
  findUnfinishedBackup,
  readBackupOutcome,
  writeBackup,
  writeBackupOutcome,
  type Backup,
} from '../../../src/plan/backup';
import { InputError } from '../../../src/util/errors';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'drperm-backup-test-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function backup(tenant: string, createdAt: string): Backup {
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    tool: { name: 'drperm', version: '0.1.0' },
    createdAt,
    operation: 'apply',
    tenant,
    principal: 'VSPHERE.LOCAL\\asr-contoso',
    group: false,
    vcenter: { url: 'https://vc/sdk', instanceUuid: 'u', name: 'vc', version: '8', build: '1' },
    entities: [
      {
        ref: 'group-d1',
        type: 'Folder',
        path: '/',
        permissions: [
          {
            principal: 'VSPHERE.LOCAL\\Administrator',
            group: false,
            roleId: -1,
            roleName: 'Admin',
            propagate: true,
          },
        ],
      },
    ],
  };
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe('writeBackup / readBackup', () => {
  it('writes the backup 0600 with a sha256sum-compatible hash file, in a directory created 0750', async () => {
    const dir = join(root, 'reports', 'backups');
    const file = await writeBackup(dir, backup('contoso', '2026-01-15T10:30:00.123Z'));
    expect(file).toBe(join(dir, 'contoso-20260115T103000123Z.json'));
    expect(mode(file)).toBe(0o600);
    expect(mode(hashFileOf(file))).toBe(0o600);
    expect(mode(dir)).toBe(0o750);
    // The operator can check it with the standard tool.
    expect(execFileSync('sha256sum', ['-c', hashFileOf(file)], { cwd: dir }).toString()).toMatch(
      /: OK/,
    );
    expect(await readBackup(file)).toEqual(backup('contoso', '2026-01-15T10:30:00.123Z'));
  });

  it('refuses a backup changed after it was written', async () => {
    const file = await writeBackup(root, backup('contoso', '2026-01-15T10:30:00.123Z'));
    const text = readFileSync(file, 'utf8').replace('"roleId": -1', '"roleId": -2');
    writeFileSync(file, text);
    const err = await readBackup(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/does not match its SHA-256 .*refusing it/);
  });

  it('refuses a backup without its hash file, and says how to accept it knowingly', async () => {
    const file = await writeBackup(root, backup('contoso', '2026-01-15T10:30:00.123Z'));
    rmSync(hashFileOf(file));
    const err = await readBackup(file).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/has no .*\.sha256: cannot tell whether it was altered/);
    expect((err as InputError).hint).toContain('sha256sum');
  });
});

describe('newestBackupFile', () => {
  it('finds the newest backup of exactly that tenant (not of one whose name starts the same)', async () => {
    await writeBackup(root, backup('contoso', '2026-01-15T10:30:00.123Z'));
    const newest = await writeBackup(root, backup('contoso', '2026-01-16T08:00:00.000Z'));
    await writeBackup(root, backup('contoso-eu', '2026-02-01T00:00:00.000Z'));
    expect(await newestBackupFile(root, 'contoso')).toBe(newest);
    expect(await newestBackupFile(root, 'fabrikam')).toBeUndefined();
    expect(await newestBackupFile(join(root, 'missing'), 'contoso')).toBeUndefined();
  });
});

describe('backup outcome', () => {
  it('is absent until the run finishes, then says how it ended', async () => {
    const file = await writeBackup(root, backup('contoso', '2026-01-15T10:30:00.123Z'));
    expect(await readBackupOutcome(file)).toBeUndefined();
    const outcome = {
      status: 'incomplete' as const,
      finishedAt: '2026-01-15T10:31:00.000Z',
      done: 2,
      failed: 1,
      notAttempted: 3,
      othersChanged: 0,
    };
    await writeBackupOutcome(file, outcome);
    expect(await readBackupOutcome(file)).toEqual(outcome);
  });
});

describe('findUnfinishedBackup', () => {
  const done = { status: 'completed' as const, finishedAt: '2026-01-15T10:31:00.000Z' };

  it('finds the newest backup while its run has not completed and no later run compared it', async () => {
    const older = await writeBackup(root, backup('contoso', '2026-01-15T10:30:00.123Z'));
    await writeBackupOutcome(older, { ...done, status: 'incomplete' });
    expect(await findUnfinishedBackup(root, 'contoso')).toMatchObject({ file: older });
    const newest = await writeBackup(root, backup('contoso', '2026-01-16T10:30:00.123Z'));
    // killed: no outcome at all
    expect(await findUnfinishedBackup(root, 'contoso')).toMatchObject({
      file: newest,
      outcome: undefined,
    });
    await writeBackupOutcome(newest, {
      status: 'incomplete',
      checkedAt: '2026-01-16T11:00:00.000Z',
    });
    expect(await findUnfinishedBackup(root, 'contoso')).toBeUndefined();
  });

  it('is nothing after a completed run, and an error for a tampered backup', async () => {
    const file = await writeBackup(root, backup('contoso', '2026-01-15T10:30:00.123Z'));
    await writeBackupOutcome(file, done);
    expect(await findUnfinishedBackup(root, 'contoso')).toBeUndefined();
    const other = await writeBackup(root, backup('contoso', '2026-01-17T10:30:00.123Z'));
    writeFileSync(other, readFileSync(other, 'utf8').replace('contoso', 'fabrikam'));
    const found = await findUnfinishedBackup(root, 'contoso');
    expect(found && 'error' in found && found.error.message).toMatch(/does not match its SHA-256/);
  });
});
