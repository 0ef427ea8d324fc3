import {
  planTenants,
  hasChanges,
  type AccountStatus,
  type PlanInput,
} from '../../../src/plan/tenant-plan';
import { principalKey } from '../../../src/model/principal';
import type { Permission } from '../../../src/model/snapshot';
import type { ResolvedTenant } from '../../../src/policy/tenant-resolve';
import { ROLES, fabrikamPolicy, labInventory, perm, policy, resolve } from './fixtures';

const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';

function accountsExist(...principals: string[]): Map<string, AccountStatus> {
  return new Map(
    principals.map((p) => [
      principalKey({ name: p, group: false }),
      { status: 'exists' } as AccountStatus,
    ]),
  );
}

function input(
  tenants: ResolvedTenant[],
  permissions: Permission[] = [],
  extra: Partial<PlanInput> = {},
): PlanInput {
  return {
    tenants,
    inventory: labInventory(),
    permissions,
    roles: ROLES,
    accounts: accountsExist(CONTOSO, FABRIKAM),
    prune: false,
    ...extra,
  };
}

describe('planTenants: a fresh tenant', () => {
  const result = planTenants(input([resolve(policy())]));
  const plan = result.plans[0]!;

  it('has no refusals and no warnings when the account is known to exist', () => {
    expect(result.refusals).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('adds the permission on every object of seed 001 table, none propagating', () => {
    const paths = plan.objects.map((o) => o.entity.path).sort();
    expect(paths).toEqual(
      [
        '/',
        '/DC0',
        '/DC0/host/DC0_C0',
        '/DC0/host/DC0_C0/DC0_C0_H0',
        '/DC0/host/DC0_C0/DC0_C0_H1',
        '/DC0/host/DC0_C0/DC0_C0_H2',
        '/DC0/datastore/StoragePod0',
        '/DC0/datastore/StoragePod0/LocalDS_0',
        '/DC0/network/DC0_DVPG0',
        '/DC0/vm/contoso/contoso-cs01',
        '/DC0/vm/contoso/contoso-app01',
        '/DC0/vm/contoso/contoso-db01',
        '/DC0/vm/contoso/=contoso&<legacy>',
      ].sort(),
    );
    expect(plan.objects.every((o) => o.action === 'add')).toBe(true);
    expect(plan.objects.every((o) => o.desired.propagate === false)).toBe(true);
    expect(plan.summary).toEqual({ add: 13, change: 0, inPlace: 0, remove: 0, keep: 0 });
    expect(hasChanges(plan)).toBe(true);
  });

  it('gives Read-only on the vCenter root and the tenant role everywhere else', () => {
    for (const o of plan.objects) {
      if (o.entity.path === '/')
        expect(o.desired).toEqual({ roleId: -2, roleName: 'ReadOnly', propagate: false });
      else
        expect(o.desired).toEqual({
          roleId: 1001,
          roleName: 'Azure_Site_Recovery',
          propagate: false,
        });
    }
  });

  it('never includes the folders of the VM selector themselves', () => {
    expect(plan.objects.some((o) => o.entity.path === '/DC0/vm/contoso')).toBe(false);
  });
});

describe('planTenants: existing permissions', () => {
  it('reports in place, change (other role, or propagating) and add per object', () => {
    const perms = [
      perm('group-d1', CONTOSO, -2),
      perm('datacenter-2', CONTOSO, 1001, true),
      perm('domain-c7', CONTOSO, -2),
    ];
    const plan = planTenants(input([resolve(policy())], perms)).plans[0]!;
    const byPath = new Map(plan.objects.map((o) => [o.entity.path, o]));
    expect(byPath.get('/')!.action).toBe('in-place');
    expect(byPath.get('/DC0')!.action).toBe('change');
    expect(byPath.get('/DC0')!.current).toEqual({
      roleId: 1001,
      roleName: 'Azure_Site_Recovery',
      propagate: true,
    });
    expect(byPath.get('/DC0/host/DC0_C0')!.action).toBe('change');
    expect(byPath.get('/DC0/host/DC0_C0')!.current!.roleName).toBe('ReadOnly');
    expect(plan.summary).toMatchObject({ add: 10, change: 2, inPlace: 1 });
  });

  it('has no changes when everything is in place', () => {
    const first = planTenants(input([resolve(policy())])).plans[0]!;
    const applied = first.objects.map((o) => perm(o.entity.ref, CONTOSO, o.desired.roleId));
    const again = planTenants(input([resolve(policy())], applied)).plans[0]!;
    expect(again.summary).toEqual({ add: 0, change: 0, inPlace: 13, remove: 0, keep: 0 });
    expect(hasChanges(again)).toBe(false);
  });

  it('matches the principal case-insensitively and in UPN form, but never a group of the same name', () => {
    const perms = [
      perm('group-d1', 'vsphere.local\\ASR-CONTOSO', -2),
      perm('datacenter-2', 'asr-contoso@vsphere.local', 1001),
      perm('domain-c7', CONTOSO, 1001, false, true),
    ];
    const plan = planTenants(input([resolve(policy())], perms)).plans[0]!;
    const byPath = new Map(plan.objects.map((o) => [o.entity.path, o]));
    expect(byPath.get('/')!.action).toBe('in-place');
    expect(byPath.get('/DC0')!.action).toBe('in-place');
    expect(byPath.get('/DC0/host/DC0_C0')!.action).toBe('add');
  });

  it('ignores every other principal: their permissions are neither objects nor risks', () => {
    const perms = [
      perm('datacenter-2', 'VSPHERE.LOCAL\\Administrator', -1, true),
      perm('vm-30', 'VSPHERE.LOCAL\\backup-svc', 1001),
      perm('group-v21', FABRIKAM, 1001, true),
    ];
    const plan = planTenants(input([resolve(policy())], perms)).plans[0]!;
    expect(plan.objects.every((o) => o.current === undefined)).toBe(true);
    expect(plan.risks).toEqual([]);
  });
});

describe('planTenants: risks (permissions of the account the policy does not name)', () => {
  it('sees a propagating grant on a resource pool reach the VMs in that pool', () => {
    // fabrikam-app sits in fabrikam's folder but in a pool where contoso's account has a propagating grant.
    const inv = labInventory([
      {
        ref: 'resgroup-50',
        type: 'ResourcePool',
        name: 'shared-rp',
        parent: 'resgroup-8',
        path: '/DC0/host/DC0_C0/Resources/shared-rp',
      },
      {
        ref: 'vm-50',
        type: 'VirtualMachine',
        name: 'fabrikam-app',
        parent: 'group-v21',
        resourcePool: 'resgroup-50',
        path: '/DC0/vm/fabrikam/fabrikam-app',
      },
    ]);
    const risky = [perm('resgroup-50', CONTOSO, -2, true)];
    const plan = planTenants(input([resolve(policy(), inv)], risky, { inventory: inv })).plans[0]!;
    expect(plan.risks.map((r) => r.reason)).toEqual([
      expect.stringMatching(
        /propagates to 1 VM\(s\) this tenant does not own \(fabrikam-app\): breaks tenant isolation/,
      ),
    ]);
  });

  const perms = [perm('group-v21', CONTOSO, 1001, true), perm('vm-40', CONTOSO, -2, false)];

  it('reports a propagating grant that reaches other tenants VMs as an isolation risk, kept without --prune', () => {
    const plan = planTenants(input([resolve(policy())], perms)).plans[0]!;
    const folder = plan.risks.find((r) => r.entity.path === '/DC0/vm/fabrikam')!;
    expect(folder.action).toBe('keep');
    expect(folder.current).toEqual({
      roleId: 1001,
      roleName: 'Azure_Site_Recovery',
      propagate: true,
    });
    expect(folder.reason).toMatch(
      /propagates to 3 VM\(s\) this tenant does not own .*breaks tenant isolation/,
    );
    const vm = plan.risks.find((r) => r.entity.path === '/DC0/vm/fabrikam/fabrikam-web01')!;
    expect(vm.reason).toBe('not named by the policy');
    expect(plan.summary).toMatchObject({ keep: 2, remove: 0 });
  });

  it('marks them for removal with --prune', () => {
    const plan = planTenants(input([resolve(policy())], perms, { prune: true })).plans[0]!;
    expect(plan.risks.map((r) => r.action)).toEqual(['remove', 'remove']);
    expect(plan.summary).toMatchObject({ keep: 0, remove: 2 });
  });

  it('a Read-only on the root is a risk when the policy sets vcenterReadOnly: false', () => {
    const plan = planTenants(
      input([resolve(policy({ vcenterReadOnly: false }))], [perm('group-d1', CONTOSO, -2)]),
    ).plans[0]!;
    expect(plan.objects.some((o) => o.entity.path === '/')).toBe(false);
    expect(plan.risks.map((r) => r.entity.path)).toEqual(['/']);
  });

  it('still reports a permission whose object the collector could not place', () => {
    const plan = planTenants(input([resolve(policy())], [perm('vm-999', CONTOSO, 1001)])).plans[0]!;
    expect(plan.risks[0]!.entity.path).toBe('(unknown object vm-999)');
  });
});

describe('planTenants: modes and notes', () => {
  it('failover-only assigns Read-only on every object', () => {
    const plan = planTenants(input([resolve(policy({ mode: 'failover-only' }))])).plans[0]!;
    expect(plan.roleName).toBe('ReadOnly');
    expect(new Set(plan.objects.map((o) => o.desired.roleId))).toEqual(new Set([-2]));
  });

  it('uses the policy role in failback mode', () => {
    const roles = [
      ...ROLES,
      { id: 1002, name: 'Azure_Site_Recovery_AVS', system: false, privileges: [] },
    ];
    const plan = planTenants({
      ...input([resolve(policy({ role: 'Azure_Site_Recovery_AVS' }))]),
      roles,
    }).plans[0]!;
    expect(
      plan.objects.filter((o) => o.entity.path !== '/').every((o) => o.desired.roleId === 1002),
    ).toBe(true);
  });

  it('notes objects that always inherit instead of setting them', () => {
    const p = policy({
      objects: { hosts: ['/DC0/host/DC0_H0/DC0_H0'] },
    });
    const plan = planTenants(input([resolve(p)])).plans[0]!;
    expect(plan.notes.join('\n')).toMatch(
      /DC0_H0\/DC0_H0 always inherits its permissions from \/DC0\/host\/DC0_H0/,
    );
    expect(plan.objects.map((o) => o.entity.path)).toContain('/DC0/host/DC0_H0');
    expect(plan.objects.map((o) => o.entity.path)).not.toContain('/DC0/host/DC0_H0/DC0_H0');
  });
});

describe('planTenants: refusals', () => {
  it('refuses a VM claimed by two tenants selectors', () => {
    const fab = fabrikamPolicy({
      objects: { vms: { folders: ['/DC0/vm/fabrikam'], names: ['*-db01'] } },
    });
    const r = planTenants(input([resolve(policy()), resolve(fab)]));
    expect(r.refusals).toHaveLength(1);
    expect(r.refusals[0]).toMatchObject({
      kind: 'vm-claimed-twice',
      tenants: ['contoso', 'fabrikam'],
    });
    expect(r.refusals[0]!.message).toContain('/DC0/vm/contoso/contoso-db01');
    expect(r.refusals[0]!.hint).toMatch(/selectors/);
  });

  it('refuses two tenants sharing an account', () => {
    const fab = fabrikamPolicy({ account: { principal: 'asr-contoso@vsphere.local' } });
    const r = planTenants(input([resolve(policy()), resolve(fab)]));
    expect(r.refusals.map((x) => x.kind)).toEqual(['shared-account']);
    expect(r.refusals[0]!.tenants).toEqual(['contoso', 'fabrikam']);
  });

  it('refuses a path that resolves to nothing, naming file, field and the nearest paths', () => {
    const p = policy({ objects: { hosts: ['/DC0/host/DC0_C1'] } });
    const r = planTenants(input([resolve(p)]));
    expect(r.refusals).toHaveLength(1);
    const refusal = r.refusals[0]!;
    expect(refusal).toMatchObject({
      kind: 'bad-path',
      field: 'objects.hosts[0]',
      file: 'policies/tenants/contoso.yaml',
    });
    expect(refusal.message).toMatch(
      /^policies\/tenants\/contoso\.yaml objects\.hosts\[0\]: \/DC0\/host\/DC0_C1 does not exist/,
    );
    expect(refusal.message).toContain('nearest: /DC0/host/DC0_C0');
  });

  it('refuses a path to the wrong kind of object', () => {
    const p = policy({ objects: { datastores: ['/DC0/network/DC0_DVPG0'] } });
    const r = planTenants(input([resolve(p)]));
    expect(r.refusals[0]).toMatchObject({ kind: 'bad-path', field: 'objects.datastores[0]' });
    expect(r.refusals[0]!.message).toMatch(
      /is a DistributedVirtualPortgroup, expected a datastore/,
    );
  });

  it('refuses when the role does not exist, with the hint to create it', () => {
    const roles = ROLES.filter((x) => x.name !== 'Azure_Site_Recovery');
    const r = planTenants({ ...input([resolve(policy()), resolve(fabrikamPolicy())]), roles });
    expect(r.refusals).toHaveLength(1);
    expect(r.refusals[0]).toMatchObject({ kind: 'role-missing', tenants: ['contoso', 'fabrikam'] });
    expect(r.refusals[0]!.hint).toContain('drperm role apply');
  });

  it('does not need the Azure_Site_Recovery role in failover-only mode', () => {
    const roles = ROLES.filter((x) => x.name !== 'Azure_Site_Recovery');
    const r = planTenants({ ...input([resolve(policy({ mode: 'failover-only' }))]), roles });
    expect(r.refusals).toEqual([]);
  });

  it('refuses an account the server says does not exist', () => {
    const accounts = new Map<string, AccountStatus>([
      [principalKey({ name: CONTOSO, group: false }), { status: 'missing' }],
    ]);
    const r = planTenants(input([resolve(policy())], [], { accounts }));
    expect(r.refusals).toHaveLength(1);
    expect(r.refusals[0]).toMatchObject({
      kind: 'account-missing',
      field: 'account.principal',
      tenants: ['contoso'],
    });
    expect(r.refusals[0]!.message).toContain('user VSPHERE.LOCAL\\asr-contoso');
  });

  it('warns, but does not refuse, when the account could not be checked', () => {
    const accounts = new Map<string, AccountStatus>([
      [
        principalKey({ name: CONTOSO, group: false }),
        { status: 'unverified', reason: 'the simulator does not validate accounts' },
      ],
    ]);
    const r = planTenants(input([resolve(policy())], [], { accounts }));
    expect(r.refusals).toEqual([]);
    expect(r.warnings).toEqual([
      expect.stringContaining('could not check that VSPHERE.LOCAL\\asr-contoso'),
    ]);
  });

  it('collects every refusal, not just the first', () => {
    const roles = ROLES.filter((x) => x.name !== 'Azure_Site_Recovery');
    const p = policy({ objects: { datacenters: ['/DC0'], networks: ['/DC0/network/nope'] } });
    const accounts = new Map<string, AccountStatus>([
      [principalKey({ name: CONTOSO, group: false }), { status: 'missing' }],
    ]);
    const r = planTenants({ ...input([resolve(p)], [], { accounts }), roles });
    expect(r.refusals.map((x) => x.kind).sort()).toEqual([
      'account-missing',
      'bad-path',
      'role-missing',
    ]);
  });
});
