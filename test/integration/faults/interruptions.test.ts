/**
 * Fault injection, the rest of the acceptance list: SIGINT / SIGTERM sent to a running
 * `drperm tenant apply` mid-apply, the lab killed mid-apply, two tenants onboarded at
 * once, and (on vCenter's contract) server settings that cannot be read. After each, other
 * principals' permissions are as before, a rerun converges and rollback restores the backup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOtherChange } from '../../../src/plan/others';
import { lockFileFor } from '../../../src/util/server-lock';
import { DrpermError, ExitCode } from '../../../src/util/errors';
import { apply, pending, REPO, rollback, tenantPolicies } from './drive';
import {
  adminChange,
  adminRevert,
  diffStates,
  permissionState,
  stateKey,
  scratchDir,
  startFaultLab,
  type FaultLab,
  type Semantics,
} from './harness';
import { applyLabRole } from './role';

const TIMEOUT_MS = 2500;
const CLI = join(REPO, 'dist', 'cli.js');
const isAccount = (key: string) => /\tu:vsphere\.local\\asr-(contoso|fabrikam)$/.test(key);
const backupsIn = (dir: string, tenant = 'contoso') =>
  readdirSync(dir)
    .filter((f) => new RegExp(`^${tenant}-\\d{8}T\\d{9}Z\\.json$`).test(f))
    .sort()
    .map((f) => join(dir, f));

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** `drperm tenant apply` through the proxy; `signals` are sent when its first write arrives. */
function applyCli(
  fl: FaultLab,
  dir: string,
  signals: NodeJS.Signals[],
  tenant: 'contoso' | 'fabrikam' = 'contoso',
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DRPERM_')) env[k] = v;
  Object.assign(env, {
    DRPERM_URL: fl.proxy.url,
    DRPERM_USERNAME: fl.lab.username,
    DRPERM_PASSWORD: fl.lab.password,
    DRPERM_THUMBPRINT: fl.proxy.thumbprintSha256,
  });
  const child = spawn(
    process.execPath,
    [
      CLI,
      'tenant',
      'apply',
      '--tenant',
      join(REPO, 'policies', 'tenants', `${tenant}.yaml`),
      '--yes',
      '--concurrency',
      '2',
      '--backup-dir',
      dir,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (signals.length > 0) injectSignals(fl, child, signals);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function injectSignals(fl: FaultLab, child: ChildProcess, signals: NodeJS.Signals[]): void {
  fl.proxy.inject({
    method: 'SetEntityPermissions',
    nth: 1,
    action: {
      kind: 'run',
      name: 'signal',
      action: async () => {
        for (const s of signals) {
          child.kill(s);
          // Let the signal be handled before the next one (and before this write goes on).
          await new Promise((r) => setTimeout(r, 300));
        }
      },
    },
  });
}

describe.each<Semantics>(['vcenter', 'vcsim'])('interruptions on the %s lab', (semantics) => {
  let fl: FaultLab;

  beforeAll(async () => {
    fl = await startFaultLab(semantics, 7);
    await applyLabRole(fl.lab);
  }, 120_000);
  afterAll(() => fl?.stop());
  afterEach(() => {
    fl.proxy.clear();
    fl.proxy.events.length = 0;
  });

  /** Rerun, converge, roll back to the first backup: everything as before. */
  async function recoverAndCheck(dir: string, before: Map<string, string>): Promise<void> {
    const contoso = await tenantPolicies('contoso');
    const rerun = await apply(fl, contoso, dir, 30_000);
    expect(rerun.error?.message).toBeUndefined();
    expect(await pending(fl, contoso)).toBe(0);
    expect(diffStates(before, await permissionState(fl), isAccount)).toEqual([]);
    const [first] = backupsIn(dir);
    const back = await rollback(fl, first!, dir, 30_000);
    expect(back.error?.message).toBeUndefined();
    expect(diffStates(before, await permissionState(fl))).toEqual([]);
  }

  it.each<[string, NodeJS.Signals[], number]>([
    ['SIGINT', ['SIGINT'], ExitCode.Server],
    ['SIGTERM', ['SIGTERM'], ExitCode.Server],
    ['SIGTERM twice (quit at once)', ['SIGTERM', 'SIGTERM'], 143],
  ])(
    '%s mid-apply: drperm stops cleanly, leaves no lock, and a rerun converges',
    async (_name, signals, exitCode) => {
      const dir = scratchDir();
      const before = await permissionState(fl);
      const run = await applyCli(fl, dir, signals);
      await fl.proxy.settled();
      fl.proxy.clear();
      expect({ code: run.code, signal: run.signal }).toEqual({ code: exitCode, signal: null });
      expect(run.stderr).toContain(`${signals[0]} received`);
      if (signals.length === 1) expect(run.stderr).toMatch(/interrupted; \d+ change\(s\) done/);
      expect(existsSync(lockFileFor(fl.admin.about.instanceUuid, tmpdir()))).toBe(false);
      expect(diffStates(before, await permissionState(fl), isAccount)).toEqual([]);
      await recoverAndCheck(dir, before);
    },
    120_000,
  );

  it('a rerun after a killed apply reports, once and without touching it, what someone else changed meanwhile', async () => {
    const dir = scratchDir();
    const before = await permissionState(fl);
    const killed = await applyCli(fl, dir, ['SIGTERM', 'SIGTERM']);
    await fl.proxy.settled();
    fl.proxy.clear();
    expect(killed.code).toBe(143);
    const dc = fl.byPath.get('/DC0')!;
    const backupAdmins = { principal: 'VSPHERE.LOCAL\\backup-admins', group: true };
    await adminChange(fl, dc, backupAdmins, undefined);
    const contoso = await tenantPolicies('contoso');
    const rerun = await apply(fl, contoso, dir, 30_000);
    expect(rerun.error?.message).toBeUndefined();
    expect(rerun.reported.map(describeOtherChange)).toEqual([
      'VSPHERE.LOCAL\\backup-admins (group) on /DC0: role Backup Operator, propagating -> none',
    ]);
    expect((await permissionState(fl)).has(stateKey(dc.ref, backupAdmins))).toBe(false);
    const again = await apply(fl, contoso, dir, 30_000);
    expect(again.reported).toEqual([]);
    await adminRevert(fl, dc, backupAdmins, before);
    const back = await rollback(fl, backupsIn(dir)[0]!, dir, 30_000);
    expect(back.error?.message).toBeUndefined();
    expect(diffStates(before, await permissionState(fl))).toEqual([]);
  }, 120_000);

  it('two tenants onboarded at once: both complete and nobody else changes', async () => {
    const dir = scratchDir();
    const before = await permissionState(fl);
    const [a, b] = await Promise.all([
      apply(fl, await tenantPolicies('contoso'), dir, 30_000),
      apply(fl, await tenantPolicies('fabrikam'), dir, 30_000),
    ]);
    expect([a.error?.message, b.error?.message]).toEqual([undefined, undefined]);
    expect(await pending(fl, await tenantPolicies('contoso'))).toBe(0);
    expect(await pending(fl, await tenantPolicies('fabrikam'))).toBe(0);
    expect(diffStates(before, await permissionState(fl), isAccount)).toEqual([]);
    for (const tenant of ['contoso', 'fabrikam']) {
      const back = await rollback(fl, backupsIn(dir, tenant)[0]!, dir, 30_000);
      expect(back.error?.message).toBeUndefined();
    }
    expect(diffStates(before, await permissionState(fl))).toEqual([]);
  }, 120_000);

  if (semantics === 'vcsim') {
    it('two drperm processes on one simulator: the second waits for the first, saying so', async () => {
      const dir = scratchDir();
      const before = await permissionState(fl);
      // Hold the first write a little, so that the runs overlap.
      fl.proxy.inject({
        method: 'SetEntityPermissions',
        nth: 1,
        action: { kind: 'delay', ms: 1500 },
      });
      const [a, b] = await Promise.all([
        applyCli(fl, dir, [], 'contoso'),
        applyCli(fl, dir, [], 'fabrikam'),
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(`${a.stderr}${b.stderr}`).toMatch(
        /another drperm run \(pid \d+ .*tenant apply .*\) is writing permissions on this server; waiting up to 300 s/,
      );
      expect(diffStates(before, await permissionState(fl), isAccount)).toEqual([]);
      for (const tenant of ['contoso', 'fabrikam']) {
        const back = await rollback(fl, backupsIn(dir, tenant)[0]!, dir, 30_000);
        expect(back.error?.message).toBeUndefined();
      }
      expect(diffStates(before, await permissionState(fl))).toEqual([]);
    }, 120_000);
  }

  it('the lab killed mid-apply: exit 3 within the timeouts, and a rerun on the restarted lab converges', async () => {
    const dir = scratchDir();
    fl.proxy.inject({
      method: 'SetEntityPermissions',
      nth: 3,
      action: {
        kind: 'run',
        name: 'kill-lab',
        action: async () => {
          fl.proxy.down = true;
          fl.proxy.dropAll();
          await fl.lab.stop();
        },
      },
    });
    const contoso = await tenantPolicies('contoso');
    const killed = await apply(fl, contoso, dir, TIMEOUT_MS);
    expect(killed.error).toBeInstanceOf(DrpermError);
    expect((killed.error as DrpermError).exitCode).toBe(ExitCode.Server);
    expect(killed.ms).toBeLessThan(60_000);
    expect(existsSync(lockFileFor(fl.admin.about.instanceUuid, tmpdir()))).toBe(false);
    fl.proxy.clear();
    fl.proxy.down = false;
    await fl.restart();
    await applyLabRole(fl.lab);
    const before = await permissionState(fl);
    const rerun = await apply(fl, contoso, scratchDir(), 30_000);
    expect(rerun.error?.message).toBeUndefined();
    expect(await pending(fl, contoso)).toBe(0);
    expect(diffStates(before, await permissionState(fl), isAccount)).toEqual([]);
  }, 180_000);

  if (semantics === 'vcenter') {
    it('server settings that cannot be read: refuses to write (exit 3) and changes nothing', async () => {
      const dir = scratchDir();
      const before = await permissionState(fl);
      const fabrikam = await tenantPolicies('fabrikam');
      expect(await pending(fl, fabrikam)).toBeGreaterThan(0);
      fl.proxy.inject({
        method: 'RetrievePropertiesEx',
        when: (req) => req.body.includes('OptionManager'),
        action: { kind: 'soap-fault' },
      });
      const refused = await apply(fl, fabrikam, dir, TIMEOUT_MS);
      expect(refused.error).toBeInstanceOf(DrpermError);
      expect((refused.error as DrpermError).exitCode).toBe(ExitCode.Server);
      expect(refused.error?.message).toMatch(
        /refusing to change permissions on .*cannot read the server settings.*nothing was changed/,
      );
      expect(fl.proxy.events.filter((e) => e.method === 'SetEntityPermissions')).toEqual([]);
      expect(diffStates(before, await permissionState(fl))).toEqual([]);
    }, 60_000);
  }
});
