/**
 * The role versus the AVS CloudAdmin role. On Azure VMware Solution, cloudadmin can
 * create a role with privileges CloudAdmin lacks, but cannot assign it to anyone or
 * delete it (Azure VMware Solution documentation, "Create custom roles on vCenter Server").
 * These pure functions
 * say which privileges cause that, build the AVS-assignable variant, and give the
 * audit workbook its "Role vs CloudAdmin" rows.
 */
import { isImplicitPrivilege, significantPrivileges } from '../model/privileges';
import type { Privilege, Role } from '../model/snapshot';
import {
  catalogueFromPolicies,
  resolveBaselinePrivileges,
  resolveRolePrivileges,
  type LoadedBaselinePolicy,
  type ResolvedPrivilege,
  type ResolvedRole,
} from './role-policy';
import type { BaselinePolicy, RolePolicy } from './schemas';
import { DEFAULT_FAILBACK_ROLE } from './tenant-resolve';
import type { YamlSource } from './yaml-file';

/** The AVS CloudAdmin role's name when no baseline policy names it. */
export const CLOUDADMIN_ROLE = 'CloudAdmin';

export interface ResolvedCloudAdmin {
  roleName: string;
  privileges: string[];
  /** `server`: the server's own role; `documented`: the baseline policy (Microsoft's list). */
  from: 'server' | 'documented';
  /** The server role's id, when from the server. */
  roleId?: number;
  /** Documented entries the catalogue does not define (left out, with the reason). */
  skipped: { id: string; reason: string }[];
}

/**
 * AVS CloudAdmin's privileges, with one precedence for every command (`role plan|apply --avs`,
 * `tenant drift`, `audit`, `compare cloudadmin --snapshot`): the server's own CloudAdmin role
 * when the server has one (AVS changes the role between releases, and the server's role is
 * what decides whether cloudadmin can assign a role); otherwise the documented list of the
 * baseline policy (README "Policy files"), resolved against the server's privilege catalogue
 * (documented IDs the catalogue does not define are skipped with a note; without a catalogue,
 * the baseline's own IDs). Undefined when the server has no such role and no baseline is given.
 */
export function resolveCloudAdmin(input: {
  roles: readonly Role[];
  catalogue: readonly Privilege[];
  baseline?: Pick<LoadedBaselinePolicy, 'policy'> & Partial<Pick<LoadedBaselinePolicy, 'source'>>;
}): ResolvedCloudAdmin | undefined {
  const roleName = input.baseline?.policy.name ?? CLOUDADMIN_ROLE;
  const live = input.roles.find((r) => r.name === roleName);
  if (live) {
    return { roleName, privileges: live.privileges, from: 'server', roleId: live.id, skipped: [] };
  }
  if (!input.baseline) return undefined;
  const { policy, source } = input.baseline;
  const catalogue = input.catalogue.length > 0 ? input.catalogue : catalogueFromPolicies(policy);
  const documented = resolveBaselinePrivileges(policy, catalogue, source);
  return {
    roleName,
    privileges: documented.privileges,
    from: 'documented',
    skipped: documented.skipped,
  };
}

export interface CloudAdminGap {
  /** In the role, not in CloudAdmin: the role cannot be assigned on AVS while it holds these. */
  beyondCloudAdmin: string[];
  /** In CloudAdmin, not in the role (informational: the role needs less). */
  cloudAdminOnly: string[];
  /** In both. */
  shared: string[];
}

/** Set difference both ways; System.Anonymous/View/Read are implicit in every role and ignored. */
export function cloudAdminGap(
  rolePrivileges: readonly string[],
  cloudAdminPrivileges: readonly string[],
): CloudAdminGap {
  const role = significantPrivileges(rolePrivileges);
  const cloudAdmin = significantPrivileges(cloudAdminPrivileges);
  const inCloudAdmin = new Set(cloudAdmin);
  const inRole = new Set(role);
  return {
    beyondCloudAdmin: role.filter((id) => !inCloudAdmin.has(id)),
    cloudAdminOnly: cloudAdmin.filter((id) => !inRole.has(id)),
    shared: role.filter((id) => inCloudAdmin.has(id)),
  };
}

export interface DroppedCapability {
  id: string;
  label: string;
  /** What the role loses with it (the policy's purpose), when the policy says. */
  purpose?: string;
}

export interface AvsVariant {
  name: string;
  privileges: string[];
  dropped: DroppedCapability[];
}

/**
 * The AVS-assignable variant: the role minus every privilege CloudAdmin lacks, with
 * what each dropped privilege was for, so the partner knows exactly what stops working.
 */
export function avsVariant(
  name: string,
  role: readonly ResolvedPrivilege[],
  cloudAdminPrivileges: readonly string[],
): AvsVariant {
  const cloudAdmin = new Set(cloudAdminPrivileges);
  const keep = role.filter((p) => isImplicitPrivilege(p.id) || cloudAdmin.has(p.id));
  const dropped = role
    .filter((p) => !isImplicitPrivilege(p.id) && !cloudAdmin.has(p.id))
    .map((p) => ({
      id: p.id,
      label: p.label,
      ...(p.purpose !== undefined ? { purpose: p.purpose } : {}),
    }));
  return { name, privileges: keep.map((p) => p.id).sort(), dropped };
}

export interface DocumentedVsLive {
  /** Microsoft documents these for CloudAdmin; the live role lacks them. */
  documentedOnly: string[];
  /** The live role has these; Microsoft's list does not. */
  liveOnly: string[];
}

/** Where the live CloudAdmin role departs from Microsoft's documented list (AVS changes it per release). */
export function documentedVsLive(
  documented: readonly string[],
  live: readonly string[],
): DocumentedVsLive {
  const gap = cloudAdminGap(documented, live);
  return { documentedOnly: gap.beyondCloudAdmin, liveOnly: gap.cloudAdminOnly };
}

export interface RoleVsCloudAdminRow {
  privilege: string;
  label: string;
  inRole: boolean;
  inCloudAdmin: boolean;
  note: string;
}

export interface RoleVsCloudAdminInput {
  rolePrivileges: readonly string[];
  cloudAdminPrivileges: readonly string[];
  /** Display names by ID (policy labels, catalogue labels); the ID is shown when absent. */
  labels?: ReadonlyMap<string, string>;
  /** What the role needs each privilege for; added to the note of the gaps. */
  purposes?: ReadonlyMap<string, string>;
  /** Name of the role, for the notes. Default DEFAULT_FAILBACK_ROLE (Azure_Site_Recovery). */
  roleName?: string;
}

/**
 * One row per privilege in either role, for the workbook sheet "Role vs CloudAdmin":
 * the gaps first (they are why the role cannot be assigned on AVS), then the shared
 * privileges, then those only CloudAdmin has; alphabetical within each group.
 */
export function roleVsCloudAdminRows(input: RoleVsCloudAdminInput): RoleVsCloudAdminRow[] {
  const roleName = input.roleName ?? DEFAULT_FAILBACK_ROLE;
  const gap = cloudAdminGap(input.rolePrivileges, input.cloudAdminPrivileges);
  const label = (id: string) => input.labels?.get(id) ?? id;
  const rows: RoleVsCloudAdminRow[] = [];
  for (const id of gap.beyondCloudAdmin) {
    const purpose = input.purposes?.get(id);
    rows.push({
      privilege: id,
      label: label(id),
      inRole: true,
      inCloudAdmin: false,
      note:
        `CloudAdmin lacks it: on AVS, ${roleName} cannot be assigned or deleted by cloudadmin while it holds this privilege` +
        (purpose ? `; dropping it loses: ${purpose}` : ''),
    });
  }
  for (const id of gap.shared) {
    rows.push({ privilege: id, label: label(id), inRole: true, inCloudAdmin: true, note: '' });
  }
  for (const id of gap.cloudAdminOnly) {
    rows.push({
      privilege: id,
      label: label(id),
      inRole: false,
      inCloudAdmin: true,
      note: `not needed by ${roleName}`,
    });
  }
  return rows;
}

export interface CloudAdminComparisonInput {
  role: RolePolicy;
  roleSource?: YamlSource;
  /** Microsoft's documented list. */
  baseline: BaselinePolicy;
  baselineSource?: YamlSource;
  /** The privilege catalogue the role's wildcards and version-dependent entries resolve against. */
  catalogue: readonly Privilege[];
  /** The CloudAdmin role as a server has it (live or from a snapshot), when available. */
  serverCloudAdmin?: readonly string[];
}

export interface PrivilegeLine {
  id: string;
  label: string;
  purpose?: string;
}

export interface CloudAdminComparison {
  /** Which CloudAdmin list the role was compared with. */
  cloudAdminFrom: 'server' | 'documented';
  role: Pick<ResolvedRole, 'expanded' | 'skipped'>;
  /** In the role, not in CloudAdmin: on AVS the role cannot be assigned or deleted by cloudadmin. */
  beyondCloudAdmin: PrivilegeLine[];
  /** In CloudAdmin, not in the role. */
  cloudAdminOnly: PrivilegeLine[];
  /** Only with a server's CloudAdmin: where it departs from the documented list. */
  documentedVsServer?: { documentedOnly: PrivilegeLine[]; serverOnly: PrivilegeLine[] };
  /** Documented entries the catalogue does not define: skipped, with the reason. */
  baselineSkipped: { id: string; reason: string }[];
  rows: RoleVsCloudAdminRow[];
}

/**
 * The whole comparison of `drperm compare cloudadmin`, from data already loaded: the
 * server's CloudAdmin role when there is one, else Microsoft's documented list.
 */
export function compareWithCloudAdmin(input: CloudAdminComparisonInput): CloudAdminComparison {
  const role = resolveRolePrivileges(input.role, input.catalogue, input.roleSource);
  const documented = resolveBaselinePrivileges(
    input.baseline,
    input.catalogue,
    input.baselineSource,
  );
  const cloudAdmin = input.serverCloudAdmin ?? documented.privileges;
  const gap = cloudAdminGap(role.privileges, cloudAdmin);

  const labels = new Map<string, string>();
  for (const p of input.catalogue) if (p.label) labels.set(p.id, p.label);
  for (const d of documented.details) labels.set(d.id, d.label);
  for (const d of role.details) labels.set(d.id, d.label);
  const purposes = new Map<string, string>();
  for (const d of role.details) if (d.purpose) purposes.set(d.id, d.purpose);
  const line = (id: string): PrivilegeLine => ({
    id,
    label: labels.get(id) ?? id,
    ...(purposes.has(id) ? { purpose: purposes.get(id)! } : {}),
  });

  const result: CloudAdminComparison = {
    cloudAdminFrom: input.serverCloudAdmin ? 'server' : 'documented',
    role: { expanded: role.expanded, skipped: role.skipped },
    beyondCloudAdmin: gap.beyondCloudAdmin.map(line),
    cloudAdminOnly: gap.cloudAdminOnly.map(line),
    baselineSkipped: documented.skipped,
    rows: roleVsCloudAdminRows({
      rolePrivileges: role.privileges,
      cloudAdminPrivileges: cloudAdmin,
      labels,
      purposes,
      roleName: input.role.name,
    }),
  };
  if (input.serverCloudAdmin) {
    const diff = documentedVsLive(documented.privileges, input.serverCloudAdmin);
    result.documentedVsServer = {
      documentedOnly: diff.documentedOnly.map(line),
      serverOnly: diff.liveOnly.map(line),
    };
  }
  return result;
}
