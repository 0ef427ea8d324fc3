/**
 * The role versus the AVS CloudAdmin role. On Azure VMware Solution, cloudadmin can
 * create a role with privileges CloudAdmin lacks, but cannot assign it to anyone or
 * delete it (seed 003, "Create custom roles on vCenter Server"). These pure functions
 * say which privileges cause that, build the AVS-assignable variant, and give the
 * audit workbook its "Role vs CloudAdmin" rows.
 */
import { isImplicitPrivilege, significantPrivileges, type ResolvedPrivilege } from './role-policy';

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
  /** Name of the role, for the notes. Default Azure_Site_Recovery. */
  roleName?: string;
}

/**
 * One row per privilege in either role, for the workbook sheet "Role vs CloudAdmin":
 * the gaps first (they are why the role cannot be assigned on AVS), then the shared
 * privileges, then those only CloudAdmin has; alphabetical within each group.
 */
export function roleVsCloudAdminRows(input: RoleVsCloudAdminInput): RoleVsCloudAdminRow[] {
  const roleName = input.roleName ?? 'Azure_Site_Recovery';
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
