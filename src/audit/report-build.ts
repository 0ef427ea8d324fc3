/** Wraps an audit result with what the report needs to stand on its own: scope, server, snapshot. */
import type { Snapshot } from '../model/snapshot';
import { VERSION } from '../version';
import type { AuditResult } from './audit';
import {
  AUDIT_REPORT_FORMAT,
  AUDIT_REPORT_FORMAT_VERSION,
  type AuditReport,
  type AuditScope,
  type InputDigest,
  type NsxReportSection,
} from './report-model';
import { compareWithPrevious, type PreviousReport } from './report-previous';

export interface ReportMeta {
  snapshot: Snapshot;
  /** SHA-256 of the snapshot file (or of the snapshot as writeSnapshot would write it). */
  snapshotSha256: string;
  scope: AuditScope;
  /** Injected by tests; defaults to now. */
  generatedAt?: Date;
  /** The NSX part, when an NSX snapshot was audited too. */
  nsx?: NsxReportSection;
  /** Digests of the input files besides the snapshot (which snapshotSha256 covers). */
  inputs?: InputDigest[];
  /** The command line, secrets already removed. */
  commandLine?: string;
  /** The previous report to mark findings new, unchanged or resolved against. */
  previous?: PreviousReport;
}

export function buildAuditReport(result: AuditResult, meta: ReportMeta): AuditReport {
  const { snapshot } = meta;
  const compared = meta.previous ? compareWithPrevious(result.findings, meta.previous) : undefined;
  const snapshotInput: InputDigest = {
    kind: 'snapshot',
    path: meta.scope.snapshotFile ?? '(collected live)',
    sha256: meta.snapshotSha256,
  };
  return {
    format: AUDIT_REPORT_FORMAT,
    formatVersion: AUDIT_REPORT_FORMAT_VERSION,
    generatedAt: (meta.generatedAt ?? new Date()).toISOString(),
    tool: { name: 'drperm', version: VERSION },
    scope: meta.scope,
    vcenter: { ...snapshot.vcenter, url: snapshot.source.url },
    snapshot: {
      sha256: meta.snapshotSha256,
      collectedAt: snapshot.collectedAt,
      collectedBy: snapshot.source.username,
      privilegeSource: snapshot.privilegeSource,
      entityCount: snapshot.entities.length,
      permissionCount: snapshot.permissions.length,
    },
    tenants: result.tenants,
    totals: result.totals,
    findings: compared?.findings ?? result.findings,
    leakMatrix: result.leakMatrix,
    effectiveAccess: result.effectiveAccess,
    permissions: result.permissions,
    roles: result.roles,
    roleVsCloudAdmin: result.roleVsCloudAdmin,
    warnings: [...snapshot.warnings.map((w) => `collection: ${w}`), ...result.warnings],
    ...(meta.nsx ? { nsx: meta.nsx } : {}),
    inputs: [snapshotInput, ...(meta.inputs ?? [])],
    ...(meta.commandLine !== undefined ? { commandLine: meta.commandLine } : {}),
    ...(compared ? { previous: compared.comparison } : {}),
    ...(result.membership ? { membership: result.membership } : {}),
  };
}
