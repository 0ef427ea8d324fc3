/**
 * The fleet use cases (README "Dedicated and managed-service models"): collect every vCenter
 * and NSX Manager of the fleet file at once, and audit the whole estate, live or from a set
 * of snapshots. One server failing never stops the others: it is reported with its reason.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isFailed, runFleetAudit, type AuditedVcenter, type FailedVcenter } from '../audit/fleet';
import { buildFleetReport, type FleetSnapshotMeta } from '../audit/fleet-report';
import type { AuditReport } from '../audit/report-model';
import { severityAtOrAbove, type Severity } from '../audit/types';
import type { FleetAuditResult } from '../audit/fleet';
import { snapshotDigest, writeSnapshot } from '../model/snapshot-file';
import { resolveCloudAdmin } from '../policy/cloudadmin';
import { assignTenants } from '../policy/fleet';
import { loadBaselinePolicy } from '../policy/role-policy';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { writeReports, type ReportFile, type ReportFormat } from '../report';
import { digestFiles } from '../report/evidence';
import { readPreviousReport } from '../report/previous-file';
import { InputError } from '../util/errors';
import type { Logger } from '../util/log';
import { mapLimit } from '../vsphere/semaphore';
import { withSession } from '../vsphere/session';
import type { ConnectOptions } from '../vsphere/types';
import { documentedPrivilegeLabels, loadAuditRole, loadMembership } from './audit';
import { NsxClient } from '../nsx/client';
import { info, warn, type Emit } from './events';
import { collectNsxToFile } from './nsx';
import { collectSnapshot, fileSnapshotInput, type SnapshotInput } from './snapshot';
import { auditFleetNsx, type FleetNsxSource, type FleetNsxTarget } from './fleet-nsx';
import {
  fleetServerCheckSections,
  markConfirmed,
  serverChecksFailure,
  vcenterServerChecks,
  wantsServerChecks,
  type FleetServerCheckOptions,
  type VcenterServerChecks,
} from './fleet-server-checks';

/** One vCenter of the fleet with its resolved connection (password included, never logged). */
export interface FleetTarget {
  name: string;
  connection: ConnectOptions;
}

/** A use case's events for one server of several: every message says which server. */
function prefixed(emit: Emit, name: string): Emit {
  return (e) => {
    if (e.type === 'progress-done' || e.type === 'change') return;
    if (e.type === 'others-changed') emit({ ...e, tenant: `${e.tenant} @ ${name}` });
    else emit({ ...e, message: `${name}: ${e.message}` });
  };
}

/** Why a server failed, in one line (no stack, no secrets: errors are already redacted). */
export function failureReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface FleetCollectRow {
  kind: 'vcenter' | 'nsx';
  name: string;
  url: string;
  status: 'collected' | 'failed';
  path?: string;
  sha256?: string;
  virtualMachines?: number;
  entities?: number;
  permissions?: number;
  seconds: number;
  error?: string;
}

type CollectedFields = Pick<
  FleetCollectRow,
  'path' | 'sha256' | 'virtualMachines' | 'entities' | 'permissions'
>;

/**
 * One server's row of `collect --fleet`: its progress lines prefixed with its name, its
 * time, and a failure reported as the row's error rather than thrown (the others go on).
 */
async function collectRow(
  base: Pick<FleetCollectRow, 'kind' | 'name' | 'url'>,
  emit: Emit,
  collect: (out: Emit, seconds: () => number) => Promise<CollectedFields>,
): Promise<FleetCollectRow> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  const out = prefixed(emit, base.name);
  info(out, `collecting from ${base.url} ...`);
  try {
    const fields = await collect(out, seconds);
    return { ...base, status: 'collected', ...fields, seconds: seconds() };
  } catch (err) {
    warn(out, `failed: ${failureReason(err)}`);
    return { ...base, status: 'failed', seconds: seconds(), error: failureReason(err) };
  }
}

/** `drperm collect --fleet`: one snapshot per vCenter, `DIR/<name>.json`, at most `concurrency` at once. */
export async function collectFleet(
  targets: readonly FleetTarget[],
  options: { outDir: string; concurrency: number; pageSize?: number },
  log: Logger,
  emit: Emit,
): Promise<FleetCollectRow[]> {
  return mapLimit(targets, options.concurrency, (t) =>
    collectRow(
      { kind: 'vcenter', name: t.name, url: t.connection.url },
      emit,
      async (out, seconds) => {
        const snapshot = await withSession(t.connection, log, (client) =>
          collectSnapshot(client, out, options.pageSize ? { pageSize: options.pageSize } : {}),
        );
        const path = join(options.outDir, `${t.name}.json`);
        const sha256 = await writeSnapshot(path, snapshot);
        const vms = snapshot.entities.filter((e) => e.type === 'VirtualMachine').length;
        info(
          out,
          `collected ${vms} VMs, ${snapshot.permissions.length} permissions in ${seconds()} s`,
        );
        return {
          path,
          sha256,
          virtualMachines: vms,
          entities: snapshot.entities.length,
          permissions: snapshot.permissions.length,
        };
      },
    ),
  );
}

export type { FleetNsxTarget } from './fleet-nsx';

/** The NSX half of `collect --fleet`: `DIR/nsx/<name>.json` per manager, failures reported. */
export async function collectFleetNsx(
  targets: readonly FleetNsxTarget[],
  options: { outDir: string; concurrency: number },
  log: Logger,
  emit: Emit,
): Promise<FleetCollectRow[]> {
  return mapLimit(targets, options.concurrency, (t) =>
    collectRow({ kind: 'nsx', name: t.name, url: t.settings.url }, emit, async (out, seconds) => {
      const client = await NsxClient.connect({ ...t.settings, log });
      try {
        const path = join(options.outDir, 'nsx', `${t.name}.json`);
        const r = await collectNsxToFile(client, t.settings.username, path, out, t.vcenter);
        info(
          out,
          `collected ${r.counts.roles} roles, ${r.counts.bindings} bindings in ${seconds()} s`,
        );
        return { path, sha256: r.sha256 };
      } finally {
        client.close();
      }
    }),
  );
}

/** Where a fleet audit gets one vCenter's snapshot: collected live, or read from a file. */
export interface FleetSource {
  name: string;
  url: string;
  load: (emit: Emit) => Promise<SnapshotInput>;
  /** Live sources: the administrator's connection, for --confirm-with-server and --discover. */
  connection?: ConnectOptions;
}

export function liveSources(targets: readonly FleetTarget[], log: Logger): FleetSource[] {
  return targets.map((t) => ({
    name: t.name,
    url: t.connection.url,
    connection: t.connection,
    load: async (emit) => {
      info(emit, `collecting from ${t.connection.url} ...`);
      const snapshot = await withSession(t.connection, log, (client) =>
        collectSnapshot(client, emit),
      );
      return { snapshot, sha256: snapshotDigest(snapshot), source: 'live' };
    },
  }));
}

/**
 * Snapshot files (or directories of `*.json` files, as `collect --fleet` writes them); each
 * vCenter is named after its file (`vc-a.json` is vCenter `vc-a`), the names tenants use.
 */
export async function snapshotSources(paths: readonly string[]): Promise<FleetSource[]> {
  const files: string[] = [];
  for (const p of paths) {
    const isDir = await stat(p).then(
      (s) => s.isDirectory(),
      (err: Error) => {
        throw new InputError(`cannot read ${p}: ${err.message}`, { cause: err });
      },
    );
    if (!isDir) {
      files.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => n.endsWith('.json')).sort();
    if (names.length === 0)
      throw new InputError(`${p}: no snapshot files (*.json) in this directory`);
    files.push(...names.map((n) => join(p, n)));
  }
  const seen = new Map<string, string>();
  return files.map((file) => {
    const name = basename(file).replace(/\.json$/i, '');
    const other = seen.get(name);
    if (other !== undefined) {
      throw new InputError(`${file} and ${other} would both be vCenter "${name}"`, {
        hint: 'snapshots of a fleet are named after their vCenter: give each a different file name',
      });
    }
    seen.set(name, file);
    return { name, url: '', load: (emit) => fileSnapshotInput(file, emit) };
  });
}

export interface FleetAuditOptions {
  tenants: readonly LoadedTenantPolicy[];
  membershipFile?: string;
  roleFile?: string;
  avs: boolean;
  failOn: Severity;
  outDir?: string;
  formats: ReportFormat[];
  concurrency: number;
  /** The fleet file, recorded in the report's scope. */
  fleetFile?: string;
  /** The command line for the report, secrets already removed. */
  commandLine?: string;
  /** The estate's NSX Managers (from the fleet file, or NSX snapshots). */
  nsx?: readonly FleetNsxSource[];
  /** An earlier report or workbook: findings marked new/unchanged/resolved, reviews carried over. */
  previousFile?: string;
  /** Ed25519 private key file: a detached signature beside each report. */
  signKey?: string;
  /** --confirm-with-server and --discover on every vCenter (live sources only). */
  serverChecks?: FleetServerCheckOptions;
  /** For the server checks' sessions (--verbose SOAP logging). */
  log?: Logger;
}

export interface FleetAuditOutcome {
  result: FleetAuditResult;
  report: AuditReport;
  files: ReportFile[];
  failing: number;
  /** vCenters and NSX Managers that could not be audited: exit 3. */
  failed: Array<{ name: string; error: string }>;
  /** Exit code when a server check is incomplete (a tenant not discovered: 2 or 3). */
  checksFailure?: number;
}

/** `drperm audit --fleet` / `--snapshot A --snapshot B`: one report for the estate. */
export async function auditFleet(
  sources: readonly FleetSource[],
  options: FleetAuditOptions,
  emit: Emit,
): Promise<FleetAuditOutcome> {
  const byVcenter = assignTenants(
    sources.map((s) => s.name),
    options.tenants,
  );
  const membership = await loadMembership(options.membershipFile);
  const baseline = options.avs ? await loadBaselinePolicy() : undefined;
  const previous = options.previousFile
    ? await readPreviousReport(options.previousFile)
    : undefined;
  const snapshots = new Map<string, FleetSnapshotMeta>();
  const checks: VcenterServerChecks[] = [];
  const checkOptions = options.serverChecks;
  let labels: Map<string, string> | undefined;

  const audit = async (s: FleetSource): Promise<AuditedVcenter | FailedVcenter> => {
    const policies = byVcenter.get(s.name) ?? [];
    const tenants = policies.map((t) => ({ policy: t.policy, file: t.file }));
    const out = prefixed(emit, s.name);
    let input: SnapshotInput;
    try {
      input = await s.load(out);
      // Asked right after this vCenter's collection, in the same slot of the bound.
      if (wantsServerChecks(checkOptions) && s.connection && options.log) {
        checks.push(
          await vcenterServerChecks(
            s.name,
            s.connection,
            input.snapshot,
            policies,
            { ...checkOptions!, ...(membership ? { membership } : {}) },
            options.log,
            out,
          ),
        );
      }
    } catch (err) {
      if (err instanceof InputError) throw err; // a bad file is the user's to fix, not a vCenter failure
      warn(out, `not audited: ${failureReason(err)}`);
      return { name: s.name, url: s.url, tenants, error: failureReason(err) };
    }
    const { snapshot } = input;
    if (input.source === 'snapshot')
      for (const w of snapshot.warnings) warn(out, `collection: ${w}`);
    snapshots.set(s.name, {
      snapshot,
      sha256: input.sha256,
      ...(input.file !== undefined ? { file: input.file } : {}),
    });
    const role = await loadAuditRole(options.roleFile, snapshot, out);
    labels ??= await documentedPrivilegeLabels(role);
    const cloudAdmin = resolveCloudAdmin({
      roles: snapshot.roles,
      catalogue: snapshot.privileges,
      ...(baseline ? { baseline } : {}),
    });
    return {
      name: s.name,
      url: s.url || snapshot.source.url,
      tenants,
      snapshot,
      ...(role ? { roleName: role.name, rolePrivileges: role.resolved.privileges } : {}),
      ...(cloudAdmin ? { cloudAdminPrivileges: cloudAdmin.privileges } : {}),
    };
  };
  // vCenters and NSX Managers at once, each kind within the fleet's bound.
  const [vcenters, nsx] = await Promise.all([
    mapLimit(sources, options.concurrency, audit),
    auditFleetNsx(options.nsx ?? [], byVcenter, options.concurrency, (name) =>
      prefixed(emit, name),
    ),
  ]);
  for (const w of nsx.warnings) warn(emit, w);
  // Fleet order, whatever order the vCenters answered in.
  const order = new Map(sources.map((s, i) => [s.name, i]));
  checks.sort((a, b) => order.get(a.vcenter)! - order.get(b.vcenter)!);

  const result = runFleetAudit({
    vcenters,
    ...(membership ? { membership } : {}),
    ...(labels ? { privilegeLabels: labels } : {}),
    ...(options.avs ? { avs: true } : {}),
    extraFindings: [...nsx.findings, ...checks.flatMap((c) => c.findings)],
    nsxManagers: nsx.statuses,
  });
  markConfirmed(result.effectiveAccess, checks);
  // Report rows follow the fleet order, whatever order the collections finished in.
  const ordered = new Map(
    sources.flatMap((s) => {
      const m = snapshots.get(s.name);
      return m ? [[s.name, m] as const] : [];
    }),
  );
  const files = [...ordered.values()].flatMap((m) => (m.file !== undefined ? [m.file] : []));
  const report = buildFleetReport(result, {
    snapshots: ordered,
    scope: {
      tenantFiles: options.tenants.map((t) => t.file),
      tenants: options.tenants.map((t) => t.policy.tenant),
      source: files.length > 0 ? 'snapshot' : 'live',
      ...(files.length > 0 ? { snapshotFiles: files } : {}),
      ...(options.membershipFile !== undefined ? { membershipFile: options.membershipFile } : {}),
      ...(options.roleFile !== undefined ? { rolePolicyFile: options.roleFile } : {}),
      ...(options.fleetFile !== undefined ? { fleetFile: options.fleetFile } : {}),
      avs: options.avs,
      failOn: options.failOn,
    },
    // SHA-256 of every input: each vCenter's snapshot, each NSX Manager's, the policies, the membership file.
    inputs: [
      ...[...ordered.entries()].map(([name, m]) => ({
        kind: 'snapshot' as const,
        path: m.file ?? `live:${name}`,
        sha256: m.sha256,
      })),
      ...nsx.inputs,
      ...(await digestFiles([
        ...options.tenants.map((t) => ({ kind: 'tenant policy' as const, path: t.file })),
        ...(options.membershipFile
          ? [{ kind: 'membership' as const, path: options.membershipFile }]
          : []),
        ...(options.roleFile ? [{ kind: 'role policy' as const, path: options.roleFile }] : []),
      ])),
    ],
    ...(options.commandLine !== undefined ? { commandLine: options.commandLine } : {}),
    ...(nsx.sections.length > 0 ? { nsxManagers: nsx.sections } : {}),
    ...(previous ? { previous } : {}),
    ...fleetServerCheckSections(checks),
  });
  const written = await writeReports(report, {
    ...(options.outDir !== undefined ? { outDir: options.outDir } : {}),
    formats: options.formats,
    ...(options.signKey !== undefined ? { signKey: options.signKey } : {}),
  });
  const checksFailure = serverChecksFailure(checks);
  return {
    result,
    report,
    files: written,
    failing: report.findings.filter((f) => severityAtOrAbove(f.severity, options.failOn)).length,
    failed: [
      ...vcenters.filter(isFailed).map((v) => ({ name: v.name, error: v.error })),
      ...nsx.statuses.flatMap((m) =>
        m.error !== undefined ? [{ name: `NSX Manager ${m.name}`, error: m.error }] : [],
      ),
    ],
    ...(checksFailure !== undefined ? { checksFailure } : {}),
  };
}
