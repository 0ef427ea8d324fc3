/** Writing the audit's reports (workbook, JSON, Markdown) into one directory per run. */
import { makeOutputDir, writeOutputFile } from '../util/output-files';
import { join } from 'node:path';
import type { AuditReport } from '../audit/report-model';
import { writeJsonReport } from './json';
import { renderMarkdown, type ReportFile } from './markdown';
import { fileSafeTimestamp } from './text';
import { writeWorkbook } from './workbook';

export type ReportFormat = ReportFile['format'];
export const REPORT_FORMATS: readonly ReportFormat[] = ['xlsx', 'json', 'md'];
export type { ReportFile };

export interface WriteReportsOptions {
  /** Default: reports/<UTC time of the report>/ under the current directory. */
  outDir?: string;
  formats: ReportFormat[];
}

export function defaultReportDir(report: AuditReport): string {
  return join('reports', fileSafeTimestamp(new Date(report.generatedAt)));
}

/**
 * Writes the requested formats and returns their paths, in the order xlsx, json, md.
 * File names carry the time too, so a file mailed on its own still says which run it is.
 */
export async function writeReports(
  report: AuditReport,
  options: WriteReportsOptions,
): Promise<ReportFile[]> {
  const outDir = options.outDir ?? defaultReportDir(report);
  await makeOutputDir(outDir);
  const base = join(outDir, `drperm-audit-${fileSafeTimestamp(new Date(report.generatedAt))}`);
  const wanted = REPORT_FORMATS.filter((f) => options.formats.includes(f));
  const files: ReportFile[] = wanted.map((format) => ({ format, path: `${base}.${format}` }));

  for (const file of files) {
    if (file.format === 'xlsx') await writeWorkbook(report, file.path);
    if (file.format === 'json') await writeJsonReport(report, file.path);
    // Written last in the list, so it can point at every file of the run.
    if (file.format === 'md') await writeOutputFile(file.path, renderMarkdown(report, { files }));
  }
  return files;
}
