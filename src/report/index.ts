/** Writing the audit's reports (workbook, JSON, Markdown) into one directory per run. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditReport } from '../audit/report-model';
import { writeJsonReport } from './json';
import { renderMarkdown, type ReportFile } from './markdown';
import type * as SignatureModule from './signature';
import { fileSafeTimestamp } from './text';
import type * as WorkbookModule from './workbook';

/**
 * Modules loaded on first use: commands that write no workbook (and `drperm --version`)
 * should not pay for loading the workbook writer or the signing code.
 */
function lazy<T>(load: () => T): () => T {
  let module: T | undefined;
  return () => (module ??= load());
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const workbookModule = lazy(() => require('./workbook') as typeof WorkbookModule);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const signatureModule = lazy(() => require('./signature') as typeof SignatureModule);

export type ReportFormat = Exclude<ReportFile['format'], 'sig'>;
export const REPORT_FORMATS: readonly ReportFormat[] = ['xlsx', 'json', 'md'];
export type { ReportFile };

export interface WriteReportsOptions {
  /** Default: reports/<UTC time of the report>/ under the current directory. */
  outDir?: string;
  formats: ReportFormat[];
  /** Ed25519 private key file: each report gets a detached signature `<file>.sig`. */
  signKey?: string;
}

export function defaultReportDir(report: AuditReport): string {
  return join('reports', fileSafeTimestamp(new Date(report.generatedAt)));
}

/**
 * Writes the requested formats and returns their paths, in the order xlsx, json, md, then
 * the signatures. File names carry the time too, so a file mailed on its own still says
 * which run it is.
 */
export async function writeReports(
  report: AuditReport,
  options: WriteReportsOptions,
): Promise<ReportFile[]> {
  // The key is checked before any report is written.
  const signing = options.signKey ? signatureModule() : undefined;
  const key =
    signing && options.signKey ? await signing.loadSigningKey(options.signKey) : undefined;
  const outDir = options.outDir ?? defaultReportDir(report);
  await mkdir(outDir, { recursive: true });
  const base = join(outDir, `drperm-audit-${fileSafeTimestamp(new Date(report.generatedAt))}`);
  const wanted = REPORT_FORMATS.filter((f) => options.formats.includes(f));
  const files: ReportFile[] = wanted.map((format) => ({ format, path: `${base}.${format}` }));

  for (const file of files) {
    if (file.format === 'xlsx') {
      await workbookModule().writeWorkbook(report, file.path);
    }
    if (file.format === 'json') await writeJsonReport(report, file.path);
    // Written last in the list, so it can point at every file of the run.
    if (file.format === 'md') await writeFile(file.path, renderMarkdown(report, { files }), 'utf8');
  }
  if (signing && key) {
    for (const file of [...files]) {
      files.push({ format: 'sig', path: await signing.signFile(file.path, key) });
    }
  }
  return files;
}
