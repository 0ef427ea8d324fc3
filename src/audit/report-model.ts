/**
 * The audit report: everything the workbook, the JSON file and the Markdown summary
 * show, in one value. The JSON report (src/report/json.ts, README "JSON report format")
 * writes it with roles, privilege sets, entities and permissions referenced by id instead
 * of repeated; consumers rely on field names, so change them only with a new formatVersion.
 */
import type { MembershipSource } from '../model/membership';
import type { NsxWorkbookRow } from '../model/nsx';
import type { VcenterInfo } from '../model/snapshot';
import type { SeenAsTenant } from './seen-as-tenant';
import type { ConfirmStatus, ServerConfirmation } from './server-confirm';
import type {
  EntityRef,
  FindingReview,
  PermissionEvidence,
  Severity,
  TenantSummary,
  TrackedFinding,
} from './types';

export const AUDIT_REPORT_FORMAT = 'drperm-audit';
/**
 * 2: finding ids, leak matrix, input digests; privilege lists, entities and permissions by id.
 * 3: fleet finding ids fingerprint the vCenter (single-vCenter ids unchanged); `nsxManagers`.
 */
export const AUDIT_REPORT_FORMAT_VERSION = 3;

export interface AuditReport {
  /** Always 'drperm-audit'. */
  format: typeof AUDIT_REPORT_FORMAT;
  /** Bumped on any incompatible change of this structure. */
  formatVersion: typeof AUDIT_REPORT_FORMAT_VERSION;
  /** When the audit ran (ISO 8601, UTC). */
  generatedAt: string;
  /** The drperm build that produced the report. */
  tool: { name: 'drperm'; version: string };
  /** What was audited and with which options. */
  scope: AuditScope;
  /** The audited vCenter (from the snapshot), plus its URL without credentials. */
  vcenter: VcenterInfo & { url: string };
  /** The snapshot the audit is based on: auditors can re-run it offline and compare. */
  snapshot: AuditSnapshotInfo;
  /** One row per tenant: verdict and counts. */
  tenants: TenantReportRow[];
  /** Finding counts over all tenants, per severity. */
  totals: Record<Severity, number>;
  /** Every finding, most severe first, each with its stable id. */
  findings: TrackedFinding[];
  /** Per tenant account: how many VMs of each tenant (and of none) it reaches. */
  leakMatrix: LeakMatrix;
  /** One row per tenant principal and entity it reaches (any privilege beyond System.Anonymous). */
  effectiveAccess: EffectiveAccessRow[];
  /** Every permission defined in the vCenter, with the entity path and role name. */
  permissions: PermissionRow[];
  /** Every role with its privileges (vSphere Client labels when the server describes them). */
  roles: RoleRow[];
  /** The tenant role's privileges against AVS CloudAdmin's; empty when no CloudAdmin set is known. */
  roleVsCloudAdmin: RoleVsCloudAdminRow[];
  /** Notes an auditor should read: collection warnings, unresolved policy paths, assumptions. */
  warnings: string[];
  /** NSX Manager RBAC results, when an NSX snapshot was audited too (single-vCenter audits). */
  nsx?: NsxReportSection;
  /** Fleet audits: every NSX Manager of the estate, audited (with its rows) or failed. */
  nsxManagers?: FleetNsxReportSection[];
  /** SHA-256 of every input file the verdict rests on (snapshot, policies, membership, NSX). */
  inputs: InputDigest[];
  /** The command that produced the report, secrets removed; absent when not run from the CLI. */
  commandLine?: string;
  /** The comparison with `--previous`, when given. */
  previous?: PreviousComparison;
  /** Where the members of each group came from, and the groups still unresolved. */
  membership?: MembershipReportSection;
  /** What each tenant's own session discovers (`audit --discover`). */
  seenAsTenant?: SeenAsTenant[];
  /** vCenter's own answer compared with drperm's computation (`audit --confirm-with-server`). */
  serverConfirmation?: ServerConfirmation;
  /**
   * Fleet audits (several vCenters): one row per vCenter, audited or failed. `vcenter` and
   * `snapshot` above then describe the estate as a whole (names, summed counts).
   */
  vcenters?: VcenterReportRow[];
}

export interface InputDigest {
  kind: 'snapshot' | 'tenant policy' | 'membership' | 'role policy' | 'nsx snapshot';
  path: string;
  sha256: string;
}

export interface LeakMatrix {
  /** Tenant names in policy order, then 'unowned'. */
  columns: string[];
  /** One row per tenant account; counts[i] = VMs of columns[i] the account reaches. */
  rows: Array<{ tenant: string; principal: string; counts: number[] }>;
}

export interface PreviousComparison {
  /** The previous report or workbook. */
  file: string;
  /** When the previous report was generated, when it says. */
  generatedAt?: string;
  counts: { new: number; unchanged: number; resolved: number };
  /** Findings of the previous report that this one no longer has. */
  resolved: ResolvedFinding[];
}

export interface ResolvedFinding {
  id: string;
  /** Fleet reports: the finding's vCenter. */
  vcenter?: string;
  severity: Severity;
  rule: string;
  tenant: string;
  principal: string;
  entity?: EntityRef;
  message: string;
  review?: FindingReview;
}

export interface MembershipReportSection {
  /** Every membership source read (vcenter, ldap, file), with when. */
  sources: MembershipSource[];
  /** Groups holding permissions (or tenant group accounts) whose members are known. */
  groups: MembershipGroupRow[];
  /** Groups holding permissions whose members no source listed. */
  unresolved: Array<{ group: string; permissions: number; reason: string }>;
  /** Membership cycles (group names); each group is counted once. */
  cycles: string[][];
}

export interface MembershipGroupRow {
  group: string;
  /** Permissions the group holds. */
  permissions: number;
  /** MembershipSource.id that listed its members, and that source's kind, location and read time. */
  source: string;
  sourceKind: MembershipSource['kind'];
  sourceLocation: string;
  readAt: string;
  /** Distinguished name, for LDAP. */
  dn?: string;
  directMembers: number;
  /** Users reached through the group, nested groups included. */
  users: number;
  nestedGroups: string[];
  /** Nested groups whose members no source listed. */
  unresolvedNestedGroups?: string[];
  /** Set when an expansion limit stopped the walk. */
  truncated?: string;
}

export interface VcenterReportRow {
  /** The vCenter's name in the fleet file. */
  name: string;
  /** URL without credentials. */
  url: string;
  /** 'failed': unreachable, login refused or snapshot unreadable; nothing on it counts as isolated. */
  status: 'audited' | 'failed';
  /** Why it failed. */
  error?: string;
  instanceUuid?: string;
  fullName?: string;
  snapshot?: AuditSnapshotInfo;
  /** The snapshot file read, for offline audits. */
  snapshotFile?: string;
  /** Tenants whose policy names this vCenter. */
  tenants: string[];
  findings: Record<Severity, number>;
}

export interface NsxReportSection {
  /** Manager URL without credentials. */
  managerUrl: string;
  /** When the NSX data was collected (ISO 8601). */
  collectedAt: string;
  /** The NSX snapshot file audited. */
  snapshotFile: string;
  /** One row per binding, path and role, with the rules it is evidence for. */
  rows: NsxWorkbookRow[];
  /** Baseline notes: table rows matching no feature, cloudadmin differing from the table. */
  notes: string[];
}

export interface FleetNsxReportSection {
  /** The manager's name in the fleet file (or its NSX snapshot's file name). */
  name: string;
  /** The vCenter whose private cloud it serves; absent: audited with every tenant. */
  vcenter?: string;
  status: 'audited' | 'failed';
  /** Why it failed; its tenants are then not isolated. */
  error?: string;
  /** Present when audited. */
  section?: NsxReportSection;
}

export interface AuditScope {
  /** Tenant policy files audited (as given on the command line, expanded from directories). */
  tenantFiles: string[];
  /** Tenant names audited, in policy order. */
  tenants: string[];
  /** 'live' when collected for this audit, 'snapshot' when read from a file. */
  source: 'live' | 'snapshot';
  /** Snapshot file read, for offline audits. */
  snapshotFile?: string;
  /** Group membership file used to expand groups, when given. */
  membershipFile?: string;
  /** Role policy file the tenant role was compared against, when given. */
  rolePolicyFile?: string;
  /** True when audited as Azure VMware Solution (CloudAdmin comparison enabled). */
  avs: boolean;
  /** Lowest severity that makes the run exit 1. */
  failOn: Severity;
  /** The fleet file, for fleet audits. */
  fleetFile?: string;
  /** Snapshot files read, for offline fleet audits. */
  snapshotFiles?: string[];
}

export interface AuditSnapshotInfo {
  /** SHA-256 of the snapshot file bytes (or of the snapshot as it would be written, when live). */
  sha256: string;
  /** When the snapshot was collected (ISO 8601). */
  collectedAt: string;
  /** The account that collected it. */
  collectedBy: string;
  /** Where the privilege catalogue came from (see Snapshot.privilegeSource). */
  privilegeSource: 'privilegeList' | 'adminRole';
  /** Counts, to show the size of what was audited. */
  entityCount: number;
  permissionCount: number;
}

export interface TenantReportRow extends TenantSummary {
  /** The tenant policy file, when loaded from one. */
  file?: string;
  /** Whether the tenant account is a group. */
  group: boolean;
  /** The role the policy assigns on the tenant's objects. */
  roleName: string;
  /** Fleet audits: the vCenters the tenant lives on. */
  vcenters?: string[];
  /**
   * Fleet audits: the tenant's vCenters (and `NSX Manager <name>`) that could not be audited;
   * the verdict is then never isolated.
   */
  unaudited?: string[];
}

export interface EffectiveAccessRow {
  /** Fleet audits: the vCenter's name in the fleet file. */
  vcenter?: string;
  /** Tenant whose account this is. */
  tenant: string;
  /** The tenant account (user or group) whose access was resolved. */
  principal: string;
  entity: EntityRef;
  /** Tenant owning the entity (VMs and management servers); null when no tenant owns it. */
  owner: string | null;
  /** The tenant's own object, a shared object its policy grants, or one it should not reach. */
  relation: AccessRelation;
  /** Effective privilege ids, sorted. */
  privileges: string[];
  /** The permissions that decide the access. */
  grantedBy: PermissionEvidence[];
  /** With --confirm-with-server: whether vCenter's FetchUserPrivilegeOnEntities gives the same privileges. */
  confirmedByVcenter?: ConfirmStatus;
}

/**
 * own: the tenant's VM or management server; foreign: a VM of another tenant or of none;
 * shared-policy: an object the tenant policy grants (datacenter, hosts, datastores,
 * networks, vCenter root, and what always inherits from them); shared-outside-policy: any
 * other object (a folder or pool reached through a propagating grant).
 */
export type AccessRelation = 'own' | 'foreign' | 'shared-policy' | 'shared-outside-policy';

export interface PermissionRow extends PermissionEvidence {
  /** Fleet audits: the vCenter's name in the fleet file. */
  vcenter?: string;
  /** Tenant whose account holds this permission, or null. */
  tenant: string | null;
}

export interface RoleRow {
  /** Fleet audits: the vCenter's name in the fleet file. */
  vcenter?: string;
  id: number;
  name: string;
  system: boolean;
  /** vSphere Client label of the role, when known. */
  label?: string;
  privileges: Array<{ id: string; label?: string }>;
}

export interface RoleVsCloudAdminRow {
  /** Fleet audits: the vCenter's name in the fleet file. */
  vcenter?: string;
  /** The tenant role compared (e.g. Azure_Site_Recovery). */
  role: string;
  privilege: string;
  label?: string;
  inRole: boolean;
  inCloudAdmin: boolean;
  /** 'missing-in-cloudadmin' makes the role unassignable by cloudadmin on AVS. */
  status: 'both' | 'missing-in-cloudadmin' | 'cloudadmin-only';
  /** Why it matters (e.g. what dropping the privilege would lose); empty when nothing to say. */
  note?: string;
}
