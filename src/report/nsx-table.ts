/**
 * The shape the NSX audit fills in AuditReport.nsx for the workbook's NSX sheet: one
 * plain table. Until src/model/nsx.ts defines its own rows, this is the contract; anything
 * else found in `nsx` is still shown (as JSON per field) rather than dropped.
 */
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

/** The NSX section as a table, whatever its shape, so nothing the audit found goes unseen. */
export function nsxAsTable(nsx: unknown): ReportTable {
  if (isReportTable(nsx)) return nsx;
  const entries =
    typeof nsx === 'object' && nsx !== null && !Array.isArray(nsx)
      ? Object.entries(nsx)
      : [['nsx', nsx] as const];
  return {
    columns: ['Field', 'Value (JSON)'],
    rows: entries.map(([key, value]) => [key, JSON.stringify(value) ?? null]),
  };
}
