/**
 * The fleet audit: one isolation audit over several vCenters (README "Dedicated and
 * managed-service models"). Each vCenter is audited with the tenants that live on it; the
 * results are joined, every row tagged with its vCenter, and two rules look across vCenters:
 * an account shared by tenants on different vCenters (one SSO domain in Enhanced Linked Mode
 * shares principals), and an account of a tenant on one vCenter reaching another tenant's
 * objects on a second. A vCenter that could not be read is listed with the reason, and no
 * tenant on it is isolated. Pure: data in, data out.
 */
import type { Snapshot } from '../model/snapshot';
import type { TenantPolicy } from '../policy/schemas';
import { resolveTenant, tenantRoleName } from '../policy/tenant-resolve';
import { InputError } from '../util/errors';
import { auditWithContext, compareFindings, verdictOf, type AuditResult } from './audit';
import { buildAuditContext, type AuditContext } from './context';
import { comparePaths } from './effective-access';
import { withFindingIds } from './finding-id';
import { UNOWNED } from './leak-matrix';
import {
  membershipIndex,
  resolvePrincipals,
  type MembershipInput,
  type Principals,
} from './principals';
import type { LeakMatrix, TenantReportRow, VcenterReportRow } from './report-model';
import { crossTenantAccess } from './rules/cross-tenant-access';
import { sharing } from './rules/shared-principal';
import { countBySeverity, type Finding, type TrackedFinding } from './types';
import { finding } from './context';

export interface FleetTenant {
  policy: TenantPolicy;
  file?: string;
}

interface VcenterCommon {
  /** Name in the fleet file. */
  name: string;
  url: string;
  /** Tenants that live on this vCenter. */
  tenants: readonly FleetTenant[];
}

export interface AuditedVcenter extends VcenterCommon {
  snapshot: Snapshot;
  /** The role policy's name and privileges resolved against this vCenter's catalogue. */
  roleName?: string;
  rolePrivileges?: readonly string[];
  cloudAdminPrivileges?: readonly string[];
}

export interface FailedVcenter extends VcenterCommon {
  /** Why it could not be audited (unreachable, login refused, unreadable snapshot). */
  error: string;
}

/** An NSX Manager of the estate: audited (its findings come in extraFindings) or failed. */
export interface FleetNsxManagerStatus {
  name: string;
  /** The vCenter whose private cloud it serves; without one it concerns every tenant. */
  vcenter?: string;
  /** Why it could not be audited; its tenants are then not isolated. */
  error?: string;
}

export interface FleetAuditInput {
  vcenters: ReadonlyArray<AuditedVcenter | FailedVcenter>;
  membership?: MembershipInput;
  privilegeLabels?: ReadonlyMap<string, string>;
  avs?: boolean;
  /**
   * Findings of other sources, each naming its vCenter: NSX Managers', and vCenter's own
   * answers (--confirm-with-server, --discover). They count in the verdicts.
   */
  extraFindings?: readonly Finding[];
  nsxManagers?: readonly FleetNsxManagerStatus[];
}

export interface FleetAuditResult extends AuditResult {
  /** Per vCenter: status, tenants and finding counts (snapshot details are added by the report). */
  vcenters: VcenterReportRow[];
}

export function isFailed(v: AuditedVcenter | FailedVcenter): v is FailedVcenter {
  return 'error' in v;
}

export function runFleetAudit(input: FleetAuditInput): FleetAuditResult {
  refuseSameVcenterTwice(input.vcenters);
  const audited: Array<{ vc: AuditedVcenter; result: AuditResult; ctx: AuditContext }> = [];
  for (const vc of input.vcenters) {
    if (isFailed(vc)) continue;
    const { result, ctx } = auditWithContext({
      snapshot: vc.snapshot,
      tenants: vc.tenants,
      ...(vc.roleName !== undefined ? { roleName: vc.roleName } : {}),
      ...(vc.rolePrivileges ? { rolePrivileges: vc.rolePrivileges } : {}),
      ...(vc.cloudAdminPrivileges ? { cloudAdminPrivileges: vc.cloudAdminPrivileges } : {}),
      ...(input.privilegeLabels ? { privilegeLabels: input.privilegeLabels } : {}),
      ...(input.membership ? { membership: input.membership } : {}),
      ...(input.avs ? { avs: true } : {}),
    });
    audited.push({ vc, result, ctx });
  }

  const tagged: Finding[] = [];
  const warnings: string[] = [];
  for (const { vc, result } of audited) {
    // Ids again with the vCenter in them: one finding on two vCenters is two findings.
    tagged.push(...result.findings.map(({ id: _id, ...f }) => ({ ...f, vcenter: vc.name })));
    for (const w of vc.snapshot.warnings) warnings.push(`vcenter ${vc.name}: collection: ${w}`);
    for (const w of result.warnings) warnings.push(`vcenter ${vc.name}: ${w}`);
  }
  for (const vc of input.vcenters) {
    if (isFailed(vc)) warnings.push(`vcenter ${vc.name}: not audited: ${vc.error}`);
  }
  for (const m of input.nsxManagers ?? []) {
    if (m.error !== undefined) warnings.push(`NSX Manager ${m.name}: not audited: ${m.error}`);
  }
  tagged.push(
    ...crossVcenterAccess(audited, input),
    ...sharedAcrossVcenters(input),
    ...(input.extraFindings ?? []),
  );
  const findings: TrackedFinding[] = withFindingIds(tagged).sort(
    (a, b) => compareFindings(a, b) || (a.vcenter ?? '').localeCompare(b.vcenter ?? ''),
  );

  const byName = (a: { vcenter?: string }, b: { vcenter?: string }) =>
    (a.vcenter ?? '').localeCompare(b.vcenter ?? '');
  return {
    tenants: tenantRows(input, audited, findings),
    totals: countBySeverity(findings),
    findings,
    leakMatrix: fleetLeakMatrix(input, audited),
    effectiveAccess: audited
      .flatMap(({ vc, result }) => result.effectiveAccess.map((r) => ({ vcenter: vc.name, ...r })))
      .sort(
        (a, b) =>
          a.tenant.localeCompare(b.tenant) ||
          byName(a, b) ||
          comparePaths(a.entity.path, b.entity.path),
      ),
    permissions: audited.flatMap(({ vc, result }) =>
      result.permissions.map((r) => ({ vcenter: vc.name, ...r })),
    ),
    roles: audited.flatMap(({ vc, result }) =>
      result.roles.map((r) => ({ vcenter: vc.name, ...r })),
    ),
    roleVsCloudAdmin: audited.flatMap(({ vc, result }) =>
      result.roleVsCloudAdmin.map((r) => ({ vcenter: vc.name, ...r })),
    ),
    warnings,
    vcenters: input.vcenters.map((vc) => ({
      name: vc.name,
      url: vc.url,
      status: isFailed(vc) ? 'failed' : 'audited',
      ...(isFailed(vc)
        ? { error: vc.error }
        : {
            instanceUuid: vc.snapshot.vcenter.instanceUuid,
            fullName: vc.snapshot.vcenter.fullName,
          }),
      tenants: vc.tenants.map((t) => t.policy.tenant),
      findings: countBySeverity(findings.filter((f) => f.vcenter === vc.name)),
    })),
  };
}

/** Entity keys carry the instance UUID: the same vCenter twice would count every object twice. */
function refuseSameVcenterTwice(vcenters: FleetAuditInput['vcenters']): void {
  const seen = new Map<string, string>();
  for (const vc of vcenters) {
    if (isFailed(vc)) continue;
    const uuid = vc.snapshot.vcenter.instanceUuid;
    const first = seen.get(uuid);
    if (first !== undefined) {
      throw new InputError(
        `vCenters ${first} and ${vc.name} are the same vCenter (instance UUID ${uuid}); name each vCenter once`,
      );
    }
    seen.set(uuid, vc.name);
  }
}

/** Every tenant once, with the vCenters its policy names and its principals. */
interface FleetMember {
  tenant: FleetTenant;
  name: string;
  vcenters: string[];
  principals: Principals;
}

function members(input: FleetAuditInput): FleetMember[] {
  const out = new Map<string, FleetMember>();
  for (const vc of input.vcenters) {
    for (const t of vc.tenants) {
      let m = out.get(t.policy.tenant);
      if (!m) {
        m = {
          tenant: t,
          name: t.policy.tenant,
          vcenters: [],
          principals: resolvePrincipals(t.policy.account.principal, {
            group: t.policy.account.group,
            ...(input.membership ? { membership: input.membership } : {}),
          }),
        };
        out.set(m.name, m);
      }
      m.vcenters.push(vc.name);
    }
  }
  return [...out.values()];
}

/**
 * cross-tenant-access across vCenters: on each audited vCenter, the accounts of the tenants
 * that do not live there are resolved too; reaching an object a tenant of that vCenter owns
 * is the same finding as within one vCenter (the rule is the single-vCenter rule's).
 */
function crossVcenterAccess(
  audited: ReadonlyArray<{ vc: AuditedVcenter; ctx: AuditContext }>,
  input: FleetAuditInput,
): Finding[] {
  const all = members(input);
  const out: Finding[] = [];
  for (const { vc, ctx } of audited) {
    const here = new Set(vc.tenants.map((t) => t.policy.tenant));
    const foreign = all.filter((m) => !here.has(m.name));
    if (foreign.length === 0 || ctx.owners.size === 0) continue;
    const inventory = ctx.model.inventory;
    const { ctx: visitors } = buildAuditContext({
      model: ctx.model,
      tenants: foreign.map((m) => resolveTenant(m.tenant.policy, inventory, m.tenant.file)),
      ...(input.membership ? { membership: input.membership } : {}),
    });
    // Ownership is that of the tenants who live here, not of the visitors' own policies.
    for (const f of crossTenantAccess({ ...visitors, owners: ctx.owners })) {
      const home = all.find((m) => m.name === f.tenant)?.vcenters ?? [];
      out.push({
        ...f,
        vcenter: vc.name,
        message: `${f.message} on vCenter ${vc.name}; the account is tenant ${f.tenant}'s on ${home.join(', ')}`,
      });
    }
  }
  return out;
}

/**
 * shared-principal across vCenters: tenants on different vCenters using one account (or one
 * tenant's account in the other's group). Pairs that share a vCenter are that vCenter's
 * own audit's finding already.
 */
function sharedAcrossVcenters(input: FleetAuditInput): Finding[] {
  const all = members(input);
  const index = membershipIndex(input.membership);
  const account = (m: FleetMember) => ({
    principals: m.principals,
    tenant: { group: m.tenant.policy.account.group, principal: m.tenant.policy.account.principal },
  });
  const out: Finding[] = [];
  for (const a of all) {
    for (const b of all) {
      if (a === b || a.vcenters.some((v) => b.vcenters.includes(v))) continue;
      const how = sharing({ membership: index }, account(a), account(b));
      if (!how) continue;
      out.push(
        finding('shared-principal', {
          tenant: a.name,
          principal: a.tenant.policy.account.principal,
          vcenter: a.vcenters.join(', '),
          message: `tenant ${a.name}'s account ${a.tenant.policy.account.principal} (vCenter ${a.vcenters.join(', ')}) ${how.text} tenant ${b.name} (vCenter ${b.vcenters.join(', ')}); vCenters in one SSO domain (Enhanced Linked Mode) share principals`,
          evidence: [],
          details: [
            ...[a.tenant.file, b.tenant.file].filter((f): f is string => f !== undefined),
            ...how.chains,
          ],
          remediation: `Give each tenant its own vCenter account (and group), used by no other tenant on any vCenter of the SSO domain.`,
        }),
      );
    }
  }
  return out;
}

/**
 * The estate's leak matrix: per tenant account, the VMs of each tenant (and of nobody) it
 * reaches, summed over the vCenters (each vCenter's audit counts its own).
 */
function fleetLeakMatrix(
  input: FleetAuditInput,
  audited: ReadonlyArray<{ result: AuditResult }>,
): LeakMatrix {
  const tenants = members(input);
  const columns = [...tenants.map((m) => m.name), UNOWNED];
  const rows = tenants.map((m) => ({
    tenant: m.name,
    principal: m.tenant.policy.account.principal,
    counts: columns.map(() => 0),
  }));
  for (const { result } of audited) {
    for (const r of result.leakMatrix.rows) {
      const row = rows.find((x) => x.tenant === r.tenant);
      if (!row) continue;
      result.leakMatrix.columns.forEach((c, i) => {
        const at = columns.indexOf(c);
        if (at >= 0) row.counts[at]! += r.counts[i] ?? 0;
      });
    }
  }
  return { columns, rows };
}

/** One row per tenant across its vCenters; a tenant on a failed vCenter is never isolated. */
function tenantRows(
  input: FleetAuditInput,
  audited: ReadonlyArray<{ vc: AuditedVcenter; result: AuditResult }>,
  findings: readonly Finding[],
): TenantReportRow[] {
  const failed = new Set(input.vcenters.filter(isFailed).map((v) => v.name));
  const failedNsx = (input.nsxManagers ?? []).filter((n) => n.error !== undefined);
  return members(input).map((m) => {
    const rows = audited.flatMap(({ result }) => result.tenants.filter((t) => t.tenant === m.name));
    const counts = countBySeverity(findings.filter((f) => f.tenant === m.name));
    const unaudited = [
      ...m.vcenters.filter((v) => failed.has(v)),
      // A manager serving no named vCenter concerns every tenant of the estate.
      ...failedNsx
        .filter((n) => n.vcenter === undefined || m.vcenters.includes(n.vcenter))
        .map((n) => `NSX Manager ${n.name}`),
    ];
    const p = m.tenant.policy;
    const sum = (k: 'ownedObjects' | 'sharedObjectsGranted' | 'foreignObjectsReachable') =>
      rows.reduce((n, r) => n + r[k], 0);
    return {
      tenant: m.name,
      mode: p.mode,
      principal: rows[0]?.principal ?? p.account.principal,
      group: p.account.group,
      roleName: rows[0]?.roleName ?? tenantRoleName(p),
      ...(m.tenant.file !== undefined ? { file: m.tenant.file } : {}),
      verdict: unaudited.length > 0 ? 'not isolated' : verdictOf(counts),
      ownedObjects: sum('ownedObjects'),
      sharedObjectsGranted: sum('sharedObjectsGranted'),
      foreignObjectsReachable: sum('foreignObjectsReachable'),
      findings: counts,
      vcenters: m.vcenters,
      ...(unaudited.length > 0 ? { unaudited } : {}),
    };
  });
}
