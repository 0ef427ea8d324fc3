import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReports } from '../../../src/report';
import { renderJsonReport, writeJsonReport } from '../../../src/report/json';
import { expandJsonReport, type JsonReportV2 } from '../../../src/report/json-read';
import { escapeMarkdown, renderMarkdown } from '../../../src/report/markdown';
import { HOSTILE_NAMES, makeReport } from './report-fixture';

describe('JSON report', () => {
  it('carries the whole AuditReport, hostile names included (expanded back from its ids)', () => {
    const report = makeReport();
    const text = renderJsonReport(report);
    expect(expandJsonReport(JSON.parse(text) as JsonReportV2)).toEqual(report);
    expect(text).toContain('"formatVersion": 3');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('lists privileges once per role: effective access names a set, a role plus extras', () => {
    const doc = JSON.parse(renderJsonReport(makeReport())) as JsonReportV2;
    const set = doc.privilegeSets[doc.effectiveAccess[1]!.privilegeSet]!;
    expect(set).toEqual({ id: set.id, roleId: 1001, extra: ['System.Anonymous', 'System.Read'] });
    // No privilege id appears in an effective access or permission row.
    for (const row of [...doc.effectiveAccess, ...doc.permissions]) {
      expect(JSON.stringify(row)).not.toMatch(/VirtualMachine\.|Datastore\./);
    }
    // Grants refer to the permissions table by id; one missing from it (the fixture's ops
    // group grant) is written whole.
    const leak = doc.effectiveAccess.find((r) => r.entity === 'vm-901')!;
    expect(typeof leak.grantedBy[0]).toBe('number');
    expect(leak.grantedBy[1]).toMatchObject({ principal: 'VSPHERE.LOCAL\\ops', group: true });
    expect(doc.permissions[leak.grantedBy[0] as number]).toMatchObject({
      entity: 'domain-c7',
      propagate: true,
    });
  });

  it('writes one table row per line, and findings whole with their ids', () => {
    const text = renderJsonReport(makeReport());
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('    {"tenant":"contoso","entity":'))).toHaveLength(
      makeReport().effectiveAccess.length,
    );
    const doc = JSON.parse(text) as JsonReportV2;
    expect(doc.findings[0]).toMatchObject({
      id: 'F-000000000001',
      evidence: [{ propagate: true }],
    });
    expect(doc.inputs.map((i) => i.kind)).toContain('membership');
  });

  it('streams the same text to a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drperm-json-'));
    try {
      await writeJsonReport(makeReport(), join(dir, 'r.json'));
      expect(await readFile(join(dir, 'r.json'), 'utf8')).toBe(renderJsonReport(makeReport()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a report labelled with another format version', () => {
    const report = { ...makeReport(), formatVersion: 1 } as unknown as ReturnType<
      typeof makeReport
    >;
    expect(() => renderJsonReport(report)).toThrow(/drperm-audit v3/);
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
    // No character that opens inline Markdown or HTML is left bare.
    expect(escaped.replace(/\\./g, '')).not.toMatch(/[`*[\]<|~$]/);
  });

  it('escapes the characters that would break a table, open HTML or an entity', () => {
    expect(escapeMarkdown('=contoso&<legacy>')).toBe('=contoso&\\<legacy>');
    expect(escapeMarkdown('===')).toBe('\\===');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('# heading')).toBe('\\# heading');
    // Not a list or a heading: a version, a negative number, a hashtag.
    expect(escapeMarkdown('0.1.0')).toBe('0.1.0');
    expect(escapeMarkdown('#tag')).toBe('#tag');
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
    expect(escapeMarkdown('-1')).toBe('-1');
    expect(escapeMarkdown('> quoted')).toBe('\\> quoted');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('&amp; and &#38;')).toBe('\\&amp; and \\&#38;');
    expect(escapeMarkdown('*bold* `code` [link] ~strike~ $x$')).toBe(
      '\\*bold\\* \\`code\\` \\[link\\] \\~strike\\~ \\$x\\$',
    );
  });

  it('leaves what CommonMark gives no meaning: colons, at signs, intraword underscores', () => {
    expect(escapeMarkdown('https://vc01.example/sdk')).toBe('https://vc01.example/sdk');
    expect(escapeMarkdown('note: admin@vsphere.local')).toBe('note: admin@vsphere.local');
    expect(escapeMarkdown('asr_contoso_vm')).toBe('asr_contoso_vm');
    expect(escapeMarkdown('_lead and trail_')).toBe('\\_lead and trail\\_');
    // A backslash before a letter is shown as it is; before punctuation it is escaped.
    expect(escapeMarkdown('VSPHERE.LOCAL\\asr-contoso')).toBe('VSPHERE.LOCAL\\asr-contoso');
    expect(escapeMarkdown('a\\*b')).toBe('a\\\\\\*b');
    expect(escapeMarkdown('ends\\')).toBe('ends\\\\');
  });

  it('shows control characters instead of letting them end a line or a table row', () => {
    // The one display form of src/util/escape.ts, as on the terminal and in the workbook.
    expect(escapeMarkdown('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(escapeMarkdown('x\x1b[31my\u202ez\u009b')).toBe('x\\x1b\\[31my\\u202ez\\x9b');
  });
});

describe('Markdown summary', () => {
  const report = makeReport();
  const md = renderMarkdown(report, {
    files: [{ format: 'xlsx', path: 'reports/x/drperm-audit.xlsx' }],
  });

  it('gives the verdict per tenant and the counts by severity', () => {
    expect(md).toContain('**1 of 2 tenants not isolated.**');
    expect(md).toMatch(
      /^\| contoso \| \*\*not isolated\*\* \| 9 \| 4 \| 1 \| 1 \| 0 \| 0 \| 0 \| 0 \|$/m,
    );
    expect(md).toMatch(/^\| fabrikam \| isolated \| 1 \| 0 \| 0 \| 0 \| 0 \| 1 \| 0 \| 0 \|$/m);
    expect(md).toMatch(/^\| 1 \| 1 \| 1 \| 0 \| 0 \|$/m);
  });

  it('keeps every table row to its column count despite pipes in names', () => {
    const tableRows = md.split('\n').filter((l) => l.startsWith('|'));
    for (const row of tableRows) {
      const cells = row.replace(/\\\|/g, '').split('|').length - 2;
      expect([10, 5, 4]).toContain(cells);
    }
    expect(md).toContain('tenant a\\|b');
  });

  it('shows the leak matrix with the foreign counts in bold', () => {
    expect(md).toContain('## Leak matrix');
    expect(md).toMatch(/^\| Tenant account \| contoso \| fabrikam \| unowned \|$/m);
    expect(md).toMatch(/^\| contoso \| 9 \| \*\*1\*\* \| 0 \|$/m);
    expect(md).toMatch(/^\| fabrikam \| 0 \| 1 \| 0 \|$/m);
  });

  it('lists the SHA-256 of every input and the command line', () => {
    for (const input of makeReport().inputs) expect(md).toContain(`\`${input.sha256}\``);
    expect(md).toContain('- Command line: drperm audit --tenants tenants --snapshot snap.json');
  });

  it('reads as plain text: no escaped colons or at signs', () => {
    expect(md).not.toMatch(/\\[:@]/);
    expect(md).toContain('https://vcenter.example.test/sdk');
  });

  it('lists the top findings most severe first, with evidence and the fix', () => {
    const items = md.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(items.map((l) => l.match(/\*\*(\w+)\*\*/)?.[1])).toEqual(['critical', 'high', 'medium']);
    expect(md).toContain('- Evidence: /DC0/host/C0 (ClusterComputeResource domain-c7)');
    expect(md).toContain('VM =contoso&\\<legacy> lacks the grant');
    expect(md).toContain('drperm 0.1.0, report generated');
    expect(md).toContain('**critical** `cross-tenant-access` F-000000000001, tenant contoso');
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
      const doc = JSON.parse(await readFile(join(dir, file!.path), 'utf8')) as JsonReportV2;
      expect(expandJsonReport(doc)).toEqual(makeReport());
    } finally {
      process.chdir(cwd);
    }
  });
});
