import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReports } from '../../../src/report';
import { renderJsonReport } from '../../../src/report/json';
import { escapeMarkdown, renderMarkdown } from '../../../src/report/markdown';
import { HOSTILE_NAMES, makeReport } from './report-fixture';

describe('JSON report', () => {
  it('round-trips the whole AuditReport, hostile names included', () => {
    const report = makeReport();
    const text = renderJsonReport(report);
    expect(JSON.parse(text)).toEqual(report);
    expect(text).toContain('"formatVersion": 1');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('refuses a report labelled with another format version', () => {
    const report = { ...makeReport(), formatVersion: 2 } as unknown as ReturnType<
      typeof makeReport
    >;
    expect(() => renderJsonReport(report)).toThrow(/drperm-audit v1/);
  });
});

/** Undoes CommonMark backslash escapes: what a renderer shows for escaped text. */
function shown(markdown: string): string {
  return markdown.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

describe('Markdown escaping', () => {
  it.each(HOSTILE_NAMES.filter((n) => !/[\t\r]/.test(n)))('%j renders literally', (name) => {
    const escaped = escapeMarkdown(name);
    expect(shown(escaped)).toBe(name);
    // No character that starts Markdown or HTML syntax is left bare.
    expect(escaped.replace(/\\./g, '')).not.toMatch(/[\\`*_[\]<>|~&$@!]/);
  });

  it('escapes the characters that would break a table, open HTML or an entity', () => {
    expect(escapeMarkdown('=contoso&<legacy>')).toBe('\\=contoso\\&\\<legacy\\>');
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('-1')).toBe('\\-1');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    // The opening colon is enough to stop an :emoji: code; a colon before a space is prose.
    expect(escapeMarkdown(':smile: and note: fine')).toBe('\\:smile: and note: fine');
    expect(escapeMarkdown('https://x')).toBe('https\\://x');
  });

  it('shows control characters instead of letting them end a line or a table row', () => {
    expect(escapeMarkdown('a\nb\tc\rd')).toBe('a\u240Ab\u2409c\u240Dd');
  });
});

describe('Markdown summary', () => {
  const report = makeReport();
  const md = renderMarkdown(report, {
    files: [{ format: 'xlsx', path: 'reports/x/drperm-audit.xlsx' }],
  });

  it('gives the verdict per tenant and the counts by severity', () => {
    expect(md).toContain('**1 of 2 tenants not isolated.**');
    expect(md).toMatch(/^\| contoso \| \*\*not isolated\*\* \| 1 \| 0 \| 0 \| 0 \| 0 \| 1 \|$/m);
    expect(md).toMatch(/^\| fabrikam \| isolated \| 0 \| 0 \| 1 \| 0 \| 0 \| 0 \|$/m);
    expect(md).toMatch(/^\| 1 \| 1 \| 1 \| 0 \| 0 \|$/m);
  });

  it('keeps every table row to its column count despite pipes in names', () => {
    const tableRows = md.split('\n').filter((l) => l.startsWith('|'));
    for (const row of tableRows) {
      const cells = row.replace(/\\\|/g, '').split('|').length - 2;
      expect([8, 5]).toContain(cells);
    }
    expect(md).toContain('tenant a\\|b');
  });

  it('lists the top findings most severe first, with evidence and the fix', () => {
    const items = md.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(items.map((l) => l.match(/\*\*(\w+)\*\*/)?.[1])).toEqual(['critical', 'high', 'medium']);
    expect(md).toContain('- Evidence: /DC0/host/C0 (ClusterComputeResource domain-c7)');
    expect(md).toContain('VM =contoso\\&\\<legacy\\> lacks the grant');
    expect(md).toContain('- Fix: Remove the propagating grant');
  });

  it('cuts the list at topFindings and says how many more there are', () => {
    const short = renderMarkdown(report, { topFindings: 1 });
    expect(short.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(1);
    expect(short).toContain('… and 2 more');
  });

  it('says where the files are', () => {
    expect(md).toContain('- Workbook (for auditors): reports/x/drperm-audit.xlsx');
  });
});

describe('writeReports', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drperm-reports-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the requested formats, named after the report time', async () => {
    const out = join(dir, 'nested', 'run');
    const files = await writeReports(makeReport(), { outDir: out, formats: ['md', 'json'] });
    expect(files).toEqual([
      { format: 'json', path: join(out, 'drperm-audit-2025-03-04T05-06-07Z.json') },
      { format: 'md', path: join(out, 'drperm-audit-2025-03-04T05-06-07Z.md') },
    ]);
    expect((await readdir(out)).sort()).toEqual(files.map((f) => f.path.slice(out.length + 1)));
    const md = await readFile(files[1]!.path, 'utf8');
    expect(md).toContain('JSON report: ');
  });

  it('defaults to reports/<UTC time>/ under the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const [file] = await writeReports(makeReport(), { formats: ['json'] });
      expect(file!.path).toBe(
        join('reports', '2025-03-04T05-06-07Z', 'drperm-audit-2025-03-04T05-06-07Z.json'),
      );
      expect(JSON.parse(await readFile(join(dir, file!.path), 'utf8'))).toEqual(makeReport());
    } finally {
      process.chdir(cwd);
    }
  });
});
