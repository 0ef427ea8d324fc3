/**
 * Inputs of `drperm access` and `drperm audit`: the snapshot (read from a file, or collected
 * live so both modes audit the same data), the membership file, and the role and CloudAdmin
 * privilege sets expanded against the snapshot's catalogue.
 */
import type { NsxReportSection } from '../audit/report-model';
import type { Finding } from '../audit/types';
import type { Snapshot } from '../model/snapshot';
import { auditNsx } from '../nsx/audit';
import { loadNsxBaseline, resolveNsxBaseline } from '../nsx/baseline';
import { readNsxSnapshot } from '../nsx/snapshot-file';
import { nsxWorkbookRows } from '../nsx/workbook';
import { readSnapshot, sha256Hex, snapshotText } from '../model/snapshot-file';
import { MembershipSchema, type Membership, type TenantPolicy } from '../policy/schemas';
import {
  catalogueFromPolicies,
  defaultBaselinePolicyPath,
  defaultRolePolicyPath,
  loadBaselinePolicy,
  loadRolePolicy,
  resolveRolePrivileges,
  type ResolvedRole,
} from '../policy/role-policy';
import { loadYaml } from '../policy/yaml-file';
import { DrpermError } from '../util/errors';
import { collectSnapshot } from '../vsphere/collect';
import { withSession } from '../vsphere/session';
import { resolveConnection, type ConnectionFlags } from './connection';
import type { CommandContext } from './context';
import { progressLine } from './progress';

export interface SnapshotInput {
  snapshot: Snapshot;
  sha256: string;
  source: 'live' | 'snapshot';
  file?: string;
}

/** Reads --snapshot FILE, or collects from the vCenter the connection options name. */
export async function obtainSnapshot(
  opts: ConnectionFlags & { snapshot?: string },
  ctx: CommandContext,
): Promise<SnapshotInput> {
  if (opts.snapshot !== undefined) {
    const loaded = await readSnapshot(opts.snapshot);
    ctx.log.debug(`snapshot ${loaded.path} sha256 ${loaded.sha256}`);
    return {
      snapshot: loaded.snapshot,
      sha256: loaded.sha256,
      source: 'snapshot',
      file: opts.snapshot,
    };
  }
  const connection = await resolveConnection(opts, ctx.log);
  ctx.log.info(`collecting from ${connection.url} ...`);
  const progress = progressLine(ctx);
  const snapshot = await withSession(connection, ctx.log, (client) =>
    collectSnapshot(client, { log: ctx.log, progress: progress.update }),
  ).finally(progress.done);
  // The digest of the snapshot as `drperm collect` would write it, so a live audit and an
  // offline audit of the same data record the same SHA-256.
  return { snapshot, sha256: sha256Hex(snapshotText(snapshot)), source: 'live' };
}

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
  ctx: CommandContext,
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
    ctx.log.warn(`role policy ${path} not usable (${err.message}); role drift is not checked`);
    return undefined;
  }
}

/**
 * The documented AVS CloudAdmin privileges (shipped baseline), for --avs. An ID this server
 * does not define is kept as documented (with a note): CloudAdmin's list is Microsoft's, not
 * the audited server's.
 */
export async function loadCloudAdminPrivileges(
  snapshot: Snapshot,
  ctx: CommandContext,
): Promise<string[]> {
  const { policy, source } = await loadBaselinePolicy(defaultBaselinePolicyPath());
  const own = catalogueFromPolicies(policy);
  if (snapshot.privileges.length === 0)
    return resolveRolePrivileges(policy, own, source).privileges;
  try {
    return resolveRolePrivileges(policy, snapshot.privileges, source).privileges;
  } catch (err) {
    if (!(err instanceof DrpermError)) throw err;
    ctx.log.warn(
      `CloudAdmin baseline against this server's catalogue: ${err.message}; using the documented IDs`,
    );
    return resolveRolePrivileges(policy, [...snapshot.privileges, ...own], source).privileges;
  }
}

/**
 * vSphere Client names of privileges from the shipped policies, for servers that do not
 * describe their privileges (the simulator): the CloudAdmin baseline names some 200, the
 * role policy the rest of the tenant role. Placeholders like "(Read-only clone)" and labels
 * of whole wildcard groups are left out; the server's own labels still win in the report.
 */
export async function documentedPrivilegeLabels(role?: AuditRole): Promise<Map<string, string>> {
  const { policy } = await loadBaselinePolicy(defaultBaselinePolicyPath());
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
): Promise<{ findings: Finding[]; section: NsxReportSection; warnings: string[] }> {
  const { nsx } = await readNsxSnapshot(file);
  const baseline = resolveNsxBaseline(nsx, await loadNsxBaseline());
  const nsxTenants = tenants.map((t) => ({ tenant: t.tenant, nsx: t.nsx }));
  const findings = auditNsx(nsx, nsxTenants, baseline);
  return {
    findings,
    warnings: nsx.warnings.map((w) => `NSX collection: ${w}`),
    section: {
      managerUrl: nsx.manager.url,
      collectedAt: nsx.collectedAt,
      snapshotFile: file,
      rows: nsxWorkbookRows(nsx, findings, { baseline, tenants: nsxTenants }),
      notes: baseline.notes,
    },
  };
}
