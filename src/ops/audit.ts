/**
 * `audit`: the isolation audit of a snapshot (read from a file or collected live) against
 * the tenant policies, with the role policy, CloudAdmin's privileges, the membership file
 * and optionally an NSX snapshot; writes the reports. `loadMembership` also serves `access`.
 */
import { runAudit as auditSnapshot, type AuditResult } from '../audit/audit';
import { buildAuditReport } from '../audit/report-build';
import type { AuditReport, NsxReportSection } from '../audit/report-model';
import { severityAtOrAbove, type Finding, type Severity } from '../audit/types';
import type { MembershipData } from '../model/membership';
import type { Snapshot } from '../model/snapshot';
import { auditNsx } from '../audit/rules/nsx';
import type { NsxData } from '../model/nsx';
import {
  loadNsxBaseline,
  resolveNsxBaseline,
  type NsxBaselinePolicy,
} from '../policy/nsx-baseline';
import { readNsxSnapshot } from '../nsx/snapshot-file';
import { nsxWorkbookRows } from '../report/nsx-sheet';
import { resolveCloudAdmin } from '../policy/cloudadmin';
import {
  catalogueFromPolicies,
  defaultRolePolicyPath,
  loadBaselinePolicy,
  loadRolePolicy,
  resolveRolePrivileges,
  type ResolvedRole,
} from '../policy/role-policy';
import { MembershipSchema, type Membership, type TenantPolicy } from '../policy/schemas';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { loadYaml } from '../policy/yaml-file';
import { writeReports, type ReportFile, type ReportFormat } from '../report';
import { digestFiles } from '../report/evidence';
import { readPreviousReport } from '../report/previous-file';
import { DrpermError } from '../util/errors';
import { debug, warn, type Emit } from './events';
import { serverCheckSections, withServerChecks, type ServerCheckResults } from './server-checks';
import type { SnapshotInput } from './snapshot';

export async function loadMembership(file: string | undefined): Promise<Membership | undefined> {
  if (file === undefined) return undefined;
  return (
    await loadYaml(file, MembershipSchema, {
      what: 'membership file',
      // Directory groups can be large: room for hundreds of thousands of member names.
      maxBytes: 32 * 1024 * 1024,
    })
  ).value;
}

/** The role policy resolved against the snapshot's catalogue (or the policy's own IDs without one). */
export interface AuditRole {
  file: string;
  name: string;
  resolved: ResolvedRole;
}

/**
 * Loads the role policy. With no --role the shipped policy is used, and a failure to resolve
 * it is a warning (role-drift is then skipped), not a reason to refuse the whole audit.
 */
export async function loadAuditRole(
  file: string | undefined,
  snapshot: Snapshot,
  emit: Emit,
): Promise<AuditRole | undefined> {
  const path = file ?? defaultRolePolicyPath();
  try {
    const { policy, source } = await loadRolePolicy(path);
    const catalogue =
      snapshot.privileges.length > 0 ? snapshot.privileges : catalogueFromPolicies(policy);
    return {
      file: path,
      name: policy.name,
      resolved: resolveRolePrivileges(policy, catalogue, source),
    };
  } catch (err) {
    if (file !== undefined || !(err instanceof DrpermError)) throw err;
    warn(emit, `role policy ${path} not usable (${err.message}); role drift is not checked`);
    return undefined;
  }
}

/**
 * vSphere Client names of privileges from the shipped policies, for servers that do not
 * describe their privileges (the simulator): the CloudAdmin baseline names some 200, the
 * role policy the rest of the tenant role. Placeholders like "(Read-only clone)" and labels
 * of whole wildcard groups are left out; the server's own labels still win in the report.
 */
export async function documentedPrivilegeLabels(role?: AuditRole): Promise<Map<string, string>> {
  const { policy } = await loadBaselinePolicy();
  const labels = new Map<string, string>();
  for (const p of policy.privileges) if (!p.id.endsWith('*')) labels.set(p.id, p.label);
  for (const d of role?.resolved.details ?? []) {
    if (!d.label.startsWith('(') && d.pattern === undefined) labels.set(d.id, d.label);
  }
  return labels;
}

/** The NSX half of `drperm audit --nsx-snapshot`: findings that join the vCenter ones, and the sheet rows. */
export async function auditNsxSnapshot(
  file: string,
  tenants: readonly TenantPolicy[],
): Promise<NsxAuditPart> {
  const { nsx } = await readNsxSnapshot(file);
  return auditNsxData(nsx, file, tenants, await loadNsxBaseline());
}

export interface NsxAuditPart {
  findings: Finding[];
  section: NsxReportSection;
  warnings: string[];
}

/** The NSX audit of collected data (`snapshotFile`: where it was read, or `live:<manager>`). */
export function auditNsxData(
  nsx: NsxData,
  snapshotFile: string,
  tenants: readonly TenantPolicy[],
  policy: NsxBaselinePolicy,
): NsxAuditPart {
  const baseline = resolveNsxBaseline(nsx, policy);
  const nsxTenants = tenants.map((t) => ({ tenant: t.tenant, nsx: t.nsx }));
  const findings = auditNsx(nsx, nsxTenants, baseline);
  return {
    findings,
    warnings: nsx.warnings.map((w) => `NSX collection: ${w}`),
    section: {
      managerUrl: nsx.manager.url,
      collectedAt: nsx.collectedAt,
      snapshotFile,
      rows: nsxWorkbookRows(nsx, findings, { baseline, tenants: nsxTenants }),
      notes: baseline.notes,
    },
  };
}

export interface AuditOptions {
  tenants: readonly LoadedTenantPolicy[];
  membershipFile?: string;
  /** Membership already read from its sources (src/directory); the file is not read then. */
  membership?: MembershipData;
  /** Role policy file; the shipped one when absent. */
  roleFile?: string;
  /** Azure VMware Solution: compare the tenant role with CloudAdmin. */
  avs: boolean;
  nsxSnapshotFile?: string;
  failOn: Severity;
  /** Report directory (default reports/<UTC time>/) and formats. */
  outDir?: string;
  formats: ReportFormat[];
  /** An earlier report or workbook: findings marked new/unchanged/resolved, reviews carried over. */
  previousFile?: string;
  /** Ed25519 private key file: a detached signature beside each report. */
  signKey?: string;
  /** The command line for the report, secrets already removed. */
  commandLine?: string;
  /** --confirm-with-server and --discover results (src/ops/server-checks.ts). */
  serverChecks?: ServerCheckResults;
}

export interface AuditOutcome {
  result: AuditResult;
  report: AuditReport;
  files: ReportFile[];
  /** Findings at or above --fail-on: exit 1 when any. */
  failing: number;
}

/** Audits the snapshot, writes the reports, and says how many findings reach --fail-on. */
export async function auditTenants(
  input: SnapshotInput,
  options: AuditOptions,
  emit: Emit,
): Promise<AuditOutcome> {
  const { snapshot } = input;
  const membership = options.membership ?? (await loadMembership(options.membershipFile));
  const role = await loadAuditRole(options.roleFile, snapshot, emit);
  // resolveCloudAdmin's precedence: the server's CloudAdmin role, else (with --avs) the documented list.
  const cloudAdmin = resolveCloudAdmin({
    roles: snapshot.roles,
    catalogue: snapshot.privileges,
    ...(options.avs ? { baseline: await loadBaselinePolicy() } : {}),
  });
  // Without --avs or a server role the documented list still fills Role vs CloudAdmin (no rule).
  const documented = cloudAdmin
    ? undefined
    : resolveCloudAdmin({
        roles: [],
        catalogue: snapshot.privileges,
        baseline: await loadBaselinePolicy(),
      });
  const previous = options.previousFile
    ? await readPreviousReport(options.previousFile)
    : undefined;
  const privilegeLabels = await documentedPrivilegeLabels(role);
  const policies = options.tenants.map((p) => p.policy);
  const nsx = options.nsxSnapshotFile
    ? await auditNsxSnapshot(options.nsxSnapshotFile, policies)
    : undefined;

  const started = Date.now();
  const result = auditSnapshot({
    snapshot,
    tenants: options.tenants.map((p) => ({ policy: p.policy, file: p.file })),
    ...(role ? { roleName: role.name, rolePrivileges: role.resolved.privileges } : {}),
    privilegeLabels,
    ...(membership ? { membership } : {}),
    ...(options.avs ? { avs: true } : {}),
    ...(cloudAdmin ? { cloudAdminPrivileges: cloudAdmin.privileges } : {}),
    ...(documented ? { documentedCloudAdminPrivileges: documented.privileges } : {}),
    extraFindings: [...(nsx?.findings ?? []), ...(options.serverChecks?.findings ?? [])],
  });
  if (nsx) result.warnings.push(...nsx.warnings);
  withServerChecks(result, options.serverChecks);
  debug(emit, `audit computed in ${Date.now() - started} ms`);
  // A live collection has emitted its warnings already; a snapshot file's are news.
  if (input.source === 'snapshot')
    for (const w of snapshot.warnings) warn(emit, `collection: ${w}`);
  for (const w of result.warnings) warn(emit, w);

  const report = buildAuditReport(result, {
    snapshot,
    snapshotSha256: input.sha256,
    scope: {
      tenantFiles: options.tenants.map((p) => p.file),
      tenants: policies.map((p) => p.tenant),
      source: input.source,
      ...(input.file !== undefined ? { snapshotFile: input.file } : {}),
      ...(options.membershipFile !== undefined ? { membershipFile: options.membershipFile } : {}),
      ...(role ? { rolePolicyFile: role.file } : {}),
      avs: options.avs,
      failOn: options.failOn,
    },
    ...(nsx ? { nsx: nsx.section } : {}),
    // SHA-256 of every input besides the snapshot (its digest is input.sha256).
    inputs: await digestFiles([
      ...options.tenants.map((p) => ({ kind: 'tenant policy' as const, path: p.file })),
      ...(options.membershipFile
        ? [{ kind: 'membership' as const, path: options.membershipFile }]
        : []),
      ...(role ? [{ kind: 'role policy' as const, path: role.file }] : []),
      ...(options.nsxSnapshotFile
        ? [{ kind: 'nsx snapshot' as const, path: options.nsxSnapshotFile }]
        : []),
    ]),
    ...(options.commandLine !== undefined ? { commandLine: options.commandLine } : {}),
    ...(previous ? { previous } : {}),
    ...serverCheckSections(options.serverChecks),
  });
  const files = await writeReports(report, {
    ...(options.outDir !== undefined ? { outDir: options.outDir } : {}),
    formats: options.formats,
    ...(options.signKey !== undefined ? { signKey: options.signKey } : {}),
  });
  const failing = result.findings.filter((f) =>
    severityAtOrAbove(f.severity, options.failOn),
  ).length;
  return { result, report, files, failing };
}
