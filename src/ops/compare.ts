/**
 * `compare cloudadmin`: the role policy against AVS CloudAdmin, with the privilege catalogue
 * and CloudAdmin role of a live server or a snapshot, or offline from the policy files alone.
 */
import type { Privilege, Role } from '../model/snapshot';
import type { Snapshot } from '../model/snapshot';
import {
  compareWithCloudAdmin,
  resolveCloudAdmin,
  type CloudAdminComparison,
} from '../policy/cloudadmin';
import {
  catalogueFromPolicies,
  defaultBaselinePolicyPath,
  defaultRolePolicyPath,
  loadBaselinePolicy,
  loadRolePolicy,
  type LoadedBaselinePolicy,
  type LoadedRolePolicy,
} from '../policy/role-policy';
import { InputError } from '../util/errors';
import type { VimClient } from '../vsphere/client';
import { readPrivilegeCatalogue, readRoles, type PrivilegeCatalogue } from '../vsphere/roles';
import { readSnapshot } from '../model/snapshot-file';
import { info, type Emit } from './events';

/** Where the data of one comparison came from, shown with the result. */
export interface ComparisonSources {
  roleFile: string;
  baselineFile: string;
  /** The privilege catalogue the role's wildcards expanded against. */
  catalogue: string;
  /** The CloudAdmin role compared with. */
  cloudAdmin: string;
}

/** The server data of a comparison: nothing (offline), a live server's, or a snapshot's. */
export type ComparisonServer =
  | { kind: 'none' }
  | { kind: 'live'; roles: Role[]; catalogue: PrivilegeCatalogue }
  | { kind: 'snapshot'; snapshot: Snapshot; path: string };

/** A live server's roles and privilege catalogue. */
export async function liveComparisonServer(client: VimClient): Promise<ComparisonServer> {
  const roles = await readRoles(client);
  return { kind: 'live', roles, catalogue: await readPrivilegeCatalogue(client, roles) };
}

/** A snapshot's roles and privilege catalogue. */
export async function snapshotComparisonServer(file: string): Promise<ComparisonServer> {
  const { snapshot, path } = await readSnapshot(file);
  return { kind: 'snapshot', snapshot, path };
}

export interface CloudAdminComparisonResult {
  result: CloudAdminComparison;
  sources: ComparisonSources;
  /** The role holds privileges CloudAdmin lacks, or the server's CloudAdmin departs from the documented list. */
  differs: boolean;
}

export interface ComparisonPolicies {
  roleFile: string;
  baselineFile: string;
  role: LoadedRolePolicy;
  baseline: LoadedBaselinePolicy;
}

/** Reads both files (the shipped ones by default) before any server is asked. */
export async function loadComparisonPolicies(files: {
  role?: string;
  baseline?: string;
}): Promise<ComparisonPolicies> {
  const roleFile = files.role ?? defaultRolePolicyPath();
  const baselineFile = files.baseline ?? defaultBaselinePolicyPath();
  return {
    roleFile,
    baselineFile,
    role: await loadRolePolicy(roleFile),
    baseline: await loadBaselinePolicy(baselineFile),
  };
}

export function compareCloudAdmin(
  policies: ComparisonPolicies,
  server: ComparisonServer,
  emit: Emit,
): CloudAdminComparisonResult {
  const { roleFile, baselineFile, role, baseline } = policies;
  const cloudAdminName = baseline.policy.name;
  const sources: ComparisonSources = {
    roleFile,
    baselineFile,
    catalogue: '',
    cloudAdmin: `documented list (${baselineFile})`,
  };

  let catalogue: Privilege[];
  let roles: readonly Role[] = [];
  if (server.kind === 'live') {
    roles = server.roles;
    catalogue = server.catalogue.privileges;
    sources.catalogue = `the connected vCenter (${server.catalogue.source}, ${catalogue.length} privileges)`;
  } else if (server.kind === 'snapshot') {
    const { snapshot, path } = server;
    if (snapshot.privileges.length === 0) {
      throw new InputError(`${path} holds no privilege catalogue`, {
        hint: 'collect the snapshot again with `drperm collect`, or use --live',
      });
    }
    roles = snapshot.roles;
    catalogue = snapshot.privileges;
    sources.catalogue = `snapshot ${path} (${snapshot.vcenter.fullName}, ${catalogue.length} privileges)`;
  } else {
    catalogue = catalogueFromPolicies(role.policy, baseline.policy);
    sources.catalogue =
      "no server catalogue: wildcards expanded from the IDs the role and baseline files name (use --live or --snapshot for a server's own list)";
    info(emit, `note: ${sources.catalogue}`);
  }

  const cloudAdmin = resolveCloudAdmin({ roles, catalogue, baseline });
  const serverRole = cloudAdmin?.from === 'server' ? cloudAdmin : undefined;
  if (server.kind === 'live' && !serverRole) {
    throw new InputError(`the connected vCenter has no role named ${cloudAdminName}`, {
      hint: `it is not an AVS private cloud, or the role has another name; omit --live to compare with Microsoft's documented list`,
    });
  }
  if (serverRole) {
    sources.cloudAdmin =
      server.kind === 'live'
        ? `the connected vCenter's ${cloudAdminName} role (id ${serverRole.roleId})`
        : `the ${cloudAdminName} role in snapshot ${(server as { path: string }).path}`;
  }

  const result = compareWithCloudAdmin({
    role: role.policy,
    roleSource: role.source,
    baseline: baseline.policy,
    baselineSource: baseline.source,
    catalogue,
    ...(serverRole ? { serverCloudAdmin: serverRole.privileges } : {}),
  });
  const differs =
    result.beyondCloudAdmin.length > 0 ||
    (result.documentedVsServer !== undefined &&
      result.documentedVsServer.documentedOnly.length +
        result.documentedVsServer.serverOnly.length >
        0);
  return { result, sources, differs };
}
