/**
 * The JSON report: the AuditReport exactly as the audit produced it, pretty-printed.
 * Its `format` and `formatVersion` fields tell consumers which schema they read
 * (README "Report format").
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  AUDIT_REPORT_FORMAT,
  AUDIT_REPORT_FORMAT_VERSION,
  type AuditReport,
} from '../audit/report-model';

export function renderJsonReport(report: AuditReport): string {
  // Refuse a report that would mislabel its own schema: consumers branch on these two fields.
  if (
    report.format !== AUDIT_REPORT_FORMAT ||
    report.formatVersion !== AUDIT_REPORT_FORMAT_VERSION
  ) {
    throw new Error(
      `refusing to write a report labelled ${String(report.format)} v${String(report.formatVersion)}; expected ${AUDIT_REPORT_FORMAT} v${AUDIT_REPORT_FORMAT_VERSION}`,
    );
  }
  return JSON.stringify(report, null, 2) + '\n';
}

export async function writeJsonReport(report: AuditReport, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderJsonReport(report), 'utf8');
}
