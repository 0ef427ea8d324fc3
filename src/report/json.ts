/**
 * The JSON report, format version 2 (README "JSON report format"): the AuditReport with
 * nothing repeated. Roles carry their privileges once; effective access names a privilege
 * set (a role plus the privileges beyond it); entities and permissions are tables that
 * effective access refers to by moref and permission id. Findings stay whole, with their
 * evidence inline, so a finding can be read on its own. Streamed to the file, one table
 * row per line.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { makeOutputDir, OUTPUT_FILE_MODE, restrictOutputFile } from '../util/output-files';
import {
  AUDIT_REPORT_FORMAT,
  AUDIT_REPORT_FORMAT_VERSION,
  type AuditReport,
  type PermissionRow,
} from '../audit/report-model';
import type { EntityRef, PermissionEvidence } from '../audit/types';
import { entityKey } from '../model/entity';
import { privilegeSets } from './privilege-sets';

const ROWS_PER_CHUNK = 1000;

function permissionKey(p: PermissionEvidence): string {
  return `${entityKey(p.entity)}\u0000${p.principal}\u0000${p.group}\u0000${p.roleId}\u0000${p.propagate}`;
}

/** A value on one line, indented as a member of the top-level object. */
function member(name: string, value: unknown): string {
  return `  ${JSON.stringify(name)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
}

/** An array with one compact element per line. */
function* table<T>(name: string, rows: readonly T[], encode: (row: T, i: number) => unknown) {
  if (rows.length === 0) {
    yield `  ${JSON.stringify(name)}: []`;
    return;
  }
  yield `  ${JSON.stringify(name)}: [\n`;
  let chunk: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    chunk.push(`    ${JSON.stringify(encode(rows[i]!, i))}`);
    if (chunk.length === ROWS_PER_CHUNK) {
      yield chunk.join(',\n') + (i < rows.length - 1 ? ',\n' : '');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join(',\n');
  yield '\n  ]';
}

/** The report as a sequence of text chunks that together are the JSON document. */
export function* jsonReportChunks(report: AuditReport): Generator<string> {
  // Refuse a report that would mislabel its own schema: consumers branch on these two fields.
  if (
    report.format !== AUDIT_REPORT_FORMAT ||
    report.formatVersion !== AUDIT_REPORT_FORMAT_VERSION
  ) {
    throw new Error(
      `refusing to write a report labelled ${String(report.format)} v${String(report.formatVersion)}; expected ${AUDIT_REPORT_FORMAT} v${AUDIT_REPORT_FORMAT_VERSION}`,
    );
  }
  const { sets, ofRow } = privilegeSets(report);

  // Entities referenced by permissions and effective access, once each.
  const entities = new Map<string, EntityRef>();
  const addEntity = (e: EntityRef) => {
    // Keyed by vCenter and moref: a fleet report's morefs repeat across vCenters.
    if (!entities.has(entityKey(e))) entities.set(entityKey(e), e);
  };
  const permissionIds = new Map<string, number>();
  report.permissions.forEach((p, i) => {
    addEntity(p.entity);
    permissionIds.set(permissionKey(p), i);
  });
  for (const row of report.effectiveAccess) {
    addEntity(row.entity);
    for (const g of row.grantedBy) addEntity(g.entity);
  }

  const parts: Array<string | Generator<string>> = [
    member('format', report.format),
    member('formatVersion', report.formatVersion),
    member('generatedAt', report.generatedAt),
    member('tool', report.tool),
    member('scope', report.scope),
    member('vcenter', report.vcenter),
    member('snapshot', report.snapshot),
    ...(report.vcenters ? [member('vcenters', report.vcenters)] : []),
    member('inputs', report.inputs),
    ...(report.commandLine !== undefined ? [member('commandLine', report.commandLine)] : []),
    member('tenants', report.tenants),
    member('totals', report.totals),
    member('leakMatrix', report.leakMatrix),
    table('findings', report.findings, (f) => f),
    ...(report.previous ? [member('previous', report.previous)] : []),
    table('roles', report.roles, (r) => r),
    table('privilegeSets', sets, (s) => ({ id: s.id, roleId: s.roleId, extra: s.extra })),
    // The report's vCenter is the entities' vCenter: written once, in `vcenter`.
    table('entities', [...entities.values()], ({ vcenter, ...e }) =>
      vcenter === report.vcenter.instanceUuid ? e : { vcenter, ...e },
    ),
    table('permissions', report.permissions, (p: PermissionRow, i) => ({
      id: i,
      ...(p.vcenter !== undefined ? { vcenter: p.vcenter } : {}),
      entity: p.entity.moref,
      principal: p.principal,
      group: p.group,
      roleId: p.roleId,
      propagate: p.propagate,
      tenant: p.tenant,
    })),
    table('effectiveAccess', report.effectiveAccess, (r, i) => ({
      ...(r.vcenter !== undefined ? { vcenter: r.vcenter } : {}),
      tenant: r.tenant,
      entity: r.entity.moref,
      owner: r.owner,
      relation: r.relation,
      privilegeSet: ofRow[i],
      // A granting permission outside the permissions table (none expected) is written whole.
      grantedBy: r.grantedBy.map((g) => permissionIds.get(permissionKey(g)) ?? g),
      ...(r.confirmedByVcenter !== undefined ? { confirmedByVcenter: r.confirmedByVcenter } : {}),
    })),
    table('roleVsCloudAdmin', report.roleVsCloudAdmin, (r) => r),
    member('warnings', report.warnings),
    ...(report.membership ? [member('membership', report.membership)] : []),
    ...(report.nsx ? [member('nsx', report.nsx)] : []),
    ...(report.nsxManagers ? [member('nsxManagers', report.nsxManagers)] : []),
    // audit --confirm-with-server and --discover (src/report/seen-as-tenant.ts).
    ...(report.serverConfirmation ? [member('serverConfirmation', report.serverConfirmation)] : []),
    ...(report.seenAsTenant ? [member('seenAsTenant', report.seenAsTenant)] : []),
  ];
  yield '{\n';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (typeof part === 'string') yield part;
    else yield* part;
    yield i < parts.length - 1 ? ',\n' : '\n';
  }
  yield '}\n';
}

export function renderJsonReport(report: AuditReport): string {
  return [...jsonReportChunks(report)].join('');
}

export async function writeJsonReport(report: AuditReport, path: string): Promise<void> {
  await makeOutputDir(dirname(path));
  const out = createWriteStream(path, { mode: OUTPUT_FILE_MODE });
  const failed = new Promise<never>((_resolve, reject) => out.once('error', reject));
  // Observed by the races below; marked handled so an early error is not "unhandled".
  failed.catch(() => undefined);
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  for (const chunk of jsonReportChunks(report)) await write(chunk);
  out.end();
  await Promise.race([once(out, 'close'), failed]);
  await restrictOutputFile(path);
}
