import { planTenants, type AccountStatus } from '../../../src/plan/tenant-plan';
import { rolePrivilegeDrift, tenantDrift } from '../../../src/plan/tenant-drift';
import type { Entity, Permission } from '../../../src/model/snapshot';
import { ROLES, labInventory, perm, policy, resolve } from './fixtures';

const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';

function planWith(permissions: Permission[], extra: Entity[] = []) {
  const inventory = labInventory(extra);
  const tenant = resolve(policy(), inventory);
  return planTenants({
    tenants: [tenant],
    inventory,
    permissions,
    roles: ROLES,
    accounts: new Map<string, AccountStatus>(),
    prune: false,
  }).plans[0]!;
}

/** Every grant of the plan, as apply leaves it. */
function applied(): Permission[] {
  return planWith([]).objects.map((o) => perm(o.entity.ref, CONTOSO, o.desired.roleId));
}

describe('tenantDrift', () => {
  it('finds nothing right after an apply', () => {
    expect(tenantDrift(planWith(applied()))).toEqual([]);
  });

  it('finds a VM added to the tenant folder after the apply', () => {
    const newVm: Entity = {
      ref: 'vm-77',
      type: 'VirtualMachine',
      name: 'contoso-new01',
      parent: 'group-v20',
      path: '/DC0/vm/contoso/contoso-new01',
    };
    const findings = tenantDrift(planWith(applied(), [newVm]));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'vm-without-grant',
      path: '/DC0/vm/contoso/contoso-new01',
    });
    expect(findings[0]!.message).toMatch(/ASR cannot discover it/);
  });

  it('classifies a removed infrastructure grant, a changed grant and an unexpected grant', () => {
    const perms = applied()
      .filter((p) => p.entity !== 'domain-c7')
      .map((p) => (p.entity === 'datacenter-2' ? { ...p, propagate: true } : p));
    perms.push(perm('group-v21', CONTOSO, 1001, true));
    const kinds = tenantDrift(planWith(perms)).map((f) => `${f.kind} ${f.path}`);
    expect(kinds.sort()).toEqual([
      'grant-changed /DC0',
      'grant-missing /DC0/host/DC0_C0',
      'unexpected-grant /DC0/vm/fabrikam',
    ]);
  });
});

describe('rolePrivilegeDrift', () => {
  const live = {
    id: 1001,
    name: 'Azure_Site_Recovery',
    system: false,
    privileges: ['System.Read', 'System.View', 'Datastore.Browse', 'Task.Create'],
  };

  it('ignores the System.* privileges vCenter adds itself', () => {
    expect(
      rolePrivilegeDrift(
        'contoso',
        'Azure_Site_Recovery',
        ['Datastore.Browse', 'Task.Create', 'System.Anonymous'],
        live,
      ),
    ).toEqual([]);
  });

  it('names missing and extra privileges', () => {
    const f = rolePrivilegeDrift(
      'contoso',
      'Azure_Site_Recovery',
      ['Datastore.Browse', 'Task.Update'],
      live,
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toBe(
      'role Azure_Site_Recovery differs from its policy: missing Task.Update; extra Task.Create',
    );
  });

  it('reports a deleted role', () => {
    expect(
      rolePrivilegeDrift('contoso', 'Azure_Site_Recovery', ['Task.Create'], undefined)[0]!.message,
    ).toMatch(/no longer exists/);
  });
});
