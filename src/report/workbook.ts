/**
 * The auditor's workbook (.xlsx), written with our own streaming SpreadsheetML writer
 * (xlsx-writer.ts): each sheet goes to the file row by row, so a 50,000-row Effective
 * access sheet costs disk, not heap, and styles are shared per column instead of per cell.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeOutputDir, restrictOutputFile } from '../util/output-files';
import type { AuditReport } from '../audit/report-model';
import { SEVERITIES } from '../audit/types';
import {
  SHEET_NAMES,
  SUMMARY_TENANT_COLUMNS,
  effectiveAccessSheet,
  findingsSheet,
  leakMatrixSheet,
  nsxSheet,
  permissionsSheet,
  roleVsCloudAdminSheet,
  rolesSheet,
  tenantsSheet,
  vcentersSheet,
} from './workbook-sheets';
import { seenAsTenantSheet, serverCheckSummary } from './seen-as-tenant';
import { INPUT_STYLE, SEVERITY_COLOURS, type CellColour } from './xlsx-style';
import { TableWriter, writeTableSheet, type CellInput, type ColumnLayout } from './xlsx-table';
import { XlsxWriter } from './xlsx-writer';

export async function writeWorkbook(report: AuditReport, path: string): Promise<void> {
  await makeOutputDir(dirname(path));
  const workbook = new XlsxWriter(path, {
    creator: 'drperm',
    created: new Date(report.generatedAt),
    title: `drperm isolation audit of ${report.vcenter.url || report.vcenter.name}`,
    subject: 'vCenter permissions for Azure Site Recovery: tenant isolation audit',
  });
  try {
    await writeSummarySheet(workbook, report);
    const vcenters = vcentersSheet(report);
    if (vcenters) await writeTableSheet(workbook, vcenters);
    await writeTableSheet(workbook, findingsSheet(report));
    await writeTableSheet(workbook, leakMatrixSheet(report));
    await writeTableSheet(workbook, tenantsSheet(report));
    await writeTableSheet(workbook, effectiveAccessSheet(report));
    await writeTableSheet(workbook, permissionsSheet(report));
    await writeTableSheet(workbook, rolesSheet(report));
    await writeTableSheet(workbook, roleVsCloudAdminSheet(report));
    const nsx = nsxSheet(report);
    if (nsx) await writeTableSheet(workbook, nsx);
    const seen = seenAsTenantSheet(report);
    if (seen) await writeTableSheet(workbook, seen);
    await workbook.close();
    await restrictOutputFile(path);
  } catch (err) {
    workbook.destroy();
    await rm(path, { force: true });
    throw err;
  }
}

export interface SummaryField {
  field: string;
  value: CellInput;
  colour?: CellColour;
}

/** The facts an auditor records with the evidence: what, where, when, with which tool and data. */
export function summaryFields(report: AuditReport): SummaryField[] {
  const { scope, vcenter, snapshot } = report;
  const fields: SummaryField[] = [
    { field: 'Scope: tenants', value: scope.tenants.join(', ') },
    { field: 'Scope: source', value: scope.source },
    { field: 'Scope: Azure VMware Solution (--avs)', value: scope.avs },
    { field: 'Scope: fail on', value: scope.failOn },
    { field: 'vCenter URL', value: vcenter.url },
    { field: 'vCenter name', value: vcenter.name },
    { field: 'vCenter product', value: vcenter.fullName },
    { field: 'vCenter version', value: `${vcenter.version} build ${vcenter.build}` },
    { field: 'vCenter instance UUID', value: vcenter.instanceUuid },
    { field: 'API version', value: `${vcenter.apiType} ${vcenter.apiVersion}` },
    { field: 'Time of collection', value: new Date(snapshot.collectedAt) },
    { field: 'Collected by', value: snapshot.collectedBy },
    { field: 'Snapshot SHA-256', value: snapshot.sha256 },
    { field: 'Privilege catalogue source', value: snapshot.privilegeSource },
    { field: 'Entities in snapshot', value: snapshot.entityCount },
    { field: 'Permissions in snapshot', value: snapshot.permissionCount },
  ];
  if (!scope.membershipFile) {
    fields.push({ field: 'Membership file', value: '(none: groups not expanded)' });
  }
  // Every input the verdict rests on, with its digest: the hash on its own line to copy.
  for (const input of report.inputs) {
    fields.push({ field: `SHA-256: ${input.kind}`, value: `${input.sha256}\n${input.path}` });
  }
  if (report.nsx) {
    fields.push({ field: 'NSX Manager URL', value: report.nsx.managerUrl });
    fields.push({ field: 'NSX collected at', value: new Date(report.nsx.collectedAt) });
  }
  // Fleet reports: one line per server; the vCenters sheet has the details.
  for (const v of report.vcenters ?? []) {
    fields.push({
      field: `vCenter ${v.name}`,
      value: v.status === 'failed' ? `FAILED: ${v.error ?? ''}` : `audited: ${v.url}`,
      ...(v.status === 'failed' && { colour: SEVERITY_COLOURS.critical! }),
    });
  }
  for (const m of report.nsxManagers ?? []) {
    fields.push({
      field: `NSX Manager ${m.name}`,
      value:
        m.status === 'failed' ? `FAILED: ${m.error ?? ''}` : `audited: ${m.section?.managerUrl}`,
      ...(m.status === 'failed' && { colour: SEVERITY_COLOURS.critical! }),
    });
  }
  fields.push(
    { field: 'Report generated', value: new Date(report.generatedAt) },
    { field: 'drperm version', value: report.tool.version },
    { field: 'Report format', value: `${report.format} v${report.formatVersion}` },
  );
  if (report.commandLine !== undefined) {
    fields.push({ field: 'Command line', value: report.commandLine });
  }
  if (report.previous) {
    const { counts } = report.previous;
    fields.push(
      { field: 'Compared with', value: report.previous.file },
      {
        field: 'Since previous report',
        value: `${counts.new} new, ${counts.unchanged} unchanged, ${counts.resolved} resolved`,
      },
    );
  }
  for (const severity of SEVERITIES) {
    const count = report.totals[severity];
    fields.push({
      field: `Findings: ${severity}`,
      value: count,
      ...(count > 0 && { colour: SEVERITY_COLOURS[severity] }),
    });
  }
  fields.push(...serverCheckSummary(report));
  // Once each: a live collection's warnings may repeat what the snapshot already said.
  for (const warning of new Set(report.warnings)) fields.push({ field: 'Warning', value: warning });
  return fields;
}

/** The sign-off block: cells for the auditor to fill in. */
export const SIGN_OFF_FIELDS = ['Prepared by', 'Reviewed by', 'Date', 'Decision'] as const;

async function writeSummarySheet(workbook: XlsxWriter, report: AuditReport): Promise<void> {
  const fields = summaryFields(report);
  const tenantName = Math.max(...report.tenants.map((t) => t.tenant.length), 0);
  const layout: ColumnLayout[] = [
    { width: Math.min(Math.max(...fields.map((f) => f.field.length), tenantName, 14) + 2, 36) },
    // Fits a SHA-256 in hex on one line.
    { width: 68, wrap: true, align: 'left' },
    ...SUMMARY_TENANT_COLUMNS.slice(2).map((): ColumnLayout => ({ width: 10, align: 'center' })),
  ];
  const sheet = await TableWriter.open(workbook, SHEET_NAMES.summary, layout);
  await sheet.header(['Field', 'Value']);
  for (const f of fields) {
    await sheet.row([
      { value: f.field },
      { value: f.value, ...(f.colour && { colour: f.colour }) },
    ]);
  }
  const factsEnd = sheet.sheet.rows;

  // The sign-off block: boxed cells to fill in, so the signed printout is the evidence.
  await sheet.blank();
  const signOff = workbook.style({ font: { bold: true }, vertical: 'top' });
  await sheet.sheet.row([{ value: 'Sign-off', style: signOff }]);
  const box = workbook.style({ ...INPUT_STYLE, vertical: 'top', wrap: true });
  for (const field of SIGN_OFF_FIELDS) {
    await sheet.sheet.row(
      [
        { value: field, style: 0 },
        { value: null, style: box },
      ],
      30,
    );
  }

  // Per-tenant verdicts below, so the first page answers "is every tenant isolated?".
  await sheet.blank();
  await sheet.header(SUMMARY_TENANT_COLUMNS.map((c) => c.header));
  for (const tenant of report.tenants) {
    await sheet.row(
      SUMMARY_TENANT_COLUMNS.map((c) => {
        const value = c.value(tenant, 0);
        const colour = typeof value === 'string' ? c.colours?.[value] : undefined;
        return colour ? { value, colour } : { value };
      }),
    );
  }
  if (report.tenants.length === 0) await sheet.note('No tenants audited.');
  await sheet.sheet.end({ autoFilter: { lastRow: factsEnd, columns: 2 } });
}
