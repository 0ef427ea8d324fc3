/**
 * tenant verify and audit answer "is the grant in place" with one function (model/grant.ts):
 * for the same object they must agree, also when the account holds a role with more
 * privileges than the tenant role, or a propagating one.
 */
import { runAudit } from '../../../src/audit/audit';
import { Inventory } from '../../../src/model/inventory';
import { tenantDrift } from '../../../src/plan/tenant-drift';
import { planTenants, type AccountStatus } from '../../../src/plan/tenant-plan';
import { principalKey } from '../../../src/model/principal';
import { ASR_PRIVILEGES, CONTOSO, twoTenants } from '../audit/two-tenants';

function verifyAndAudit(f: ReturnType<typeof twoTenants>) {
  const snapshot = f.b.build();
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  const accounts = new Map<string, AccountStatus>([
    [principalKey({ name: CONTOSO, group: false }), { status: 'exists' }],
  ]);
  const plan = planTenants({
    tenants: [f.contoso],
    inventory,
    permissions: snapshot.permissions,
    roles: snapshot.roles,
    accounts,
    prune: false,
  });
  const verify = tenantDrift(plan.plans[0]!).map((d) => d.path);
  const audit = runAudit({ snapshot, tenants: [f.contoso] })
    .findings.filter((x) => x.rule === 'missing-grant')
    .map((x) => x.entity?.path);
  return { verify, audit, plan: plan.plans[0]! };
}

describe('tenant verify and audit agree on whether a grant is in place', () => {
  test('a role whose privileges are a superset of the tenant role: in place for both', () => {
    const f = twoTenants();
    f.apply(f.contoso);
    const bigger = f.b.role('ASR_plus', [...ASR_PRIVILEGES, 'VirtualMachine.Interact.PowerOn']);
    const onHost = f.b.permissions.find((p) => p.entity === f.host.ref && p.principal === CONTOSO)!;
    onHost.roleId = bigger;

    const { verify, audit, plan } = verifyAndAudit(f);
    expect(plan.objects.find((o) => o.entity.ref === f.host.ref)?.action).toBe('in-place');
    expect(verify).toEqual([]);
    expect(audit).toEqual([]);
  });

  test('a role lacking a privilege, or a propagating grant: missing for both, on the same object', () => {
    const f = twoTenants();
    f.apply(f.contoso);
    const smaller = f.b.role('ASR_minus', [ASR_PRIVILEGES[0]!]);
    f.b.permissions.find((p) => p.entity === f.host.ref && p.principal === CONTOSO)!.roleId =
      smaller;
    f.b.permissions.find((p) => p.entity === f.ds.ref && p.principal === CONTOSO)!.propagate = true;

    const { verify, audit } = verifyAndAudit(f);
    expect(verify.sort()).toEqual([f.host.path, f.ds.path].sort());
    expect(audit.sort()).toEqual([f.host.path, f.ds.path].sort());
  });
});
