import {
  loadNsxBaseline,
  resolveNsxBaseline,
  type NsxBaselinePolicy,
} from '../../../src/policy/nsx-baseline';
import {
  buildAvsCustomRole,
  describeNsxRoleChange,
  diffNsxRole,
  excessOverCloudadmin,
  recipeFor,
  roleWithFeaturesBody,
} from '../../../src/nsx/custom-roles';
import { InputError } from '../../../src/util/errors';
import { CLOUDADMIN, FEATURES, NETWORK_ADMIN, nsxData, role } from './data';

let policy: NsxBaselinePolicy;
beforeAll(async () => {
  policy = await loadNsxBaseline();
});
const names = new Map(FEATURES.map((f) => [f.id, f.name]));

describe('buildAvsCustomRole avs-network-admin', () => {
  it("clones Network Admin and lowers seed 003's features", () => {
    const data = nsxData([CLOUDADMIN, NETWORK_ADMIN]);
    const built = buildAvsCustomRole('avs-network-admin', data, resolveNsxBaseline(data, policy));
    expect(built.role.id).toBe('avs_network_admin');
    expect(built.role.displayName).toBe('AVS Network Admin');
    expect(built.clonedFrom.id).toBe('network_engineer');
    const perm = (id: string) => built.role.features.find((f) => f.feature === id)?.permission;
    expect(perm('policy_t0')).toBe('read');
    expect(perm('policy_t0_ospf')).toBe('none');
    expect(perm('policy_forwarding_policy')).toBe('none');
    expect(perm('policy_t1')).toBe('crud');
    // Internal features are left out: NSX ignores them on PUT.
    expect(built.role.features.some((f) => f.feature === 'internal_corfu')).toBe(false);
    expect(built.lowered.map((l) => `${l.feature}:${l.from}->${l.to}`)).toEqual([
      'policy_t0:crud->read',
      'policy_t0_ospf:crud->none',
      'policy_forwarding_policy:crud->none',
    ]);
    expect(excessOverCloudadmin(built.role, data, resolveNsxBaseline(data, policy))).toEqual([]);
  });

  it('never raises a permission the clone holds lower', () => {
    const weakAdmin = role(
      'network_engineer',
      'Network Admin',
      { policy_t0: 'none' },
      { systemOwned: true },
    );
    const data = nsxData([CLOUDADMIN, weakAdmin]);
    const built = buildAvsCustomRole('avs-network-admin', data, resolveNsxBaseline(data, policy));
    expect(built.role.features.find((f) => f.feature === 'policy_t0')?.permission).toBe('none');
  });

  it('refuses when the manager has no role to clone', () => {
    const data = nsxData([CLOUDADMIN, NETWORK_ADMIN]);
    expect(() =>
      buildAvsCustomRole('avs-security-admin', data, resolveNsxBaseline(data, policy)),
    ).toThrow(/no role security_engineer or Security Admin to clone/);
  });

  it('reports recipe rows this manager has no feature for', () => {
    const secAdmin = role(
      'security_engineer',
      'Security Admin',
      { policy_dfw: 'crud' },
      { rest: 'read', systemOwned: true },
    );
    const data = nsxData([CLOUDADMIN, secAdmin]);
    const built = buildAvsCustomRole('avs-security-admin', data, resolveNsxBaseline(data, policy));
    expect(built.unmatchedRows.map((r) => r.feature)).toEqual([
      'Endpoint Protection',
      'Service Profiles',
    ]);
  });

  it('finds the role to clone by display name when the id differs', () => {
    const renamed = { ...NETWORK_ADMIN, id: 'net_admin_v2' };
    const data = nsxData([CLOUDADMIN, renamed]);
    expect(
      buildAvsCustomRole('avs-network-admin', data, resolveNsxBaseline(data, policy)).clonedFrom.id,
    ).toBe('net_admin_v2');
  });

  it('shows what exceeds a stricter cloudadmin', () => {
    const strict = role(
      'cloud_admin',
      'cloudadmin',
      { policy_t1: 'read' },
      { rest: 'read', systemOwned: true },
    );
    const data = nsxData([strict, NETWORK_ADMIN]);
    const b = resolveNsxBaseline(data, policy);
    const excess = excessOverCloudadmin(
      buildAvsCustomRole('avs-network-admin', data, b).role,
      data,
      b,
    );
    expect(excess.map((e) => e.feature)).toEqual(['policy_t1', 'policy_segment']);
  });
});

describe('recipeFor', () => {
  it('refuses an unknown name with the nearest one as a hint', () => {
    expect(() => recipeFor(policy, 'avs-netwrk-admin')).toThrow(InputError);
    try {
      recipeFor(policy, 'avs-netwrk-admin');
    } catch (err) {
      expect((err as InputError).hint).toContain('did you mean avs-network-admin');
    }
  });
});

describe('diffNsxRole', () => {
  const data = nsxData([CLOUDADMIN, NETWORK_ADMIN]);
  const build = () =>
    buildAvsCustomRole('avs-network-admin', data, resolveNsxBaseline(data, policy));

  it('plans a creation when the role does not exist', () => {
    const built = build();
    const change = diffNsxRole(undefined, built.role, names);
    expect(change.action).toBe('create');
    expect(describeNsxRoleChange(change, built)[0]).toContain(
      '+ create NSX role avs_network_admin',
    );
  });

  it('plans nothing when the manager already has the role as built (internal features aside)', () => {
    const built = build();
    const existing = {
      ...role('avs_network_admin', 'AVS Network Admin', {}, { revision: 3 }),
      description: built.role.description!,
      features: [
        ...built.role.features,
        { feature: 'internal_corfu', permission: 'crud' as const, internal: true },
      ],
    };
    const change = diffNsxRole(existing, built.role, names);
    expect(change.action).toBe('none');
    expect(describeNsxRoleChange(change, built)).toEqual([
      'NSX role avs_network_admin is up to date: nothing to change.',
    ]);
  });

  it('lists changed features of an existing role and sends its revision', () => {
    const built = build();
    const existing = role(
      'avs_network_admin',
      'AVS Network Admin',
      { policy_t0: 'crud' },
      { revision: 7 },
    );
    const change = diffNsxRole(existing, built.role, names);
    expect(change.action).toBe('update');
    expect(change.features.find((f) => f.feature === 'policy_t0')).toEqual({
      feature: 'policy_t0',
      featureName: 'Tier-0 Gateways',
      from: 'crud',
      to: 'read',
    });
    expect(roleWithFeaturesBody(built.role, existing)).toMatchObject({
      _revision: 7,
      role: 'avs_network_admin',
    });
    expect(roleWithFeaturesBody(built.role, undefined)).not.toHaveProperty('_revision');
  });
});
