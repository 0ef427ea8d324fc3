/**
 * The workbook's NSX sheet from AuditReport.nsx, whose type the report model leaves open:
 * NsxWorkbookRow[] (src/model/nsx.ts), alone or as `{ rows }`, or a plain
 * `{ columns, rows }` table. Anything else is still shown (as JSON per field), never dropped.
 */
import type { NsxWorkbookRow } from '../model/nsx';

export type ReportTableCell = string | number | boolean | null;

export interface ReportTable {
  columns: string[];
  rows: ReportTableCell[][];
}

export function isReportTable(value: unknown): value is ReportTable {
  if (typeof value !== 'object' || value === null) return false;
  const { columns, rows } = value as Record<string, unknown>;
  return (
    Array.isArray(columns) &&
    columns.every((c) => typeof c === 'string') &&
    Array.isArray(rows) &&
    rows.every((r) => Array.isArray(r) && r.every(isCell))
  );
}

function isCell(value: unknown): value is ReportTableCell {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

const NSX_ROW_COLUMNS: Array<[header: string, key: keyof NsxWorkbookRow]> = [
  ['Severity', 'severity'],
  ['Rules', 'rules'],
  ['Tenant', 'tenant'],
  ['Principal', 'principal'],
  ['Principal type', 'principalType'],
  ['Identity source', 'identitySource'],
  ['Path', 'path'],
  ['Role id', 'roleId'],
  ['Role', 'roleName'],
  ['Role kind', 'roleKind'],
];

function isNsxRows(value: unknown): value is NsxWorkbookRow[] {
  return (
    Array.isArray(value) &&
    value.every(
      (r) =>
        typeof r === 'object' &&
        r !== null &&
        NSX_ROW_COLUMNS.every(([, key]) => typeof (r as Record<string, unknown>)[key] === 'string'),
    )
  );
}

/** The NSX section as a table, whatever its shape, so nothing the audit found goes unseen. */
export function nsxAsTable(nsx: unknown): ReportTable {
  if (isReportTable(nsx)) return nsx;
  const rows = isNsxRows(nsx)
    ? nsx
    : isNsxRows((nsx as { rows?: unknown })?.rows)
      ? (nsx as { rows: NsxWorkbookRow[] }).rows
      : undefined;
  if (rows) {
    return {
      columns: NSX_ROW_COLUMNS.map(([header]) => header),
      rows: rows.map((r) => NSX_ROW_COLUMNS.map(([, key]) => r[key])),
    };
  }
  const entries =
    typeof nsx === 'object' && nsx !== null && !Array.isArray(nsx)
      ? Object.entries(nsx)
      : [['nsx', nsx] as const];
  return {
    columns: ['Field', 'Value (JSON)'],
    rows: entries.map(([key, value]) => [key, JSON.stringify(value) ?? null]),
  };
}
