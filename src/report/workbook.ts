/**
 * The auditor's workbook (.xlsx). Written with exceljs's streaming writer: each sheet is
 * committed row by row, so a 50,000-row Effective access sheet costs disk, not heap.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import ExcelJS from 'exceljs';
import type { AuditReport } from '../audit/report-model';
import { SEVERITIES } from '../audit/types';
import {
  SHEET_NAMES,
  SUMMARY_TENANT_COLUMNS,
  effectiveAccessSheet,
  findingsSheet,
  nsxSheet,
  permissionsSheet,
  roleVsCloudAdminSheet,
  rolesSheet,
  tenantsSheet,
} from './workbook-sheets';
import { seenAsTenantSheet, serverCheckSummary } from './seen-as-tenant';
import { SEVERITY_COLOURS, type CellColour } from './xlsx-style';
import {
  addReportSheet,
  writeHeaderRow,
  writeRow,
  writeTableSheet,
  type CellInput,
  type ColumnLayout,
  type WorkbookWriter,
} from './xlsx-table';

export async function writeWorkbook(report: AuditReport, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    // No shared-string table: exceljs keeps it in memory (about 1.7 kB a row on the Effective
    // access sheet). String cells are written inline instead (see xlsx-table.ts).
    useSharedStrings: false,
    useStyles: true,
  });
  workbook.creator = 'drperm';
  workbook.lastModifiedBy = 'drperm';
  workbook.created = new Date(report.generatedAt);
  workbook.modified = workbook.created;
  workbook.title = `drperm isolation audit of ${report.vcenter.url || report.vcenter.name}`;
  workbook.subject = 'vCenter permissions for Azure Site Recovery: tenant isolation audit';

  writeSummarySheet(workbook, report);
  await writeTableSheet(workbook, findingsSheet(report));
  await writeTableSheet(workbook, tenantsSheet(report));
  await writeTableSheet(workbook, effectiveAccessSheet(report));
  await writeTableSheet(workbook, permissionsSheet(report));
  await writeTableSheet(workbook, rolesSheet(report));
  await writeTableSheet(workbook, roleVsCloudAdminSheet(report));
  const nsx = nsxSheet(report);
  if (nsx) await writeTableSheet(workbook, nsx);
  const seen = seenAsTenantSheet(report);
  if (seen) await writeTableSheet(workbook, seen);
  await workbook.commit();
}

interface SummaryField {
  field: string;
  value: CellInput;
  colour?: CellColour;
}

/** The facts an auditor records with the evidence: what, where, when, with which tool and data. */
export function summaryFields(report: AuditReport): SummaryField[] {
  const { scope, vcenter, snapshot } = report;
  const fields: SummaryField[] = [
    { field: 'Scope: tenants', value: scope.tenants.join(', ') },
    { field: 'Scope: tenant policy files', value: scope.tenantFiles.join('\n') },
    { field: 'Scope: source', value: scope.source },
    { field: 'Scope: snapshot file', value: scope.snapshotFile },
    {
      field: 'Scope: membership file',
      value: scope.membershipFile ?? '(none: groups not expanded)',
    },
    { field: 'Scope: role policy file', value: scope.rolePolicyFile },
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
    { field: 'Report generated', value: new Date(report.generatedAt) },
    { field: 'drperm version', value: report.tool.version },
    { field: 'Report format', value: `${report.format} v${report.formatVersion}` },
  ];
  for (const severity of SEVERITIES) {
    const count = report.totals[severity];
    fields.push({
      field: `Findings: ${severity}`,
      value: count,
      ...(count > 0 && { colour: SEVERITY_COLOURS[severity] }),
    });
  }
  fields.push(...serverCheckSummary(report));
  for (const warning of report.warnings) fields.push({ field: 'Warning', value: warning });
  return fields;
}

function writeSummarySheet(workbook: WorkbookWriter, report: AuditReport): void {
  const fields = summaryFields(report);
  const tenantName = Math.max(...report.tenants.map((t) => t.tenant.length), 0);
  const layout: ColumnLayout[] = [
    { width: Math.max(...fields.map((f) => f.field.length), tenantName) + 2 },
    // Fits a SHA-256 in hex on one line.
    { width: 68, wrap: true, align: 'left' },
    ...SUMMARY_TENANT_COLUMNS.slice(2).map((): ColumnLayout => ({ width: 10, align: 'center' })),
  ];
  const sheet = addReportSheet(workbook, SHEET_NAMES.summary, layout);
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + fields.length, column: 2 } };
  writeHeaderRow(sheet, ['Field', 'Value'], layout);
  for (const f of fields) {
    writeRow(
      sheet,
      [{ value: f.field }, { value: f.value, ...(f.colour && { colour: f.colour }) }],
      layout,
    );
  }

  // Per-tenant verdicts below the facts, so the first page answers "is every tenant isolated?".
  writeRow(sheet, [], layout);
  writeHeaderRow(
    sheet,
    SUMMARY_TENANT_COLUMNS.map((c) => c.header),
    layout,
  );
  for (const tenant of report.tenants) {
    writeRow(
      sheet,
      SUMMARY_TENANT_COLUMNS.map((c) => {
        const value = c.value(tenant);
        const colour = typeof value === 'string' ? c.colours?.[value] : undefined;
        return colour ? { value, colour } : { value };
      }),
      layout,
    );
  }
  if (report.tenants.length === 0) writeRow(sheet, [{ value: 'No tenants audited.' }], layout);
  sheet.commit();
}
