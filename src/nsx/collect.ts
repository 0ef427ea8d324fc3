/**
 * Reads the NSX RBAC state into drperm's model: the feature catalogue, every role with its
 * complete feature matrix, and every role binding. Wire shapes as the NSX-T Manager API
 * reference documents them (AAA: /policy/api/v1/aaa/features-with-properties, roles, role-bindings).
 */
import type {
  NsxBinding,
  NsxData,
  NsxFeature,
  NsxFeaturePermission,
  NsxPermission,
  NsxRole,
} from '../model/nsx';
import { NSX_PERMISSIONS } from '../model/nsx';
import { ServerError } from '../util/errors';
import type { Logger } from '../util/log';
import type { NsxClient } from './client';

export const AAA = '/policy/api/v1/aaa';

/** FeaturePermission as NSX sends it. */
export interface WireFeaturePermission {
  feature: string;
  feature_name?: string;
  feature_description?: string;
  permission: string;
  is_internal?: boolean;
}

/** RoleWithFeatures as NSX sends it. */
export interface WireRole {
  id?: string;
  role: string;
  display_name?: string;
  role_display_name?: string;
  description?: string;
  _revision?: number;
  _system_owned?: boolean;
  features?: WireFeaturePermission[];
}

/** RoleBinding as NSX sends it. */
export interface WireBinding {
  id?: string;
  name: string;
  type: string;
  identity_source_type?: string;
  identity_source_id?: string;
  roles?: { role: string }[];
  roles_for_paths?: { path?: string | null; roles?: { role: string }[] }[];
}

function toPermission(p: string, where: string): NsxPermission {
  const lower = p.toLowerCase();
  if ((NSX_PERMISSIONS as readonly string[]).includes(lower)) return lower as NsxPermission;
  throw new ServerError(`NSX Manager returned unknown permission "${p}" for ${where}`);
}

export function featureFromWire(w: WireFeaturePermission): NsxFeature {
  return {
    id: w.feature,
    name: w.feature_name ?? '',
    ...(w.feature_description ? { description: w.feature_description } : {}),
    internal: w.is_internal === true,
  };
}

export function roleFromWire(w: WireRole, internalIds: ReadonlySet<string>): NsxRole {
  const features: NsxFeaturePermission[] = (w.features ?? []).map((f) => ({
    feature: f.feature,
    permission: toPermission(f.permission, `${w.role} / ${f.feature}`),
    internal: f.is_internal === true || internalIds.has(f.feature),
  }));
  return {
    id: w.role,
    displayName: w.display_name ?? w.role_display_name ?? w.role,
    ...(w.description ? { description: w.description } : {}),
    systemOwned: w._system_owned === true,
    ...(typeof w._revision === 'number' ? { revision: w._revision } : {}),
    features,
  };
}

export function bindingFromWire(w: WireBinding): NsxBinding {
  // roles_for_paths is the 4.x form; older managers only give the deprecated roles (meaning "/").
  const rolesForPaths = w.roles_for_paths
    ? w.roles_for_paths.map((rp) => ({
        path: rp.path || '/',
        roles: (rp.roles ?? []).map((r) => r.role),
      }))
    : [{ path: '/', roles: (w.roles ?? []).map((r) => r.role) }];
  return {
    id: w.id ?? '',
    name: w.name,
    type: w.type,
    ...(w.identity_source_type ? { identitySourceType: w.identity_source_type } : {}),
    ...(w.identity_source_id ? { identitySourceId: w.identity_source_id } : {}),
    rolesForPaths,
  };
}

export async function collectNsx(
  client: NsxClient,
  username: string,
  log: Logger,
): Promise<NsxData> {
  const warnings: string[] = [];
  const features = (
    await client.list<WireFeaturePermission>(`${AAA}/features-with-properties`)
  ).map(featureFromWire);
  log.info(`NSX: ${features.length} features`);
  const internalIds = new Set(features.filter((f) => f.internal).map((f) => f.id));

  const roles = (await readRoles(client, log)).map((r) => roleFromWire(r, internalIds));
  log.info(`NSX: ${roles.length} roles`);
  const bindings = (await client.list<WireBinding>(`${AAA}/role-bindings`)).map(bindingFromWire);
  log.info(`NSX: ${bindings.length} role bindings`);
  const roleIds = new Set(roles.map((r) => r.id));
  for (const b of bindings) {
    for (const rp of b.rolesForPaths) {
      for (const id of rp.roles.filter((r) => !roleIds.has(r))) {
        // The audit cannot judge a role it has no matrix for; say so rather than pass it silently.
        warnings.push(
          `binding ${b.name} has role ${id} on ${rp.path}, which the manager did not list`,
        );
      }
    }
  }
  for (const w of warnings) log.warn(w);

  let version: string | undefined;
  try {
    version = (await client.get<{ product_version?: string }>('/api/v1/node/version'))
      .product_version;
  } catch (err) {
    // cloudadmin may not read node details; the version is only informative.
    log.debug(`NSX version not read: ${(err as Error).message}`);
  }
  return {
    manager: { url: client.url, username, ...(version ? { version } : {}) },
    collectedAt: new Date().toISOString(),
    features,
    roles,
    bindings,
    warnings,
  };
}

/** All roles with matrices in one paged call; per-role GETs on managers without it. */
async function readRoles(client: NsxClient, log: Logger): Promise<WireRole[]> {
  try {
    return await client.list<WireRole>(`${AAA}/roles-with-feature-permissions`);
  } catch (err) {
    if (!(err instanceof ServerError) || !/HTTP 404/.test(err.message)) throw err;
    log.info('NSX Manager has no roles-with-feature-permissions; reading roles one by one');
  }
  const list = await client.list<{ role: string }>(`${AAA}/roles`);
  const out: WireRole[] = [];
  for (const r of list)
    out.push(await client.get<WireRole>(`${AAA}/roles/${encodeURIComponent(r.role)}`));
  return out;
}

/** The REST path of one NSX role (GET to read it, PUT to create or replace it). */
export function rolePath(roleId: string): string {
  return `${AAA}/roles/${encodeURIComponent(roleId)}`;
}
