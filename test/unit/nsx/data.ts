/** Small, readable NSX data sets for unit tests of the pure NSX engines. */
import type { NsxBinding, NsxData, NsxPermission, NsxRole } from '../../../src/model/nsx';

export const FEATURES = [
  { id: 'policy_t0', name: 'Tier-0 Gateways', internal: false },
  { id: 'policy_t0_ospf', name: 'Tier-0 Gateways > OSPF', internal: false },
  { id: 'policy_t1', name: 'Tier-1 Gateways', internal: false },
  { id: 'policy_segment', name: 'Segments', internal: false },
  { id: 'policy_forwarding_policy', name: 'Forwarding Policy', internal: false },
  { id: 'policy_dfw', name: 'Distributed Firewall', internal: false },
  { id: 'policy_service_insertion', name: 'Network Introspection', internal: false },
  { id: 'transport_nodes', name: 'Transport Nodes', internal: false },
  { id: 'internal_corfu', name: 'Corfu', internal: true },
];

/** A role with every feature of FEATURES: `rest` for those not listed. */
export function role(
  id: string,
  displayName: string,
  permissions: Record<string, NsxPermission>,
  options: { rest?: NsxPermission; systemOwned?: boolean; revision?: number } = {},
): NsxRole {
  return {
    id,
    displayName,
    systemOwned: options.systemOwned ?? false,
    ...(options.revision !== undefined ? { revision: options.revision } : {}),
    features: FEATURES.map((f) => ({
      feature: f.id,
      permission: permissions[f.id] ?? options.rest ?? 'none',
      internal: f.internal,
    })),
  };
}

export const CLOUDADMIN = role(
  'cloud_admin',
  'cloudadmin',
  { policy_t1: 'crud', policy_segment: 'crud', policy_dfw: 'crud' },
  { rest: 'read', systemOwned: true },
);

export const NETWORK_ADMIN = role(
  'network_engineer',
  'Network Admin',
  {
    policy_t0: 'crud',
    policy_t0_ospf: 'crud',
    policy_t1: 'crud',
    policy_segment: 'crud',
    policy_forwarding_policy: 'crud',
    internal_corfu: 'crud',
  },
  { rest: 'read', systemOwned: true },
);

export function binding(
  name: string,
  type: string,
  paths: Record<string, string[]>,
  identitySourceType: string | undefined = 'LDAP',
): NsxBinding {
  return {
    id: `b-${name}`,
    name,
    type,
    ...(identitySourceType ? { identitySourceType } : {}),
    rolesForPaths: Object.entries(paths).map(([path, roles]) => ({ path, roles })),
  };
}

export function nsxData(roles: NsxRole[], bindings: NsxBinding[] = []): NsxData {
  return {
    manager: { url: 'https://nsx.test', username: 'cloudadmin' },
    collectedAt: '2025-01-01T00:00:00.000Z',
    features: FEATURES,
    roles,
    bindings,
    warnings: [],
  };
}
