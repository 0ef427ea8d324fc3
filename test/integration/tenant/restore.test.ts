/**
 * `drperm tenant restore` on a private lab of each semantics: an administrator's change to
 * another principal survives the apply and is reported; restoring it from the backup is an
 * explicit, planned, confirmed command that touches only the principals asked for; a backup
 * whose SHA-256 does not match is refused by restore and rollback alike.
 */
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startLab as launch, type RunningLab } from '../../lab/launch';
import type { VimClient } from '../../../src/vsphere/client';
import type { MoRef } from '../../../src/vsphere/types';
import { connectLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import { ownPermissions, scratch, TENANTS_DIR } from './tenant-lab';

const BACKUP_ADMINS = 'VSPHERE.LOCAL\\backup-admins';
const MONITORING = 'VSPHERE.LOCAL\\monitoring';

describe.each([
  ['vCenter contract', false],
  ['vcsim semantics', true],
])('drperm tenant restore on the lab (%s)', (_name, vcsimSemantics) => {
  let lab: RunningLab;
  let client: VimClient;
  let cwd: string;
  let backup: string;
  let dc: MoRef;
  let root: MoRef;
  const cli = (args: string[]) => runCli(args, { env: labEnv(lab), cwd });

  beforeAll(async () => {
    lab = await launch({ scenario: 'lab', vcsimSemantics });
    client = await connectLab(lab);
    cwd = scratch();
    expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
    dc = (await client.findByInventoryPath('DC0'))!;
    root = client.serviceContent.rootFolder;
  }, 120_000);
  afterAll(async () => {
    await client?.logout();
    await lab?.stop();
  });

  /** Another administrator's change, as they would make it on this server. */
  async function adminSets(entity: MoRef, principal: string, roleId: number, propagate: boolean) {
    const others = vcsimSemantics
      ? (await client.retrieveEntityPermissions(entity, false)).filter(
          (p) => p.principal !== principal,
        )
      : [];
    await client.setEntityPermissions(entity, [
      ...others,
      { principal, group: false, roleId, propagate },
    ]);
  }

  it('the apply leaves an administrator change alone (the premise)', async () => {
    const r = await cli([
      'tenant',
      'apply',
      '--tenant',
      join(TENANTS_DIR, 'contoso.yaml'),
      '--yes',
    ]);
    expect(r.code).toBe(0);
    const files = readdirSync(join(cwd, 'reports', 'backups'));
    expect(files.filter((f) => f.endsWith('.sha256'))).toHaveLength(1);
    backup = join(
      'reports',
      'backups',
      files.find((f) => /^contoso-\d{8}T\d{9}Z\.json$/.test(f))!,
    );
    // Afterwards an administrator removes backup-admins on /DC0 and narrows monitoring on /.
    await client.removeEntityPermission(dc, BACKUP_ADMINS, true);
    await adminSets(root, MONITORING, -2, false);
  });

  it('restores only the chosen principal, after showing the plan, and verifies', async () => {
    const refused = await cli([
      'tenant',
      'restore',
      '--backup',
      backup,
      '--principal',
      BACKUP_ADMINS,
    ]);
    expect(refused.code).toBe(2); // no terminal and no --yes: nothing changed
    expect(refused.stdout).toMatch(/PRINCIPAL\s+OBJECT\s+NOW\s+RESTORED TO/);
    expect(refused.stdout).toMatch(
      /VSPHERE\.LOCAL\\backup-admins \(group\)\s+\/DC0\s+-\s+Backup Operator, propagating/,
    );
    expect((await ownPermissions(client, '/DC0')).map((p) => p.principal)).not.toContain(
      BACKUP_ADMINS,
    );

    const r = await cli([
      'tenant',
      'restore',
      '--backup',
      backup,
      '--principal',
      BACKUP_ADMINS,
      '--yes',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/restored and verified; the state before the restore is in /);
    expect(await ownPermissions(client, '/DC0')).toContainEqual({
      principal: BACKUP_ADMINS,
      group: true,
      role: 'Backup Operator',
      propagate: true,
    });
    // Not chosen: monitoring keeps the administrator's change.
    expect(await ownPermissions(client, '/')).toContainEqual({
      principal: MONITORING,
      group: false,
      role: 'ReadOnly',
      propagate: false,
    });
    const again = await cli([
      'tenant',
      'restore',
      '--backup',
      backup,
      '--principal',
      BACKUP_ADMINS,
      '--yes',
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('nothing to restore');
  });

  it('refuses a backup that was changed after drperm wrote it (restore and rollback)', async () => {
    appendFileSync(join(cwd, backup), ' ');
    for (const args of [
      ['tenant', 'restore', '--backup', backup, '--yes'],
      ['tenant', 'rollback', '--backup', backup, '--yes'],
    ]) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/does not match its SHA-256 .*refusing it/);
    }
  });
});

describe('drperm tenant restore --help', () => {
  it('shows the options, the examples and the exit codes', async () => {
    const r = await runCli(['tenant', 'restore', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--backup <file>');
    expect(r.stdout).toContain('--principal <name>');
    expect(r.stdout).toContain('drperm tenant restore --backup reports/backups/contoso-');
    expect(r.stdout).toContain('Exit codes:');
  });
});
