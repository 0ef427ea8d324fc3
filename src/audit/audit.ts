/**
 * The isolation audit: resolves each tenant's effective access, runs every finding rule, and
 * returns verdicts, findings and the tables a report shows. Pure: the snapshot, policies and
 * options in, data out; the commands do the I/O.
 */
import { Inventory } from '../model/inventory';
import type { Snapshot } from '../model/snapshot';
import { resolveCloudAdmin, roleVsCloudAdminRows } from '../policy/cloudadmin';
import type { TenantPolicy } from '../policy/schemas';
import {
  DEFAULT_FAILBACK_ROLE,
  findTenantConflicts,
  resolveTenant,
  SHARED_GRANT_KINDS,
  type ResolvedTenant,
} from '../policy/tenant-resolve';
import { buildAuditContext, liveRole, type AuditContext } from './context';
import { AccessModel, comparePaths, toEffectiveAccessEntry } from './effective-access';
import { principalKey, principalOf } from '../model/principal';
import { withFindingIds } from './finding-id';
import { leakMatrix, relationClassifier } from './leak-matrix';
import type { MembershipInput } from './principals';
import type {
  AuditReport,
  EffectiveAccessRow,
  PermissionRow,
  RoleRow,
  RoleVsCloudAdminRow,
  TenantReportRow,
} from './report-model';
import { membershipSection } from './membership-section';
import { AUDIT_RULES } from './rules';
import { countBySeverity, severityRank, type Finding, type Severity } from './types';

export interface AuditInput {
  snapshot: Snapshot;
  /** Tenants resolved against this snapshot's inventory, or policies to resolve here. */
  tenants: ReadonlyArray<ResolvedTenant | { policy: TenantPolicy; file?: string }>;
  /** Name of the role the role policy describes (default Azure_Site_Recovery). */
  roleName?: string;
  /** The role policy's privileges, expanded against the server's catalogue; enables role-drift. */
  rolePrivileges?: readonly string[];
  /** Display names of privileges from the role policy (the catalogue's labels win). */
  privilegeLabels?: ReadonlyMap<string, string>;
  /** Group membership: read from sources (src/directory), or a --membership mapping. */
  membership?: MembershipInput;
  /** Audit as Azure VMware Solution: compare the tenant role with CloudAdmin. */
  avs?: boolean;
  /** CloudAdmin's privileges from resolveCloudAdmin; the snapshot's CloudAdmin role when absent. */
  cloudAdminPrivileges?: readonly string[];
  /**
   * The documented CloudAdmin privileges for the Role vs CloudAdmin table alone, when neither
   * --avs nor a live CloudAdmin role applies: the comparison is shown, the rule does not run.
   */
  documentedCloudAdminPrivileges?: readonly string[];
  /** Findings from other sources (the NSX audit); they count towards the tenants' verdicts. */
  extraFindings?: readonly Finding[];
}

/** The audit's findings and tables: the report's body, without what only the command knows. */
export type AuditResult = Pick<
  AuditReport,
  | 'tenants'
  | 'totals'
  | 'findings'
  | 'leakMatrix'
  | 'effectiveAccess'
  | 'permissions'
  | 'roles'
  | 'roleVsCloudAdmin'
  | 'warnings'
  | 'membership'
>;

export function runAudit(input: AuditInput): AuditResult {
  return auditWithContext(input).result;
}

/** The audit and the context its rules read (the fleet audit's cross-vCenter rules read it too). */
export function auditWithContext(input: AuditInput): { result: AuditResult; ctx: AuditContext } {
  const { snapshot } = input;
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  const model = new AccessModel(snapshot, inventory);
  const tenants = input.tenants.map((t) =>
    isResolved(t) ? t : resolveTenant(t.policy, inventory, t.file),
  );
  // The collection's own warnings are the snapshot's; the report adds them (buildAuditReport).
  const warnings: string[] = [];
  for (const t of tenants) {
    for (const p of t.problems)
      warnings.push(`tenant ${t.policy.tenant}: ${p.field}: ${p.message}`);
  }
  for (const c of findTenantConflicts(tenants)) {
    if (c.kind === 'vm-claimed-twice') warnings.push(c.message);
  }
  if (model.unknownRoleIds.size > 0) {
    warnings.push(
      `permissions use role ids the role list lacks (${[...model.unknownRoleIds].join(', ')}); they were counted as granting nothing`,
    );
  }

  const rolePolicyName = input.roleName ?? DEFAULT_FAILBACK_ROLE;
  const cloudAdmin = cloudAdminSet(input, warnings);
  const built = buildAuditContext({
    model,
    tenants,
    rolePolicyName,
    ...(input.membership ? { membership: input.membership } : {}),
    ...(input.rolePrivileges ? { rolePrivileges: input.rolePrivileges } : {}),
    ...(cloudAdmin ? { cloudAdminPrivileges: cloudAdmin } : {}),
  });
  warnings.push(...built.warnings);
  const { ctx } = built;

  const findings = withFindingIds(
    [...AUDIT_RULES.flatMap((rule) => rule(ctx)), ...(input.extraFindings ?? [])].sort(
      compareFindings,
    ),
  );
  const labels = privilegeLabels(snapshot, input.privilegeLabels);
  const compareWith = cloudAdmin ?? input.documentedCloudAdminPrivileges;
  const membership = membershipSection(ctx);
  const showMembership =
    membership.sources.length > 0 || membership.groups.length + membership.unresolved.length > 0;
  const result: AuditResult = {
    tenants: tenantRows(ctx, findings),
    totals: countBySeverity(findings),
    findings,
    leakMatrix: leakMatrix(ctx),
    effectiveAccess: effectiveAccessRows(ctx),
    permissions: permissionRows(ctx),
    roles: roleRows(snapshot, labels),
    roleVsCloudAdmin: compareWith
      ? cloudAdminRows(ctx, rolePolicyName, input.rolePrivileges, compareWith, labels)
      : [],
    warnings,
    ...(showMembership ? { membership } : {}),
  };
  return { result, ctx };
}

function isResolved(t: ResolvedTenant | { policy: TenantPolicy }): t is ResolvedTenant {
  return 'grants' in t && 'ownedVms' in t;
}

/**
 * CloudAdmin's privileges as the caller resolved them (resolveCloudAdmin: the server's role,
 * else the documented list); without them, the snapshot's CloudAdmin role when it has one.
 */
function cloudAdminSet(input: AuditInput, warnings: string[]): readonly string[] | undefined {
  const set =
    input.cloudAdminPrivileges ??
    resolveCloudAdmin({ roles: input.snapshot.roles, catalogue: input.snapshot.privileges })
      ?.privileges;
  if (input.avs && !set)
    warnings.push('--avs: no CloudAdmin privilege list is known; the comparison was skipped');
  return set;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    a.rule.localeCompare(b.rule) ||
    a.tenant.localeCompare(b.tenant) ||
    comparePaths(a.entity?.path ?? '', b.entity?.path ?? '')
  );
}

/** `isolated` when the tenant has no critical or high finding. */
export function verdictOf(counts: Record<Severity, number>): TenantReportRow['verdict'] {
  return counts.critical + counts.high === 0 ? 'isolated' : 'not isolated';
}

function tenantRows(ctx: AuditContext, findings: readonly Finding[]): TenantReportRow[] {
  return ctx.tenants.map((t) => {
    const counts = countBySeverity(findings.filter((f) => f.tenant === t.name));
    const own = ctx.model.permissionsOfKey(t.principals.selfKey);
    const granted = new Set(own.map((p) => p.entity));
    const sharedGranted = t.tenant.grants.filter(
      (g) => SHARED_GRANT_KINDS.has(g.kind) && granted.has(g.entity.ref),
    ).length;
    const foreign = t.reached.filter(
      (a) =>
        a.entity.type === 'VirtualMachine' &&
        !(ctx.owners.get(a.entity.ref) ?? []).includes(t.name),
    ).length;
    return {
      tenant: t.name,
      mode: t.tenant.policy.mode,
      principal: t.tenant.principal,
      group: t.tenant.group,
      roleName: t.tenant.roleName,
      ...(t.tenant.file !== undefined ? { file: t.tenant.file } : {}),
      verdict: verdictOf(counts),
      ownedObjects: t.tenant.ownedVms.length,
      sharedObjectsGranted: sharedGranted,
      foreignObjectsReachable: foreign,
      findings: counts,
    };
  });
}

function effectiveAccessRows(ctx: AuditContext): EffectiveAccessRow[] {
  const rows: EffectiveAccessRow[] = [];
  for (const t of ctx.tenants) {
    const relation = relationClassifier(ctx, t);
    for (const access of t.reached) {
      const entry = toEffectiveAccessEntry(ctx.model, access);
      rows.push({
        tenant: t.name,
        principal: t.tenant.principal,
        owner: ctx.owners.get(access.entity.ref)?.join(', ') ?? null,
        relation: relation(access.entity.ref, access.entity.type),
        ...entry,
      });
    }
  }
  return rows.sort(
    (a, b) => a.tenant.localeCompare(b.tenant) || comparePaths(a.entity.path, b.entity.path),
  );
}

function permissionRows(ctx: AuditContext): PermissionRow[] {
  const tenantOf = new Map<string, string>();
  for (const t of ctx.tenants) tenantOf.set(t.principals.selfKey, t.name);
  return ctx.model.snapshot.permissions
    .map((p) => ({
      ...ctx.model.evidence(p),
      tenant: tenantOf.get(principalKey(principalOf(p))) ?? null,
    }))
    .sort(
      (a, b) =>
        comparePaths(a.entity.path, b.entity.path) || a.principal.localeCompare(b.principal),
    );
}

function privilegeLabels(
  snapshot: Snapshot,
  fromPolicy: ReadonlyMap<string, string> | undefined,
): Map<string, string> {
  const labels = new Map(fromPolicy ?? []);
  for (const p of snapshot.privileges) if (p.label) labels.set(p.id, p.label);
  return labels;
}

function roleRows(snapshot: Snapshot, labels: ReadonlyMap<string, string>): RoleRow[] {
  return snapshot.roles.map((r) => ({
    id: r.id,
    name: r.name,
    system: r.system,
    ...(r.label !== undefined ? { label: r.label } : {}),
    privileges: [...r.privileges].sort().map((id) => {
      const label = labels.get(id);
      return label !== undefined ? { id, label } : { id };
    }),
  }));
}

function cloudAdminRows(
  ctx: AuditContext,
  roleName: string,
  rolePrivileges: readonly string[] | undefined,
  cloudAdmin: readonly string[],
  labels: ReadonlyMap<string, string>,
): RoleVsCloudAdminRow[] {
  const privileges = liveRole(ctx.model, roleName)?.privileges ?? rolePrivileges;
  if (!privileges) return [];
  return roleVsCloudAdminRows({
    rolePrivileges: privileges,
    cloudAdminPrivileges: cloudAdmin,
    labels,
    roleName,
  }).map((r) => ({
    role: roleName,
    privilege: r.privilege,
    ...(labels.has(r.privilege) ? { label: r.label } : {}),
    inRole: r.inRole,
    inCloudAdmin: r.inCloudAdmin,
    status: r.inRole ? (r.inCloudAdmin ? 'both' : 'missing-in-cloudadmin') : 'cloudadmin-only',
    ...(r.note ? { note: r.note } : {}),
  }));
}
