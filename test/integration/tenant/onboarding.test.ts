/**
 * Onboarding both lab tenants end to end on a private simulator lab: role, plan, apply,
 * idempotence, verify, drift after a new VM, rollback. Every change is read back through
 * the client, independently of drperm's own verification, and other principals'
 * permissions on the shared objects are compared before and after.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createVm } from '../../helpers/create-vm';
import { startLab, type OwnLab } from '../../helpers/lab';
import type { VimClient } from '../../../src/vsphere/client';
import {
  CONTOSO,
  FABRIKAM,
  TENANTS_DIR,
  cliIn,
  connectClient,
  ownPermissions,
  scratch,
  tenantObjects,
  type OwnPermission,
} from './tenant-lab';

let lab: OwnLab;
let client: VimClient;
let cwd: string;
let cli: ReturnType<typeof cliIn>;

/** Objects shared by both tenants that already carry other principals' permissions in the lab. */
const SHARED = ['/', '/DC0', '/DC0/host/DC0_C0'];
const others = (list: OwnPermission[]) =>
  list.filter((p) => p.principal !== CONTOSO && p.principal !== FABRIKAM);
let before: Map<string, OwnPermission[]>;

async function snapshotOthers(): Promise<Map<string, OwnPermission[]>> {
  const out = new Map<string, OwnPermission[]>();
  for (const path of SHARED) out.set(path, others(await ownPermissions(client, path)));
  return out;
}

const backups = () =>
  readdirSync(join(cwd, 'reports', 'backups'))
    .filter((f) => f.endsWith('.json'))
    .sort();

beforeAll(async () => {
  lab = await startLab();
  client = await connectClient(lab);
  cwd = scratch();
  cli = cliIn(lab, cwd);
  before = await snapshotOthers();
}, 120000);

afterAll(async () => {
  await client?.logout();
  await lab?.stop();
});

describe('drperm tenant on the lab', () => {
  it('the lab has other principals on the shared objects (the premise of the survival checks)', () => {
    expect(before.get('/DC0')).toEqual([
      {
        principal: 'VSPHERE.LOCAL\\backup-admins',
        group: true,
        role: 'Backup Operator',
        propagate: true,
      },
    ]);
    expect(before.get('/DC0/host/DC0_C0')).toEqual([
      { principal: 'VSPHERE.LOCAL\\ops', group: false, role: 'ReadOnly', propagate: false },
    ]);
  });

  it('refuses to plan while the Azure_Site_Recovery role is missing, pointing at role apply', async () => {
    const r = await cli(['tenant', 'plan', '--tenant', TENANTS_DIR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/role "Azure_Site_Recovery" does not exist on the server/);
    expect(r.stderr).toContain('hint: create it first: drperm role apply');
  });

  it('plans both tenants: every object to add', async () => {
    expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
    const r = await cli(['tenant', 'plan', '--tenant', TENANTS_DIR, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      plans: { tenant: string; objects: { action: string; entity: { path: string } }[] }[];
      refusals: unknown[];
    };
    expect(out.refusals).toEqual([]);
    for (const plan of out.plans) {
      const tenant = plan.tenant as 'contoso' | 'fabrikam';
      expect(plan.objects.map((o) => o.entity.path).sort()).toEqual(tenantObjects(tenant).sort());
      expect(new Set(plan.objects.map((o) => o.action))).toEqual(new Set(['add']));
    }
  });

  it('refuses to apply without --yes when stdin is not a terminal, changing nothing', async () => {
    const r = await cli(['tenant', 'apply', '--tenant', TENANTS_DIR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to continue without confirmation/);
    expect((await ownPermissions(client, '/DC0')).some((p) => p.principal === CONTOSO)).toBe(false);
  });

  it('onboards both tenants: each object carries the account, not propagated; nobody else changed', async () => {
    const r = await cli(['tenant', 'apply', '--tenant', TENANTS_DIR, '--yes']);
    expect(r.stderr).toContain('written to reports/backups/contoso-');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/14 done and verified, 0 failed, 0 not attempted/);
    expect(r.stdout).toMatch(/13 done and verified, 0 failed, 0 not attempted/);

    for (const [tenant, principal] of [
      ['contoso', CONTOSO],
      ['fabrikam', FABRIKAM],
    ] as const) {
      for (const path of tenantObjects(tenant)) {
        const mine = (await ownPermissions(client, path)).filter((p) => p.principal === principal);
        expect({ path, mine }).toEqual({
          path,
          mine: [
            {
              principal,
              group: false,
              role: path === '/' ? 'ReadOnly' : 'Azure_Site_Recovery',
              propagate: false,
            },
          ],
        });
      }
    }
    // Isolation: no tenant account on the other tenant's VMs or on the unowned VM.
    expect(await ownPermissions(client, '/DC0/vm/fabrikam/fabrikam-db01')).toEqual([
      { principal: FABRIKAM, group: false, role: 'Azure_Site_Recovery', propagate: false },
    ]);
    expect(await ownPermissions(client, '/DC0/vm/unowned-vm01')).toEqual([]);
    expect(await snapshotOthers()).toEqual(before);
    expect(backups()).toHaveLength(2);
  });

  it('a second apply changes nothing, says so, and writes no backup', async () => {
    const r = await cli(['tenant', 'apply', '--tenant', TENANTS_DIR, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('nothing to change: 27 permission(s) already in place');
    expect(backups()).toHaveLength(2);
  });

  it('verify and drift find nothing right after apply', async () => {
    expect((await cli(['tenant', 'verify', '--tenant', TENANTS_DIR])).code).toBe(0);
    const drift = await cli(['tenant', 'drift', '--tenant', TENANTS_DIR]);
    expect(drift.stderr).toContain('no drift');
    expect(drift.code).toBe(0);
  });

  it('drift finds a VM added to the tenant folder after apply (exit 1), and apply then grants it', async () => {
    await createVm(lab, {
      folder: '/DC0/vm/contoso',
      name: 'contoso-new01',
      pool: '/DC0/host/DC0_C0/Resources/contoso-rp',
      datastore: 'LocalDS_1',
    });
    const drift = await cli(['tenant', 'drift', '--tenant', TENANTS_DIR, '--json']);
    expect(drift.code).toBe(1);
    const out = JSON.parse(drift.stdout) as {
      differences: number;
      tenants: { tenant: string; findings: { kind: string; path?: string }[] }[];
    };
    expect(out.differences).toBe(1);
    expect(out.tenants.find((t) => t.tenant === 'contoso')!.findings).toEqual([
      expect.objectContaining({ kind: 'vm-without-grant', path: '/DC0/vm/contoso/contoso-new01' }),
    ]);
    const verify = await cli(['tenant', 'verify', '--tenant', TENANTS_DIR]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('/DC0/vm/contoso/contoso-new01');

    const apply = await cli(['tenant', 'apply', '--tenant', TENANTS_DIR, '--yes']);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/1 done and verified/);
    expect((await cli(['tenant', 'drift', '--tenant', TENANTS_DIR])).code).toBe(0);
  });

  it('drift reports a role whose privileges were changed by hand', async () => {
    const role = (await client.roleList()).find((r) => r.name === 'Azure_Site_Recovery')!;
    const fewer = role.privileges.filter((p) => p !== 'Task.Create');
    await client.updateAuthorizationRole(role.roleId, role.name, fewer);
    const drift = await cli(['tenant', 'drift', '--tenant', TENANTS_DIR]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/role-privileges-changed .*missing Task\.Create/);
    await client.updateAuthorizationRole(role.roleId, role.name, role.privileges);
  });

  it('rollback restores contoso to the backup, leaving fabrikam and every other principal untouched', async () => {
    const first = backups().find((f) => f.startsWith('contoso-'))!;
    const r = await cli([
      'tenant',
      'rollback',
      '--tenant',
      join(TENANTS_DIR, 'contoso.yaml'),
      '--backup',
      join('reports', 'backups', first),
      '--yes',
    ]);
    expect(r.stderr).toContain('rolled back and verified');
    expect(r.code).toBe(0);
    for (const path of tenantObjects('contoso')) {
      expect((await ownPermissions(client, path)).filter((p) => p.principal === CONTOSO)).toEqual(
        [],
      );
    }
    for (const path of tenantObjects('fabrikam')) {
      expect(
        (await ownPermissions(client, path)).filter((p) => p.principal === FABRIKAM),
      ).toHaveLength(1);
    }
    expect(await snapshotOthers()).toEqual(before);
  });

  it('rollback refuses a backup of another tenant than the --tenant file', async () => {
    const fab = backups().find((f) => f.startsWith('fabrikam-'))!;
    const r = await cli([
      'tenant',
      'rollback',
      '--tenant',
      join(TENANTS_DIR, 'contoso.yaml'),
      '--backup',
      join('reports', 'backups', fab),
      '--yes',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backup of tenant fabrikam, which none of the --tenant files defines/);
  });
});
