/**
 * A one-page Markdown summary for a ticket or a pull request: verdicts, counts, the most
 * severe findings with their evidence, and where the full reports are. Every name from the
 * inventory is escaped, so `=contoso&<legacy>` or `a|b` render literally and cannot break
 * a table, start a link, mention a user or emit HTML.
 */
import type { AuditReport, MembershipReportSection } from '../audit/report-model';
import { SEVERITIES, severityRank, type TrackedFinding } from '../audit/types';
import { serverCheckMarkdown } from './seen-as-tenant';
import { escapeControl } from '../util/escape';
import { formatEvidence } from './text';

export interface ReportFile {
  /** 'sig': a detached signature of one of the others (audit --sign). */
  format: 'xlsx' | 'json' | 'md' | 'sig';
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

// Minimal CommonMark escaping (spec 0.31, "Backslash escapes"), plus GFM tables and
// strikethrough, so names read as plain text in a ticket and render literally everywhere:
// - always: code spans, emphasis '*', link brackets, HTML and autolinks '<', table cells '|',
//   strikethrough '~', and GitHub's math '$';
// - '_' only where it could open or close emphasis (not between two letters or digits);
// - '&' only where it would start an entity or numeric character reference;
// - '\' only before punctuation (elsewhere CommonMark shows it as it is) or at the end;
// - ':' and '@' never: CommonMark gives them no meaning.
const SPECIAL_ANYWHERE = /[`*[\]<|~$]/g;
const UNDERSCORE = /_/g;
const ENTITY_START = /&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]*;)/g;
const BACKSLASH = /\\(?=[!-/:-@[-`{-~]|$)/g;
// Block syntax that only counts at the start of a line (a name may start a list item's text):
// headings, block quotes, list markers, setext underlines and thematic breaks, ordered list
// numbers. A marker needs a space or the end after it ("0.1.0" or "-1" start no list).
const SPECIAL_AT_START = /^(#{1,6}(?=\s|$)|>|[+-](?=\s|$)|(?:=+|-+)\s*$)|^(\d{1,9})([.)])(?=\s|$)/;
const WORD = /[\p{L}\p{N}]/u;

/** Text from the inventory or the policy, made literal in Markdown (also inside table cells). */
export function escapeMarkdown(text: string): string {
  // Control characters first, in the one display form (src/util/escape.ts): no line break
  // can end a table row, and the backslash of `\x1b` precedes a letter, which CommonMark shows.
  return escapeControl(text)
    .replace(BACKSLASH, '\\\\')
    .replace(SPECIAL_ANYWHERE, '\\$&')
    .replace(UNDERSCORE, (_m, at: number, all: string) =>
      WORD.test(all[at - 1] ?? '') && WORD.test(all[at + 1] ?? '') ? '_' : '\\_',
    )
    .replace(ENTITY_START, '\\&')
    .replace(SPECIAL_AT_START, (m: string, mark?: string, digits?: string, dot?: string) =>
      mark !== undefined ? `\\${m}` : `${digits ?? ''}\\${dot ?? ''}`,
    );
}

const FORMAT_LABELS: Record<ReportFile['format'], string> = {
  xlsx: 'Workbook (for auditors)',
  json: 'JSON report',
  md: 'This summary',
  sig: 'Signature',
};

/** Above this many tenants the leak matrix is shown as a list of its non-zero foreign cells. */
const MATRIX_MAX_TENANTS = 16;

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
      `drperm ${e(report.tool.version)}, report generated ${report.generatedAt}.`,
    '',
  );

  if (report.vcenters) out.push(...vcenterTable(report.vcenters));

  // Fleet reports name each tenant's vCenters (README "Dedicated and managed-service models").
  const fleet = report.vcenters !== undefined;
  out.push('## Tenants', '');
  out.push(
    `| Tenant |${fleet ? ' vCenters |' : ''} Verdict | Objects owned | Shared objects granted | Foreign objects reachable | Critical | High | Medium | Low | Info |`,
  );
  out.push(`|---|${fleet ? '---|' : ''}---|--:|--:|--:|--:|--:|--:|--:|--:|`);
  for (const t of report.tenants) {
    const verdict = t.verdict === 'isolated' ? 'isolated' : '**not isolated**';
    const counts = SEVERITIES.map((s) => t.findings[s]).join(' | ');
    const where = fleet ? ` ${e((t.vcenters ?? []).join(', '))} |` : '';
    const unaudited = t.unaudited ? ` (vCenter ${e(t.unaudited.join(', '))} not audited)` : '';
    out.push(
      `| ${e(t.tenant)} |${where} ${verdict}${unaudited} | ${t.ownedObjects} | ${t.sharedObjectsGranted} | ${t.foreignObjectsReachable} | ${counts} |`,
    );
  }
  out.push('');

  out.push(...leakMatrixBlock(report));

  out.push('## Findings by severity', '');
  out.push(`| ${SEVERITIES.join(' | ')} |`, `|${SEVERITIES.map(() => '--:').join('|')}|`);
  out.push(`| ${SEVERITIES.map((s) => report.totals[s]).join(' | ')} |`, '');
  if (report.previous) {
    const { counts } = report.previous;
    out.push(
      `Since the previous report (${e(report.previous.file)}): ${counts.new} new, ${counts.unchanged} unchanged, ${counts.resolved} resolved.`,
      '',
    );
  }

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

  if (report.membership) out.push(...membershipLines(report.membership));
  out.push(...serverCheckMarkdown(report, e));

  if (report.warnings.length > 0) {
    out.push('## Warnings', '');
    for (const w of new Set(report.warnings)) out.push(`- ${e(w)}`);
    out.push('');
  }

  out.push('## Evidence', '');
  for (const input of report.inputs) {
    out.push(`- SHA-256 of ${input.kind} ${e(input.path)}: \`${input.sha256}\``);
  }
  if (report.nsx) {
    out.push(`- NSX Manager ${e(report.nsx.managerUrl)}, collected ${e(report.nsx.collectedAt)}`);
  }
  for (const m of report.nsxManagers ?? []) {
    const serves = m.vcenter !== undefined ? `vCenter ${e(m.vcenter)}` : 'every vCenter';
    out.push(
      m.section
        ? `- NSX Manager ${e(m.name)} (${serves}) ${e(m.section.managerUrl)}, collected ${e(m.section.collectedAt)}`
        : `- NSX Manager ${e(m.name)} (${serves}) **failed**: ${e(m.error ?? '')}`,
    );
  }
  if (report.commandLine !== undefined) out.push(`- Command line: ${e(report.commandLine)}`);
  out.push('');

  if (options.files && options.files.length > 0) {
    out.push('## Files', '');
    for (const f of options.files) out.push(`- ${FORMAT_LABELS[f.format]}: ${e(f.path)}`);
    out.push('');
  }
  return out.join('\n');
}

/**
 * Rows: tenant accounts; columns: whose VMs they reach. Counts of another tenant's (or of
 * nobody's) VMs are bold: those are the leaks. Large audits get the list of leaks instead.
 */
function leakMatrixBlock(report: AuditReport): string[] {
  const e = escapeMarkdown;
  const { columns, rows } = report.leakMatrix;
  if (rows.length === 0) return [];
  const out = ['## Leak matrix', ''];
  out.push(
    'VMs of each tenant (columns) that each tenant account (rows) reaches; a bold count is a leak.',
    '',
  );
  if (rows.length <= MATRIX_MAX_TENANTS) {
    out.push(`| Tenant account | ${columns.map(e).join(' | ')} |`);
    out.push(`|---|${columns.map(() => '--:').join('|')}|`);
    rows.forEach((r, i) => {
      const cells = r.counts.map((n, j) => (j !== i && n > 0 ? `**${n}**` : String(n)));
      out.push(`| ${e(r.tenant)} | ${cells.join(' | ')} |`);
    });
  } else {
    const leaks = rows.flatMap((r, i) =>
      r.counts.flatMap((n, j) =>
        j !== i && n > 0 ? [`- ${e(r.tenant)} reaches **${n}** VMs of ${e(columns[j]!)}`] : [],
      ),
    );
    out.push(...(leaks.length > 0 ? leaks : ['No tenant account reaches a VM it does not own.']));
    out.push(
      '',
      `The full ${rows.length} × ${columns.length} matrix is on the workbook's Leak matrix sheet.`,
    );
  }
  out.push('');
  return out;
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
    '|---|---|---|--:|--:|--:|--:|--:|---|',
  ];
  for (const v of rows) {
    const counts = SEVERITIES.map((s) => v.findings[s]).join(' | ');
    const status = v.status === 'failed' ? '**failed**' : 'audited';
    const last = v.status === 'failed' ? e(v.error ?? '') : `\`${v.snapshot?.sha256 ?? ''}\``;
    out.push(`| ${e(v.name)} | ${status} | ${e(v.tenants.join(', '))} | ${counts} | ${last} |`);
  }
  out.push('');
  return out;
}

function findingItem(f: TrackedFinding, n: number, options: MarkdownOptions): string[] {
  const e = escapeMarkdown;
  const perFinding = options.evidencePerFinding ?? 3;
  const change = f.change ? ` (${f.change})` : '';
  const where = f.vcenter !== undefined ? `, vCenter ${e(f.vcenter)}` : '';
  const lines = [
    `${n}. **${f.severity}** \`${f.rule}\` ${f.id}${change}${where}, tenant ${e(f.tenant)}, principal ${e(f.principal)}: ${e(f.message)}`,
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

/** Per group where its members came from, and every group still unresolved. */
function membershipLines(m: MembershipReportSection): string[] {
  const e = escapeMarkdown;
  const out = ['## Group membership', ''];
  if (m.sources.length === 0) out.push('No membership source was given.');
  for (const s of m.sources)
    out.push(`- Source ${e(s.id)}: ${s.kind} ${e(s.location)}, read ${s.readAt}`);
  out.push('');
  for (const g of m.groups) {
    const nested = g.nestedGroups.length > 0 ? `, nested: ${g.nestedGroups.map(e).join(', ')}` : '';
    out.push(
      `- ${e(g.group)}: members from ${g.sourceKind} ${e(g.sourceLocation)} (${g.readAt}); ${g.directMembers} direct, ${g.users} users${nested}`,
    );
  }
  if (m.unresolved.length > 0) {
    out.push('', `Unresolved groups (${m.unresolved.length}):`, '');
    for (const u of m.unresolved) {
      out.push(
        `- ${e(u.group)} (${u.permissions} permission${u.permissions === 1 ? '' : 's'}): ${e(u.reason)}`,
      );
    }
  }
  for (const c of m.cycles) out.push('', `Membership cycle: ${[...c, c[0]!].map(e).join(' -> ')}`);
  out.push('');
  return out;
}
