import {
  auditNsx,
  NSX_NO_TENANT,
  pathsOverlap,
  type NsxTenant,
} from '../../../src/audit/rules/nsx';
import { loadNsxBaseline, type NsxBaselinePolicy } from '../../../src/policy/nsx-baseline';
import { binding, CLOUDADMIN, NETWORK_ADMIN, nsxData, role } from '../nsx/data';

let baseline: NsxBaselinePolicy;
beforeAll(async () => {
  baseline = await loadNsxBaseline();
});

const CONTOSO = '/orgs/default/projects/contoso';
const FABRIKAM = '/orgs/default/projects/fabrikam';
const tenants: NsxTenant[] = [
  {
    tenant: 'contoso',
    nsx: { principals: ['contoso-admins@corp', 'jdoe@contoso'], paths: [CONTOSO] },
  },
  { tenant: 'fabrikam', nsx: { principals: ['fabrikam-ops@corp'], paths: [FABRIKAM] } },
];
const LB_ADMIN = role('lb_admin', 'LB Admin', { policy_t1: 'read' }, { systemOwned: true });
const rules = (findings: { rule: string }[]) => findings.map((f) => f.rule);

describe('nsx-unsupported-role', () => {
  it('fires for an LDAP group bound to Network Admin, naming its tenant and the binding', () => {
    const data = nsxData(
      [CLOUDADMIN, NETWORK_ADMIN],
      [binding('fabrikam-ops@corp', 'remote_group', { [FABRIKAM]: ['network_engineer'] })],
    );
    const [f, ...rest] = auditNsx(data, tenants, baseline);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      rule: 'nsx-unsupported-role',
      severity: 'high',
      tenant: 'fabrikam',
      principal: 'fabrikam-ops@corp',
      evidence: [],
    });
    expect(f?.details).toEqual([
      `binding "fabrikam-ops@corp" (remote_group, LDAP) has role network_engineer (Network Admin) on ${FABRIKAM}`,
    ]);
  });

  it('fires for LDAP principals no tenant names, and when the identity source is not given', () => {
    const data = nsxData(
      [CLOUDADMIN],
      [binding('stray@corp', 'remote_user', { '/': ['enterprise_admin'] }, undefined)],
    );
    expect(auditNsx(data, tenants, baseline)).toEqual([
      expect.objectContaining({ rule: 'nsx-unsupported-role', tenant: NSX_NO_TENANT }),
    ]);
  });

  it('does not fire for local users, principal identities, vIDM users, or supported roles', () => {
    const data = nsxData(
      [CLOUDADMIN, LB_ADMIN],
      [
        binding('admin', 'local_user', { '/': ['enterprise_admin'] }, undefined),
        binding('avs-automation', 'principal_identity', { '/': ['enterprise_admin'] }, undefined),
        binding('vidm-user@corp', 'remote_user', { '/': ['enterprise_admin'] }, 'VIDM'),
        binding('contoso-admins@corp', 'remote_group', { [CONTOSO]: ['lb_admin', 'cloud_admin'] }),
      ],
    );
    expect(auditNsx(data, tenants, baseline)).toEqual([]);
  });
});

describe('nsx-role-exceeds-cloudadmin', () => {
  const tooMuch = role('tenant_ops', 'Tenant Ops', {
    policy_t0: 'crud',
    policy_t1: 'crud',
    internal_corfu: 'crud',
  });

  it('fires for a custom role above cloudadmin, once per tenant bound to it, listing the features', () => {
    const data = nsxData(
      [CLOUDADMIN, tooMuch],
      [binding('contoso-admins@corp', 'remote_group', { [CONTOSO]: ['tenant_ops'] })],
    );
    const findings = auditNsx(data, tenants, baseline);
    expect(rules(findings)).toEqual(['nsx-role-exceeds-cloudadmin']);
    expect(findings[0]).toMatchObject({
      tenant: 'contoso',
      principal: 'contoso-admins@corp',
      severity: 'high',
    });
    // Tier-0 only: Tier-1 is within cloudadmin, the internal feature is ignored by NSX.
    expect(findings[0]?.details?.[0]).toBe(
      'feature Tier-0 Gateways (policy_t0): crud, cloudadmin allows read',
    );
    expect(findings[0]?.details).toHaveLength(2);
  });

  it('fires for an unbound custom role too', () => {
    const findings = auditNsx(nsxData([CLOUDADMIN, tooMuch]), tenants, baseline);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'nsx-role-exceeds-cloudadmin',
        tenant: NSX_NO_TENANT,
        principal: '',
      }),
    ]);
  });

  it('counts execute above read', () => {
    const exec = role('ops', 'Ops', { policy_t0: 'execute' });
    expect(rules(auditNsx(nsxData([CLOUDADMIN, exec]), tenants, baseline))).toEqual([
      'nsx-role-exceeds-cloudadmin',
    ]);
  });

  it('ignores custom roles within cloudadmin and predefined roles above it', () => {
    const fine = role('tenant_ro', 'Tenant read-only', {
      policy_t0: 'read',
      policy_segment: 'crud',
    });
    expect(auditNsx(nsxData([CLOUDADMIN, NETWORK_ADMIN, fine]), tenants, baseline)).toEqual([]);
  });

  it('finds cloudadmin by display name: a renamed id does not make it a custom role', () => {
    const ca = { ...CLOUDADMIN, id: 'avs_cloudadmin_v2', systemOwned: false };
    expect(auditNsx(nsxData([ca]), tenants, baseline)).toEqual([]);
  });
});

describe('nsx-cross-tenant-binding', () => {
  it("fires when a tenant's principal is bound on another tenant's path", () => {
    const data = nsxData(
      [CLOUDADMIN],
      [
        binding('JDoe@Contoso', 'remote_user', {
          [CONTOSO]: ['vpn_admin'],
          [`${FABRIKAM}/infra`]: ['auditor'],
        }),
      ],
    );
    const findings = auditNsx(data, tenants, baseline);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'nsx-cross-tenant-binding',
      severity: 'critical',
      tenant: 'contoso',
      principal: 'JDoe@Contoso',
    });
    expect(findings[0]?.details).toContain(
      `other tenants' paths reached: ${FABRIKAM} (tenant fabrikam)`,
    );
  });

  it('fires when a tenant principal is bound on "/", which reaches every tenant', () => {
    const data = nsxData(
      [CLOUDADMIN],
      [binding('contoso-admins@corp', 'remote_group', { '/': ['auditor'] })],
    );
    expect(auditNsx(data, tenants, baseline)).toEqual([
      expect.objectContaining({ rule: 'nsx-cross-tenant-binding', tenant: 'contoso' }),
    ]);
  });

  it('fires for each tenant when two tenants name the same principal', () => {
    const shared: NsxTenant[] = [
      ...tenants,
      { tenant: 'northwind', nsx: { principals: ['CONTOSO-ADMINS@corp'], paths: [] } },
    ];
    const findings = auditNsx(nsxData([CLOUDADMIN]), shared, baseline);
    expect(findings.map((f) => [f.rule, f.tenant])).toEqual([
      ['nsx-cross-tenant-binding', 'contoso'],
      ['nsx-cross-tenant-binding', 'northwind'],
    ]);
  });

  it('does not fire for principals bound on their own paths only', () => {
    const data = nsxData(
      [CLOUDADMIN, LB_ADMIN],
      [
        binding('contoso-admins@corp', 'remote_group', { [CONTOSO]: ['lb_admin'] }),
        binding('fabrikam-ops@corp', 'remote_group', { [`${FABRIKAM}/`]: ['auditor'] }),
      ],
    );
    expect(auditNsx(data, tenants, baseline)).toEqual([]);
  });
});

describe('pathsOverlap', () => {
  it('is true for equal, nested and root paths, and false for siblings with a common prefix', () => {
    expect(pathsOverlap('/a/b', '/a/b/')).toBe(true);
    expect(pathsOverlap('/a/b/c', '/a/b')).toBe(true);
    expect(pathsOverlap('/', '/a/b')).toBe(true);
    expect(pathsOverlap('/a/bc', '/a/b')).toBe(false);
  });
});

it('orders findings by severity, then rule, tenant and principal', () => {
  const data = nsxData(
    [CLOUDADMIN, NETWORK_ADMIN, role('x', 'X', { policy_t0: 'crud' })],
    [
      binding('fabrikam-ops@corp', 'remote_group', { [FABRIKAM]: ['network_engineer'] }),
      binding('jdoe@contoso', 'remote_user', { [FABRIKAM]: ['x'] }),
    ],
  );
  expect(rules(auditNsx(data, tenants, baseline))).toEqual([
    'nsx-cross-tenant-binding',
    'nsx-role-exceeds-cloudadmin',
    'nsx-unsupported-role',
  ]);
});
