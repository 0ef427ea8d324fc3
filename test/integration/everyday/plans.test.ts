/**
 * Plans one can trust, on a private lab: saved plans applied exactly (and refused when stale),
 * the summary line, --detailed-exitcode, role drift in verify, subset warnings, empty
 * selectors, -q for cron, and output directories checked before any work.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import { silentLogger } from '../../../src/util/log';
import type { VimClient } from '../../../src/vsphere/client';
import { collectSnapshot } from '../../../src/vsphere/collect';
import {
  CONTOSO,
  TENANTS_DIR,
  cliIn,
  connectClient,
  contosoPolicy,
  ownPermissions,
  scratch,
  writeTenant,
} from '../tenant/tenant-lab';

let lab: OwnLab;
let client: VimClient;
let cwd: string;
let cli: ReturnType<typeof cliIn>;

async function refOf(path: string) {
  const s = await collectSnapshot(client, { log: silentLogger });
  const e = s.entities.find((x) => x.path === path)!;
  return { type: e.type, value: e.ref };
}

beforeAll(async () => {
  lab = await startLab();
  client = await connectClient(lab);
  cwd = scratch();
  cli = cliIn(lab, cwd);
}, 120000);

afterAll(async () => {
  await client?.logout();
  await lab?.stop();
});

describe('role plan', () => {
  it('ends with the summary line; exit 0, or 1 with --detailed-exitcode while changes are pending', async () => {
    const plan = await cli(['role', 'plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Plan: 1 to add, 0 to change, 0 to remove',
    );
    expect((await cli(['role', 'plan', '--detailed-exitcode'])).code).toBe(1);
    expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
    const after = await cli(['role', 'plan', '--detailed-exitcode']);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('Plan: 0 to add, 0 to change, 0 to remove');
  });
});

describe('saved tenant plans', () => {
  const planFile = () => join(cwd, 'plan.json');

  it('tenant plan --out saves the plan and ends with one summary line over all tenants', async () => {
    const r = await cli(['tenant', 'plan', '--tenant', TENANTS_DIR, '--out', planFile()]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Plan: 27 to add, 0 to change, 0 to remove');
    expect(r.stderr).toContain(`plan saved to ${planFile()}`);
    const saved = JSON.parse(readFileSync(planFile(), 'utf8')) as {
      format: string;
      tenants: { changes: unknown[] }[];
      fingerprint: Record<string, string>;
    };
    expect(saved.format).toBe('drperm-tenant-plan');
    expect(saved.tenants.map((t) => t.changes.length)).toEqual([14, 13]);
    expect(Object.keys(saved.fingerprint)).toEqual(['inventory', 'permissions', 'roles']);
    expect(
      (await cli(['tenant', 'plan', '--tenant', TENANTS_DIR, '--detailed-exitcode'])).code,
    ).toBe(1);
  });

  it('refuses a plan when what it read has changed, changing nothing (exit 2)', async () => {
    const vm = await refOf('/DC0/vm/unowned-vm01');
    await client.setEntityPermissions(vm, [
      { principal: 'VSPHERE.LOCAL\\ops', group: false, roleId: -2, propagate: false },
    ]);
    const r = await cli(['tenant', 'apply', '--plan', planFile(), '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /drperm: refused: .*plan\.json is out of date: the permissions changed since the plan was made; nothing was changed/,
    );
    expect((await ownPermissions(client, '/DC0')).some((p) => p.principal === CONTOSO)).toBe(false);
  });

  it('refuses --plan together with --tenant (exit 2)', async () => {
    const r = await cli([
      'tenant',
      'apply',
      '--plan',
      planFile(),
      '--tenant',
      TENANTS_DIR,
      '--yes',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--plan applies exactly the saved plan/);
  });

  it('applies exactly a fresh saved plan; afterwards plans have nothing to do', async () => {
    expect((await cli(['tenant', 'plan', '--tenant', TENANTS_DIR, '--out', planFile()])).code).toBe(
      0,
    );
    const r = await cli(['tenant', 'apply', '--plan', planFile(), '--yes']);
    expect(r.stderr).not.toMatch(/^drperm: /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/14 done and verified, 0 failed, 0 not attempted/);
    expect(r.stdout).toMatch(/13 done and verified, 0 failed, 0 not attempted/);
    expect(await ownPermissions(client, '/DC0/vm/contoso/contoso-app01')).toEqual([
      { principal: CONTOSO, group: false, role: 'Azure_Site_Recovery', propagate: false },
    ]);
    const again = await cli(['tenant', 'plan', '--tenant', TENANTS_DIR, '--detailed-exitcode']);
    expect(again.code).toBe(0);
    expect(again.stdout.trimEnd().split('\n').at(-1)).toBe(
      'Plan: 0 to add, 0 to change, 0 to remove',
    );
    // Applying the used plan again: it was made against the state before the apply.
    expect((await cli(['tenant', 'apply', '--plan', planFile(), '--yes'])).code).toBe(2);
  });
});

describe('verify, drift and -q', () => {
  it('-q prints nothing at all when drift finds nothing', async () => {
    const r = await cli(['-q', 'tenant', 'drift', '--tenant', TENANTS_DIR]);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('tenant verify reports role drift after a privilege was added to the role', async () => {
    const role = (await client.roleList()).find((x) => x.name === 'Azure_Site_Recovery')!;
    await client.updateAuthorizationRole(role.roleId, role.name, [
      ...role.privileges,
      'Host.Config.Power',
    ]);
    const r = await cli(['tenant', 'verify', '--tenant', TENANTS_DIR]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/role-privileges-changed .*Host\.Config\.Power/);
    const quiet = await cli(['-q', 'tenant', 'drift', '--tenant', TENANTS_DIR]);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toMatch(/role-privileges-changed/);
    const rolePlan = await cli(['role', 'plan', '--detailed-exitcode']);
    expect(rolePlan.code).toBe(1);
    expect(rolePlan.stdout).toContain('Plan: 0 to add, 1 to change, 0 to remove');
    expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
    expect((await cli(['tenant', 'verify', '--tenant', TENANTS_DIR])).code).toBe(0);
  });
});

describe('warnings and refusals of tenant plan', () => {
  it('warns that a subset of the tenants is not checked for conflicts, and how to include them', async () => {
    const r = await cli(['tenant', 'plan', '--tenant', join(TENANTS_DIR, 'fabrikam.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: 1 other tenant file(s) in ${TENANTS_DIR}/ were not given (contoso.yaml): conflicts with them (a VM claimed twice, a shared account) are not checked; pass the directory to include every tenant: --tenant ${TENANTS_DIR}/`,
    );
  });

  it('refuses a VM folder without VMs and a glob with a typo, unless allowEmpty (exit 2)', async () => {
    const dir = scratch();
    const empty = writeTenant(
      dir,
      'x.yaml',
      contosoPolicy({
        objects: {
          ...(contosoPolicy().objects as object),
          vms: { folders: ['/DC0/vm/contoso'], names: ['contso-*'] },
        },
      }),
    );
    const r = await cli(['tenant', 'plan', '--tenant', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('objects.vms.names[0]: "contso-*" matches no VM; nearest: ');
    const allowed = writeTenant(
      dir,
      'y.yaml',
      contosoPolicy({
        allowEmpty: true,
        objects: {
          ...(contosoPolicy().objects as object),
          vms: { folders: ['/DC0/vm/contoso'], names: ['contso-*'] },
        },
      }),
    );
    expect((await cli(['tenant', 'plan', '--tenant', allowed])).code).toBe(0);
  });

  it('names role apply --avs when the AVS variant is missing', async () => {
    const dir = scratch();
    const file = writeTenant(dir, 'avs.yaml', contosoPolicy({ role: 'Azure_Site_Recovery_AVS' }));
    const r = await cli(['tenant', 'plan', '--tenant', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: create it first: drperm role apply --avs');
  });

  it('checks the backup directory before collecting anything (exit 2)', async () => {
    const file = join(cwd, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await cli([
      'tenant',
      'apply',
      '--tenant',
      TENANTS_DIR,
      '--yes',
      '--backup-dir',
      join(file, 'backups'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `drperm: --backup-dir ${join(file, 'backups')} cannot be created: ${file} is a file, not a directory`,
    );
    // Under a directory the unprivileged user may enter (scratch directories are private).
    const base = mkdtempSync(join(tmpdir(), 'drperm-ro-'));
    chmodSync(base, 0o755);
    const ro = join(base, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534 } : {};
    const denied = await runCli(
      ['tenant', 'apply', '--tenant', TENANTS_DIR, '--yes', '--backup-dir', ro],
      { env: labEnv(lab), cwd: '/tmp', ...asNobody },
    );
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain(
      `drperm: --backup-dir ${ro} is not writable: ${ro}: permission denied`,
    );
  });
});
