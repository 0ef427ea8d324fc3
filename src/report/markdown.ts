/**
 * A one-page Markdown summary for a ticket or a pull request: verdicts, counts, the most
 * severe findings with their evidence, and where the full reports are. Every name from the
 * inventory is escaped, so `=contoso&<legacy>` or `a|b` render literally and cannot break
 * a table, start a link, mention a user or emit HTML.
 */
import type { AuditReport } from '../audit/report-model';
import { SEVERITIES, severityRank, type Finding } from '../audit/types';
import { controlPicture, formatEvidence } from './text';

export interface ReportFile {
  format: 'xlsx' | 'json' | 'md';
  path: string;
}

export interface MarkdownOptions {
  /** The report files written alongside, listed under "Files". */
  files?: ReportFile[];
  /** How many findings to show in full (default 10). */
  topFindings?: number;
  /** Evidence lines shown per finding (default 3). */
  evidencePerFinding?: number;
}

// Punctuation that means something anywhere in CommonMark or GitHub Flavored Markdown:
// emphasis, code, links, HTML, entities, table cells, strikethrough, math, @mentions.
const SPECIAL_ANYWHERE = /[\\`*_[\]<>|~&$@!]/g;
// ':' opens :emoji: codes and autolinks only when text follows it directly.
const COLON_BEFORE_TEXT = /:(?=\S)/g;
// Block syntax that only counts at the start of a line (a name may start a list item's text):
// headings, list markers, setext underlines, ordered list numbers.
const SPECIAL_AT_START = /^([#+\-=])|^(\d+)([.)])/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/g;

/** Text from the inventory or the policy, made literal in Markdown (also inside table cells). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(CONTROL, controlPicture)
    .replace(SPECIAL_ANYWHERE, '\\$&')
    .replace(COLON_BEFORE_TEXT, '\\:')
    .replace(SPECIAL_AT_START, (_m, mark?: string, digits?: string, dot?: string) =>
      mark !== undefined ? `\\${mark}` : `${digits ?? ''}\\${dot ?? ''}`,
    );
}

const FORMAT_LABELS: Record<ReportFile['format'], string> = {
  xlsx: 'Workbook (for auditors)',
  json: 'JSON report',
  md: 'This summary',
};

export function renderMarkdown(report: AuditReport, options: MarkdownOptions = {}): string {
  const top = options.topFindings ?? 10;
  const out: string[] = [];
  const e = escapeMarkdown;
  const target = report.vcenter.url || report.vcenter.name;

  out.push(`# drperm isolation audit: ${e(target)}`, '');
  out.push(verdictLine(report), '');
  out.push(
    `vCenter ${e(report.vcenter.fullName)}, instance ${e(report.vcenter.instanceUuid)}; ` +
      `collected ${report.snapshot.collectedAt} by ${e(report.snapshot.collectedBy)}; ` +
      `snapshot SHA-256 \`${report.snapshot.sha256}\`; drperm ${report.tool.version}, ` +
      `report generated ${report.generatedAt}.`,
    '',
  );

  if (report.vcenters) out.push(...vcenterTable(report.vcenters));

  // Fleet reports name each tenant's vCenters (README "Dedicated and managed-service models").
  const fleet = report.vcenters !== undefined;
  out.push('## Tenants', '');
  out.push(
    `| Tenant |${fleet ? ' vCenters |' : ''} Verdict | Critical | High | Medium | Low | Info | Foreign objects reachable |`,
  );
  out.push(`|---|${fleet ? '---|' : ''}---|--:|--:|--:|--:|--:|--:|`);
  for (const t of report.tenants) {
    const verdict = t.verdict === 'isolated' ? 'isolated' : '**not isolated**';
    const counts = SEVERITIES.map((s) => t.findings[s]).join(' | ');
    const where = fleet ? ` ${e((t.vcenters ?? []).join(', '))} |` : '';
    const unaudited = t.unaudited ? ` (vCenter ${e(t.unaudited.join(', '))} not audited)` : '';
    out.push(
      `| ${e(t.tenant)} |${where} ${verdict}${unaudited} | ${counts} | ${t.foreignObjectsReachable} |`,
    );
  }
  out.push('');

  out.push('## Findings by severity', '');
  out.push(`| ${SEVERITIES.join(' | ')} |`, `|${SEVERITIES.map(() => '--:').join('|')}|`);
  out.push(`| ${SEVERITIES.map((s) => report.totals[s]).join(' | ')} |`, '');

  const findings = [...report.findings].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity),
  );
  if (findings.length > 0) {
    out.push(`## Top findings`, '');
    findings.slice(0, top).forEach((f, i) => out.push(...findingItem(f, i + 1, options)));
    if (findings.length > top) {
      out.push(`… and ${findings.length - top} more: see the workbook's Findings sheet.`, '');
    }
  }

  if (report.warnings.length > 0) {
    out.push('## Warnings', '');
    for (const w of report.warnings) out.push(`- ${e(w)}`);
    out.push('');
  }

  if (options.files && options.files.length > 0) {
    out.push('## Files', '');
    for (const f of options.files) out.push(`- ${FORMAT_LABELS[f.format]}: ${e(f.path)}`);
    out.push('');
  }
  return out.join('\n');
}

function verdictLine(report: AuditReport): string {
  const total = report.tenants.length;
  const leaking = report.tenants.filter((t) => t.verdict === 'not isolated').length;
  if (total === 0) return '**No tenants audited.**';
  if (leaking === 0) return `**All ${total} tenants are isolated.**`;
  return `**${leaking} of ${total} tenants not isolated.**`;
}

function vcenterTable(rows: NonNullable<AuditReport['vcenters']>): string[] {
  const e = escapeMarkdown;
  const out = [
    '## vCenters',
    '',
    '| vCenter | Status | Tenants | Critical | High | Medium | Low | Info | Snapshot SHA-256 or error |',
  ];
  out.push('|---|---|---|--:|--:|--:|--:|--:|---|');
  for (const v of rows) {
    const counts = SEVERITIES.map((s) => v.findings[s]).join(' | ');
    const status = v.status === 'failed' ? '**failed**' : 'audited';
    const last = v.status === 'failed' ? e(v.error ?? '') : `\`${v.snapshot?.sha256 ?? ''}\``;
    out.push(`| ${e(v.name)} | ${status} | ${e(v.tenants.join(', '))} | ${counts} | ${last} |`);
  }
  out.push('');
  return out;
}

function findingItem(f: Finding, n: number, options: MarkdownOptions): string[] {
  const e = escapeMarkdown;
  const perFinding = options.evidencePerFinding ?? 3;
  const where = f.vcenter !== undefined ? `, vCenter ${e(f.vcenter)}` : '';
  const lines = [
    `${n}. **${f.severity}** \`${f.rule}\`${where}, tenant ${e(f.tenant)}, principal ${e(f.principal)}: ${e(f.message)}`,
  ];
  if (f.entity) {
    lines.push(`   - Object: ${e(f.entity.path)} (${e(f.entity.type)} ${e(f.entity.moref)})`);
  }
  const evidence = [...f.evidence.map(formatEvidence), ...(f.details ?? [])];
  for (const item of evidence.slice(0, perFinding)) lines.push(`   - Evidence: ${e(item)}`);
  if (evidence.length > perFinding) {
    lines.push(`   - … ${evidence.length - perFinding} more evidence items in the workbook`);
  }
  lines.push(`   - Fix: ${e(f.remediation)}`, '');
  return lines;
}
