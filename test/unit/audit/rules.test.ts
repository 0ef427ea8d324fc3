import { runAudit, type AuditInput } from '../../../src/audit/audit';
import type { Finding, RuleId } from '../../../src/audit/types';
import { ROLE } from './snapshot-builder';
import { ASR_PRIVILEGES, CONTOSO, FABRIKAM, twoTenants } from './two-tenants';

const FULL_ROLE = ['System.Anonymous', 'System.Read', 'System.View', ...ASR_PRIVILEGES];

function configured() {
  const f = twoTenants();
  f.apply(f.contoso);
  f.apply(f.fabrikam);
  return f;
}

function audit(f: ReturnType<typeof twoTenants>, extra: Partial<AuditInput> = {}) {
  return runAudit({
    snapshot: f.b.build(),
    tenants: [f.contoso, f.fabrikam],
    rolePrivileges: FULL_ROLE,
    ...extra,
  });
}

function only(findings: Finding[], rule: RuleId): Finding[] {
  return findings.filter((x) => x.rule === rule);
}

describe('audit rules', () => {
  test('a clean seed-001 configuration: no findings, both tenants isolated', () => {
    const result = audit(configured());
    expect(result.findings).toEqual([]);
    expect(result.tenants.map((t) => [t.tenant, t.verdict])).toEqual([
      ['contoso', 'isolated'],
      ['fabrikam', 'isolated'],
    ]);
    const contoso = result.tenants[0]!;
    expect(contoso.ownedObjects).toBe(2);
    expect(contoso.sharedObjectsGranted).toBe(6); // root, DC, cluster, host, datastore, network
    expect(contoso.foreignObjectsReachable).toBe(0);
  });

  test('cross-tenant-access, unowned-vm-access and propagating-grant after a propagating cluster grant', () => {
    const f = configured();
    f.b.permissions.splice(
      f.b.permissions.findIndex((p) => p.entity === f.cluster.ref && p.principal === CONTOSO),
      1,
    );
    const leak = f.b.permit(f.cluster, CONTOSO, f.asr, { propagate: true });
    const result = audit(f);

    const cross = only(result.findings, 'cross-tenant-access');
    expect(cross).toHaveLength(1);
    expect(cross[0]).toMatchObject({
      severity: 'critical',
      tenant: 'contoso',
      principal: CONTOSO,
      entity: { moref: f.f1.ref, path: '/DC0/vm/fabrikam/fabrikam-1' },
    });
    expect(cross[0]!.evidence).toEqual([
      expect.objectContaining({
        entity: expect.objectContaining({ moref: leak.entity, path: '/DC0/host/C0' }),
        roleName: 'Azure_Site_Recovery',
        propagate: true,
      }),
    ]);
    expect(cross[0]!.remediation).toMatch(/Remove the permission/);

    expect(only(result.findings, 'unowned-vm-access').map((x) => x.entity?.path)).toEqual([
      '/DC0/vm/partner-dns',
    ]);
    const propagating = only(result.findings, 'propagating-grant');
    expect(propagating).toHaveLength(1);
    // The cluster, its root pool, fabrikam-1 and partner-dns; the host and contoso's own VMs
    // carry their own permission, which hides the propagated one.
    expect(propagating[0]!.message).toMatch(/reaches 4 objects/);

    expect(result.tenants.find((t) => t.tenant === 'contoso')).toMatchObject({
      verdict: 'not isolated',
      foreignObjectsReachable: 2,
    });
    expect(result.tenants.find((t) => t.tenant === 'fabrikam')?.verdict).toBe('isolated');
    expect(result.findings[0]!.severity).toBe('critical'); // sorted most severe first
  });

  test('shared-principal: two tenants with one account', () => {
    const f = twoTenants();
    const fabrikam = f.makeTenant('fabrikam', CONTOSO.toUpperCase(), [f.f1]);
    const result = runAudit({ snapshot: f.b.build(), tenants: [f.contoso, fabrikam] });
    const shared = only(result.findings, 'shared-principal');
    expect(shared.map((x) => x.tenant).sort()).toEqual(['contoso', 'fabrikam']);
    expect(shared[0]!.severity).toBe('critical');
  });

  test('shared-principal: one tenant account is a member of the other tenant group account', () => {
    const f = configured();
    const group = 'VSPHERE.LOCAL\\fabrikam-admins';
    const fabrikam = { ...f.makeTenant('fabrikam', group, [f.f1]), group: true };
    const membership = { [group]: [CONTOSO] };
    const withMembership = runAudit({
      snapshot: f.b.build(),
      tenants: [f.contoso, fabrikam],
      membership,
    });
    expect(only(withMembership.findings, 'shared-principal').map((x) => x.tenant)).toEqual([
      'contoso',
    ]);
    const without = runAudit({ snapshot: f.b.build(), tenants: [f.contoso, fabrikam] });
    expect(only(without.findings, 'shared-principal')).toEqual([]);
  });

  test('excess-privilege: Admin on a tenant VM, reported once per granting permission', () => {
    const f = configured();
    const p = f.b.permissions.find((x) => x.entity === f.c1.ref && x.principal === CONTOSO)!;
    p.roleId = ROLE.Admin;
    const excess = only(audit(f).findings, 'excess-privilege');
    expect(excess).toHaveLength(1);
    expect(excess[0]).toMatchObject({ tenant: 'contoso', entity: { moref: f.c1.ref } });
    expect(excess[0]!.details).toEqual(['Global.Settings']);
    expect(only(audit(configured()).findings, 'excess-privilege')).toEqual([]);
  });

  test('mode-mismatch and excess-privilege: a failover-only tenant holding the failback role', () => {
    const f = twoTenants();
    const failoverOnly = f.makeTenant('fabrikam', FABRIKAM, [f.f1], 'failover-only');
    f.apply(f.contoso);
    f.apply(f.makeTenant('fabrikam', FABRIKAM, [f.f1])); // applied as failback by mistake
    const result = runAudit({ snapshot: f.b.build(), tenants: [f.contoso, failoverOnly] });
    const mismatch = only(result.findings, 'mode-mismatch');
    expect(mismatch.map((x) => x.tenant)).toEqual(['fabrikam']);
    expect(mismatch[0]!.evidence).toHaveLength(6);
    expect(only(result.findings, 'excess-privilege').every((x) => x.tenant === 'fabrikam')).toBe(
      true,
    );
  });

  test('mode-mismatch: a failback tenant holding only Read-only; a failover-only tenant with Read-only is clean', () => {
    const f = twoTenants();
    const readOnly = f.makeTenant('fabrikam', FABRIKAM, [f.f1], 'failover-only');
    f.apply(f.contoso);
    f.apply(readOnly);
    const asFailback = runAudit({ snapshot: f.b.build(), tenants: [f.contoso, f.fabrikam] });
    expect(only(asFailback.findings, 'mode-mismatch').map((x) => x.tenant)).toEqual(['fabrikam']);
    const asFailover = runAudit({ snapshot: f.b.build(), tenants: [f.contoso, readOnly] });
    expect(asFailover.findings).toEqual([]);
  });

  test('no-access-pattern: a propagated datacenter grant confined by No Access on foreign VMs', () => {
    const f = twoTenants();
    f.apply(f.fabrikam);
    f.b.permit(f.dc.dc, CONTOSO, f.asr, { propagate: true });
    f.b.permit(f.f1, CONTOSO, ROLE.NoAccess);
    f.b.permit(f.partner, CONTOSO, ROLE.NoAccess);
    const result = runAudit({ snapshot: f.b.build(), tenants: [f.contoso, f.fabrikam] });
    const pattern = only(result.findings, 'no-access-pattern');
    expect(pattern).toHaveLength(1);
    expect(pattern[0]!.entity?.path).toBe('/DC0');
    expect(pattern[0]!.evidence).toHaveLength(3);
    // The overrides work today: no cross-tenant access, only the structural risk.
    expect(only(result.findings, 'cross-tenant-access')).toEqual([]);
    expect(only(audit(configured()).findings, 'no-access-pattern')).toEqual([]);
  });

  test('missing-grant: a tenant VM without the permission, and a role that does not exist', () => {
    const f = configured();
    f.b.permissions.splice(
      f.b.permissions.findIndex((p) => p.entity === f.c2.ref && p.principal === CONTOSO),
      1,
    );
    const missing = only(audit(f).findings, 'missing-grant');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({
      tenant: 'contoso',
      entity: { path: '/DC0/vm/contoso/contoso-2' },
    });
    expect(missing[0]!.message).toMatch(/not be discoverable/);

    const g = twoTenants();
    const noRole = { ...g.contoso, roleName: 'Azure_Site_Recovery_AVS' };
    noRole.grants = noRole.grants.map((x) =>
      x.kind === 'vcenter' ? x : { ...x, roleName: 'Azure_Site_Recovery_AVS' },
    );
    const result = runAudit({ snapshot: g.b.build(), tenants: [noRole] });
    expect(only(result.findings, 'missing-grant').map((x) => x.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Azure_Site_Recovery_AVS.*does not exist/)]),
    );
  });

  test('missing-grant: a weaker role than required counts as missing', () => {
    const f = configured();
    const p = f.b.permissions.find((x) => x.entity === f.ds.ref && x.principal === CONTOSO)!;
    p.roleId = ROLE.ReadOnly;
    const missing = only(audit(f).findings, 'missing-grant');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.details).toEqual(ASR_PRIVILEGES);
  });

  test('role-drift: the live role gained a privilege the policy does not list', () => {
    const f = configured();
    expect(only(audit(f).findings, 'role-drift')).toEqual([]);
    f.b.roles.find((r) => r.name === 'Azure_Site_Recovery')!.privileges.push('Host.Config.Power');
    const drift = only(audit(f).findings, 'role-drift');
    expect(drift.map((x) => x.tenant)).toEqual(['contoso', 'fabrikam']);
    expect(drift[0]!.details).toEqual(['extra: Host.Config.Power']);
    // Without a role policy there is nothing to compare with.
    expect(only(audit(f, { rolePrivileges: undefined }).findings, 'role-drift')).toEqual([]);
  });

  test('role-exceeds-cloudadmin: only with --avs or a CloudAdmin role on the server', () => {
    const f = configured();
    const cloudAdmin = [
      'System.Anonymous',
      'System.Read',
      'System.View',
      'VirtualMachine.Config.Rename',
    ];
    expect(only(audit(f).findings, 'role-exceeds-cloudadmin')).toEqual([]);
    const avs = audit(f, { avs: true, cloudAdminPrivileges: cloudAdmin });
    const found = only(avs.findings, 'role-exceeds-cloudadmin');
    expect(found).toHaveLength(2);
    expect(found[0]!.details).toEqual(['Datastore.Browse']);
    expect(avs.roleVsCloudAdmin.find((r) => r.privilege === 'Datastore.Browse')?.status).toBe(
      'missing-in-cloudadmin',
    );
    f.b.role('CloudAdmin', ['VirtualMachine.Config.Rename']);
    expect(only(audit(f).findings, 'role-exceeds-cloudadmin')).toHaveLength(2);
    f.b.roles.find((r) => r.name === 'CloudAdmin')!.privileges.push('Datastore.Browse');
    expect(only(audit(f).findings, 'role-exceeds-cloudadmin')).toEqual([]);
  });

  test('group-grant-unresolved: a group with permissions and unknown members', () => {
    const f = configured();
    const admins = 'VSPHERE.LOCAL\\Administrators';
    f.b.permit(f.b.root, admins, ROLE.Admin, { group: true, propagate: true });
    const unresolved = only(audit(f).findings, 'group-grant-unresolved');
    expect(unresolved.map((x) => x.tenant)).toEqual(['contoso', 'fabrikam']);
    expect(unresolved[0]!.evidence[0]).toMatchObject({ principal: admins, roleName: 'Admin' });
    // Known members that do not include the tenant accounts: resolved, no finding.
    const known = audit(f, { membership: { [admins]: ['VSPHERE.LOCAL\\alice'] } });
    expect(only(known.findings, 'group-grant-unresolved')).toEqual([]);
    expect(known.tenants.every((t) => t.verdict === 'isolated')).toBe(true);
    // A tenant account in the group: the group's Admin reaches everything.
    const member = audit(f, { membership: { [admins]: [CONTOSO] } });
    expect(only(member.findings, 'cross-tenant-access').length).toBeGreaterThan(0);
  });

  test('effective access rows carry the owner, and permission rows the tenant', () => {
    const result = audit(configured());
    const row = result.effectiveAccess.find((r) => r.entity.path === '/DC0/vm/contoso/contoso-1');
    expect(row).toMatchObject({ tenant: 'contoso', principal: CONTOSO, owner: 'contoso' });
    expect(row!.privileges).toEqual(expect.arrayContaining(ASR_PRIVILEGES));
    expect(result.permissions.filter((p) => p.tenant === 'fabrikam')).toHaveLength(7);
  });

  test('propagating-grant counts each object once, though a datacenter grant reaches VMs along both paths', () => {
    const f = twoTenants();
    f.b.permit(f.dc.dc, CONTOSO, f.asr, { propagate: true });
    const result = runAudit({ snapshot: f.b.build(), tenants: [f.contoso, f.fabrikam] });
    // Everything below the datacenter, and the datacenter: 4 root folders, cluster, root
    // pool, host, datastore, network, 2 VM folders, 4 VMs.
    expect(only(result.findings, 'propagating-grant')[0]!.message).toMatch(/reaches 16 objects/);
    const cross = only(result.findings, 'cross-tenant-access');
    expect(cross.map((x) => x.evidence.length)).toEqual([1]);
    expect(cross[0]!.remediation).toMatch(/Remove the permission listed/);
  });

  test('group-grant-unresolved: not for a group whose permissions give nothing beyond System.Anonymous', () => {
    const f = configured();
    f.b.permit(f.b.root, 'VSPHERE.LOCAL\\Guests', ROLE.Anonymous, { group: true, propagate: true });
    f.b.permit(f.dc.dc, 'VSPHERE.LOCAL\\Blocked', ROLE.NoAccess, { group: true, propagate: true });
    expect(only(audit(f).findings, 'group-grant-unresolved')).toEqual([]);
    f.b.permit(f.c1, 'VSPHERE.LOCAL\\Viewers', ROLE.View, { group: true });
    const unresolved = only(audit(f).findings, 'group-grant-unresolved');
    expect(unresolved.map((x) => x.evidence.map((e) => e.principal))).toEqual([
      ['VSPHERE.LOCAL\\Viewers'],
      ['VSPHERE.LOCAL\\Viewers'],
    ]);
  });

  test('mode-mismatch: a failback tenant whose only role is a clone of Read-only', () => {
    const f = twoTenants();
    const clone = f.b.role('ReadOnly-clone', []);
    f.apply(f.contoso);
    for (const g of f.fabrikam.grants) f.b.permit(g.entity, FABRIKAM, clone);
    const mismatch = only(audit(f).findings, 'mode-mismatch');
    expect(mismatch.map((x) => x.tenant)).toEqual(['fabrikam']);
    expect(mismatch[0]!.evidence.map((e) => e.roleName)).toContain('ReadOnly-clone');
  });

  test('missing-grant: a tenant VM reached only through a propagated grant is discoverable; the evidence says how', () => {
    const f = twoTenants();
    f.apply(f.fabrikam);
    const grant = f.b.permit(f.dc.dc, CONTOSO, f.asr, { propagate: true });
    const missing = only(audit(f).findings, 'missing-grant').find(
      (x) => x.entity?.moref === f.c1.ref,
    )!;
    expect(missing.message).not.toMatch(/not be discoverable/);
    expect(missing.message).toMatch(/only through inherited/);
    expect(missing.evidence).toEqual([
      expect.objectContaining({ entity: expect.objectContaining({ moref: grant.entity }) }),
    ]);
  });
});
