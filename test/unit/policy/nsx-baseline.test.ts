import {
  findCloudadminRole,
  loadNsxBaseline,
  matchFeatureRow,
  resolveNsxBaseline,
  type NsxBaselinePolicy,
} from '../../../src/policy/nsx-baseline';
import { CLOUDADMIN, FEATURES, NETWORK_ADMIN, nsxData, role } from '../nsx/data';

let shipped: NsxBaselinePolicy;
beforeAll(async () => {
  shipped = await loadNsxBaseline();
});

describe('the shipped AVS NSX baseline (seed 003)', () => {
  it("holds seed 003's role lists", () => {
    expect(shipped.unsupportedRoles.sort()).toEqual(
      [
        'enterprise_admin',
        'gi_partner_admin',
        'netx_partner_admin',
        'network_engineer',
        'security_engineer',
      ].sort(),
    );
    expect(shipped.supportedRoles.sort()).toEqual(
      ['auditor', 'lb_admin', 'lb_auditor', 'network_op', 'vpn_admin'].sort(),
    );
  });

  it("holds seed 003's cloudadmin table, e.g. Tier-0 read-only and Segments full access", () => {
    const row = (name: string) => shipped.features.find((r) => r.feature === name);
    expect(row('Tier-0 Gateways')?.permission).toBe('read');
    expect(row('Segments')?.permission).toBe('crud');
    expect(row('Forwarding Policy')?.permission).toBe('read');
    expect(row('Network Introspection')?.permission).toBe('read');
    expect(shipped.features).toHaveLength(28);
  });

  it('holds both AVS custom role recipes', () => {
    expect(Object.keys(shipped.customRoles).sort()).toEqual([
      'avs-network-admin',
      'avs-security-admin',
    ]);
    expect(shipped.customRoles['avs-network-admin']?.cloneFrom.ids).toEqual(['network_engineer']);
    expect(shipped.customRoles['avs-security-admin']?.lower.map((r) => r.permission)).toEqual([
      'none',
      'none',
      'none',
      'none',
    ]);
  });
});

describe('matchFeatureRow', () => {
  const features = [
    ...FEATURES,
    { id: 'x_sec_settings', name: 'Security Settings', internal: false },
    { id: 'x_ui', name: 'User Interface Settings', internal: false },
    { id: 'x_idfw', name: 'Identity Firewall', internal: false },
    { id: 'x_idfw_ad', name: 'Identity Firewall AD Configuration', internal: false },
  ];
  const ids = (row: Parameters<typeof matchFeatureRow>[0]) =>
    matchFeatureRow(row, features).map((f) => f.id);

  it('prefers verified ids over names', () => {
    expect(
      ids({ category: 'c', feature: 'Something else', permission: 'read', ids: ['policy_t1'] }),
    ).toEqual(['policy_t1']);
  });

  it('falls back to the name when no verified id exists on the manager', () => {
    expect(ids({ category: 'c', feature: 'Segments', permission: 'crud', ids: ['gone'] })).toEqual([
      'policy_segment',
    ]);
  });

  it('matches names exactly (case-insensitive) before partial matches', () => {
    expect(ids({ category: 'c', feature: 'tier-0 gateways', permission: 'read' })).toEqual([
      'policy_t0',
    ]);
  });

  it('tries the alternative names first, so "Identity firewall" of System is the AD configuration', () => {
    expect(
      ids({
        category: 'System',
        feature: 'Identity firewall',
        permission: 'crud',
        names: ['Identity Firewall AD Configuration'],
      }),
    ).toEqual(['x_idfw_ad']);
    expect(ids({ category: 'Security', feature: 'Identity Firewall', permission: 'crud' })).toEqual(
      ['x_idfw'],
    );
  });

  it('matches whole words only', () => {
    expect(ids({ category: 'c', feature: 'Firewall', permission: 'crud' })).toEqual([
      'policy_dfw',
      'x_idfw',
      'x_idfw_ad',
    ]);
    expect(ids({ category: 'c', feature: 'Fire', permission: 'crud' })).toEqual([]);
  });

  it('never matches internal features', () => {
    expect(
      ids({ category: 'c', feature: 'Corfu', permission: 'crud', ids: ['internal_corfu'] }),
    ).toEqual([]);
  });
});

describe('findCloudadminRole', () => {
  it('finds the role by display name whatever its id, ignoring case and spaces', () => {
    const renamed = role('avs_managed_42', 'Cloud Admin', {}, { systemOwned: true });
    expect(findCloudadminRole([NETWORK_ADMIN, renamed], shipped)?.id).toBe('avs_managed_42');
  });

  it('falls back to the id cloud_admin', () => {
    const oddName = role('cloud_admin', 'AVS administrators', {});
    expect(findCloudadminRole([NETWORK_ADMIN, oddName], shipped)?.id).toBe('cloud_admin');
  });

  it('is undefined when there is none', () => {
    expect(findCloudadminRole([NETWORK_ADMIN], shipped)).toBeUndefined();
  });
});

describe('resolveNsxBaseline', () => {
  it("takes the limits from the manager's cloudadmin role", () => {
    const b = resolveNsxBaseline(nsxData([CLOUDADMIN, NETWORK_ADMIN]), shipped);
    expect(b.limitSource).toBe('server-role');
    expect(b.limits.get('policy_t0')).toBe('read');
    expect(b.limits.get('policy_segment')).toBe('crud');
  });

  it('reports every table row that matches no feature on the manager', () => {
    const b = resolveNsxBaseline(nsxData([CLOUDADMIN]), shipped);
    const unmatched = b.unmatchedRows.map((r) => r.feature);
    expect(unmatched).toContain('Load Balancing');
    expect(unmatched).not.toContain('Tier-0 Gateways');
    expect(b.notes.filter((n) => n.includes('matches no feature'))).toHaveLength(unmatched.length);
  });

  it("notes where the manager's cloudadmin differs from seed 003", () => {
    const generous = role(
      'cloud_admin',
      'cloudadmin',
      { policy_t0: 'crud', policy_t1: 'crud' },
      { rest: 'read' },
    );
    const b = resolveNsxBaseline(nsxData([generous]), shipped);
    expect(
      b.notes.some(
        (n) => n.includes('Tier-0 Gateways (policy_t0)') && n.includes('more than documented'),
      ),
    ).toBe(true);
  });

  it("uses seed 003's table, with 'all other: read', when the manager has no cloudadmin", () => {
    const b = resolveNsxBaseline(nsxData([NETWORK_ADMIN]), shipped);
    expect(b.limitSource).toBe('documented-table');
    expect(b.limits.get('policy_t0')).toBe('read');
    expect(b.limits.get('policy_t1')).toBe('crud');
    expect(b.limits.get('transport_nodes')).toBe('read');
    expect(b.limits.has('internal_corfu')).toBe(false);
  });

  it('classifies roles', () => {
    const custom = role('tenant_ops', 'Tenant Ops', {});
    const b = resolveNsxBaseline(nsxData([CLOUDADMIN, NETWORK_ADMIN, custom]), shipped);
    expect(b.kindOf('cloud_admin')).toBe('cloudadmin');
    expect(b.kindOf('network_engineer')).toBe('unsupported');
    expect(b.kindOf('lb_admin')).toBe('supported');
    expect(b.kindOf('security_op')).toBe('predefined');
    expect(b.kindOf('tenant_ops')).toBe('custom');
    expect(b.kindOf('nowhere')).toBe('unknown');
  });
});
