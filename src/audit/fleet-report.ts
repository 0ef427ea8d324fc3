/**
 * Wraps a fleet audit result into the one report format (report-model.ts): `vcenters` lists
 * every vCenter with its snapshot; `vcenter` and `snapshot` describe the estate as a whole,
 * so readers of single-vCenter reports still find a name, a digest and counts.
 */
import { sha256Hex } from '../model/snapshot-file';
import type { Snapshot } from '../model/snapshot';
import { VERSION } from '../version';
import type { FleetAuditResult } from './fleet';
import {
  AUDIT_REPORT_FORMAT,
  AUDIT_REPORT_FORMAT_VERSION,
  type AuditReport,
  type AuditScope,
  type AuditSnapshotInfo,
  type FleetNsxReportSection,
  type InputDigest,
} from './report-model';
import { compareWithPrevious, type PreviousReport } from './report-previous';

export interface FleetSnapshotMeta {
  snapshot: Snapshot;
  sha256: string;
  file?: string;
}

export interface FleetReportMeta {
  /** vCenter name -> the snapshot audited (absent for failed vCenters). */
  snapshots: ReadonlyMap<string, FleetSnapshotMeta>;
  scope: AuditScope;
  inputs: InputDigest[];
  commandLine?: string;
  generatedAt?: Date;
  /** The estate's NSX Managers, audited or failed. */
  nsxManagers?: FleetNsxReportSection[];
  /** The previous report to mark findings new, unchanged or resolved against. */
  previous?: PreviousReport;
  /** `audit --discover` and `--confirm-with-server` on every vCenter. */
  seenAsTenant?: AuditReport['seenAsTenant'];
  serverConfirmation?: AuditReport['serverConfirmation'];
}

export function snapshotInfo(snapshot: Snapshot, sha256: string): AuditSnapshotInfo {
  return {
    sha256,
    collectedAt: snapshot.collectedAt,
    collectedBy: snapshot.source.username,
    privilegeSource: snapshot.privilegeSource,
    entityCount: snapshot.entities.length,
    permissionCount: snapshot.permissions.length,
  };
}

export function buildFleetReport(result: FleetAuditResult, meta: FleetReportMeta): AuditReport {
  const vcenters = result.vcenters.map((row) => {
    const s = meta.snapshots.get(row.name);
    return s
      ? {
          ...row,
          snapshot: snapshotInfo(s.snapshot, s.sha256),
          ...(s.file !== undefined ? { snapshotFile: s.file } : {}),
        }
      : row;
  });
  const audited = [...meta.snapshots.values()];
  const names = result.vcenters.map((v) => v.name).join(', ');
  const first = audited.map((s) => s.snapshot.collectedAt).sort()[0];
  const compared = meta.previous ? compareWithPrevious(result.findings, meta.previous) : undefined;
  return {
    format: AUDIT_REPORT_FORMAT,
    formatVersion: AUDIT_REPORT_FORMAT_VERSION,
    generatedAt: (meta.generatedAt ?? new Date()).toISOString(),
    tool: { name: 'drperm', version: VERSION },
    scope: meta.scope,
    vcenter: {
      name: `fleet: ${names}`,
      fullName: `${result.vcenters.length} vCenters (${names})`,
      instanceUuid: audited.map((s) => s.snapshot.vcenter.instanceUuid).join(','),
      apiType: 'VirtualCenter',
      apiVersion: '',
      version: '',
      build: '',
      url: '',
    },
    snapshot: {
      // One digest for the estate: of the per-vCenter digests, in fleet order.
      sha256: sha256Hex(audited.map((s) => s.sha256).join('\n')),
      collectedAt: first ?? (meta.generatedAt ?? new Date()).toISOString(),
      collectedBy: [...new Set(audited.map((s) => s.snapshot.source.username))].join(', '),
      privilegeSource: audited.every((s) => s.snapshot.privilegeSource === 'privilegeList')
        ? 'privilegeList'
        : 'adminRole',
      entityCount: audited.reduce((n, s) => n + s.snapshot.entities.length, 0),
      permissionCount: audited.reduce((n, s) => n + s.snapshot.permissions.length, 0),
    },
    tenants: result.tenants,
    totals: result.totals,
    leakMatrix: result.leakMatrix,
    inputs: meta.inputs,
    ...(meta.commandLine !== undefined ? { commandLine: meta.commandLine } : {}),
    findings: compared?.findings ?? result.findings,
    effectiveAccess: result.effectiveAccess,
    permissions: result.permissions,
    roles: result.roles,
    roleVsCloudAdmin: result.roleVsCloudAdmin,
    warnings: result.warnings,
    vcenters,
    ...(meta.nsxManagers ? { nsxManagers: meta.nsxManagers } : {}),
    ...(compared ? { previous: compared.comparison } : {}),
    ...(meta.seenAsTenant ? { seenAsTenant: meta.seenAsTenant } : {}),
    ...(meta.serverConfirmation ? { serverConfirmation: meta.serverConfirmation } : {}),
  };
}
