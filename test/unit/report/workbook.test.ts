import type ExcelJS from 'exceljs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorkbook } from '../../../src/report/workbook';
import { SEVERITY_COLOURS, VERDICT_COLOURS } from '../../../src/report/xlsx-style';
import { HOSTILE_NAMES, makeReport } from './report-fixture';
import {
  column,
  headers,
  isTextCell,
  plain,
  readWorkbook,
  readXmlParts,
  sheetValues,
} from './xlsx-read';

const TABLE_SHEETS = [
  'Summary',
  'Findings',
  'Tenants',
  'Effective access',
  'Permissions',
  'Roles',
  'Role vs CloudAdmin',
];

let dir: string;
let path: string;
let workbook: ExcelJS.Workbook;
const report = makeReport();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drperm-workbook-'));
  path = join(dir, 'audit.xlsx');
  await writeWorkbook(report, path);
  workbook = await readWorkbook(path);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sheet(name: string): ExcelJS.Worksheet {
  const found = workbook.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}`);
  return found;
}

describe('workbook structure', () => {
  it('has the sheets in order, and no NSX sheet without an nsx section', () => {
    expect(workbook.worksheets.map((s) => s.name)).toEqual(TABLE_SHEETS);
  });

  it('names the columns auditors filter on', () => {
    expect(headers(sheet('Findings'))).toEqual([
      'Severity',
      'Rule',
      'Tenant',
      'Principal',
      'Entity path',
      'Entity type',
      'Moref',
      'Finding',
      'Evidence (permissions)',
      'Remediation',
    ]);
    expect(headers(sheet('Tenants'))).toEqual(
      expect.arrayContaining([
        'Tenant',
        'Verdict',
        'Objects owned',
        'Shared objects granted',
        'Foreign objects reachable',
      ]),
    );
    expect(headers(sheet('Effective access'))).toEqual(
      expect.arrayContaining(['Principal', 'Entity path', 'Granted on', 'Role', 'Propagate']),
    );
    expect(headers(sheet('Roles'))).toEqual(
      expect.arrayContaining(['Role', 'Privilege id', 'Privilege display name']),
    );
  });

  it.each(TABLE_SHEETS)(
    '%s: bold frozen header, auto-filter over the table, print setup',
    (name) => {
      const ws = sheet(name);
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      // exceljs reads the filter back as a range string starting at the header.
      expect(String(ws.autoFilter)).toMatch(/^A1:[A-Z]+\d+$/);
      expect(ws.pageSetup).toMatchObject({
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
      });
      expect(ws.pageSetup.printTitlesRow).toBe('1:1');
    },
  );

  it('covers every data row with the auto-filter', () => {
    const ws = sheet('Effective access');
    const lastRow = 1 + report.effectiveAccess.length;
    const lastColumn = ws.getColumn(headers(ws).length).letter;
    expect(ws.autoFilter).toBe(`A1:${lastColumn}${lastRow}`);
  });

  it('sizes columns to their content within limits', () => {
    const ws = sheet('Findings');
    headers(ws).forEach((header, i) => {
      const width = ws.getColumn(i + 1).width ?? 0;
      expect(width).toBeGreaterThanOrEqual(Math.min(header.length, 50));
      expect(width).toBeLessThanOrEqual(60);
    });
  });

  // Unwrapped text in the last column spills into the empty columns to its right; LibreOffice
  // and Excel then print the spill too, and fit-to-width shrinks the whole page to dust.
  it('keeps the text of every last column inside the table when printed', () => {
    let checked = 0;
    for (const name of TABLE_SHEETS.filter((s) => s !== 'Summary')) {
      const ws = sheet(name);
      const last = headers(ws).length;
      const width = ws.getColumn(last).width ?? 0;
      // A wrapped cell stays inside its column only when the column has a width to wrap at.
      expect({ sheet: name, width: width > 0 }).toEqual({ sheet: name, width: true });
      for (const cell of column(ws, headers(ws)[last - 1]!)) {
        const text = String(plain(cell.value) ?? '');
        const longest = Math.max(0, ...text.split('\n').map((l) => l.length));
        // Inside the table: the cell wraps within the column, or its longest line fits it.
        const inside = cell.alignment?.wrapText === true || longest <= width;
        expect({ sheet: name, row: cell.row, inside }).toEqual({
          sheet: name,
          row: cell.row,
          inside: true,
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('records drperm as creator and the report time as creation date', () => {
    expect(workbook.creator).toBe('drperm');
    expect(workbook.created.toISOString()).toBe(report.generatedAt);
  });
});

describe('cell contents', () => {
  it('stores names that look like formulas as plain text', () => {
    const paths = column(sheet('Effective access'), 'Entity path');
    for (const name of HOSTILE_NAMES) {
      const cell = paths.find((c) => plain(c.value) === `/DC0/vm/contoso/${name}`);
      expect(cell).toBeDefined();
      expect(isTextCell(cell!)).toBe(true);
    }
    // The same names at the very start of a cell, where a spreadsheet would parse them.
    const principals = column(sheet('Permissions'), 'Principal');
    for (const name of HOSTILE_NAMES) {
      const cell = principals.find((c) => plain(c.value) === name);
      expect(cell).toBeDefined();
      expect(isTextCell(cell!)).toBe(true);
    }
    expect(column(sheet('Findings'), 'Principal').map((c) => plain(c.value))).toContain('@x');
    const tenants = column(sheet('Findings'), 'Tenant').map((c) => plain(c.value));
    expect(tenants).toContain('a|b');
  });

  it('writes no formula element anywhere in the package', async () => {
    const parts = await readXmlParts(path);
    const sheets = [...parts.keys()].filter((k) => k.startsWith('xl/worksheets/sheet'));
    expect(sheets).toHaveLength(TABLE_SHEETS.length);
    for (const name of sheets) expect(parts.get(name)).not.toMatch(/<f[\s>/]/);
    // Strings are inline string cells, never t="str" (the type of a formula's cached result).
    const permissions = parts.get('xl/worksheets/sheet5.xml')!;
    expect(permissions).toMatch(
      /<c r="D\d+"[^>]* t="inlineStr"><is><r><t>=contoso&amp;&lt;legacy&gt;<\/t>/,
    );
    for (const name of sheets) expect(parts.get(name)).not.toMatch(/t="str"/);
  });

  it('keeps text that looks like an OOXML escape literal', () => {
    const paths = column(sheet('Effective access'), 'Entity path').map((c) => plain(c.value));
    expect(paths).toContain('/DC0/vm/contoso/literal _x0041_ stays');
  });

  it('writes times as real dates', () => {
    const rows = sheetValues(sheet('Summary'));
    const value = (field: string) => rows.find((r) => r?.[0] === field)?.[1];
    expect(value('Time of collection')).toEqual(new Date(report.snapshot.collectedAt));
    expect(value('Report generated')).toEqual(new Date(report.generatedAt));
    const cell = sheet('Summary')
      .getColumn(1)
      .values.findIndex((v) => plain(v ?? null) === 'Time of collection');
    expect(sheet('Summary').getRow(cell).getCell(2).numFmt).toMatch(/yyyy-mm-dd/);
  });

  it('shows the summary facts an auditor records', () => {
    const rows = sheetValues(sheet('Summary'));
    const value = (field: string) => rows.find((r) => r?.[0] === field)?.[1];
    expect(value('vCenter instance UUID')).toBe(report.vcenter.instanceUuid);
    expect(value('Snapshot SHA-256')).toBe(report.snapshot.sha256);
    expect(value('drperm version')).toBe(report.tool.version);
    expect(value('API version')).toBe('VirtualCenter 8.0.3.0');
    expect(value('Findings: critical')).toBe(1);
    // The per-tenant block follows the facts.
    const tenantRow = rows.find((r) => r?.[0] === 'contoso');
    expect(tenantRow?.slice(0, 3)).toEqual(['contoso', 'not isolated', 1]);
  });

  it('colours severities and verdicts', () => {
    const severities = column(sheet('Findings'), 'Severity');
    const critical = severities.find((c) => plain(c.value) === 'critical')!;
    const medium = severities.find((c) => plain(c.value) === 'medium')!;
    expect(critical.fill).toMatchObject(SEVERITY_COLOURS.critical!.fill);
    expect(medium.fill).toMatchObject(SEVERITY_COLOURS.medium!.fill);
    expect(medium.fill).not.toMatchObject(SEVERITY_COLOURS.critical!.fill);
    const verdicts = column(sheet('Tenants'), 'Verdict');
    expect(verdicts.find((c) => plain(c.value) === 'isolated')!.fill).toMatchObject(
      VERDICT_COLOURS.isolated!.fill,
    );
    expect(verdicts.find((c) => plain(c.value) === 'not isolated')!.fill).toMatchObject(
      VERDICT_COLOURS['not isolated']!.fill,
    );
    // Only the severity column is coloured, not the rest of the row.
    const ruleFill = column(sheet('Findings'), 'Rule')[0]!.fill;
    expect(
      ruleFill === undefined || (ruleFill.type === 'pattern' && ruleFill.pattern === 'none'),
    ).toBe(true);
  });

  it('puts every granting permission of an access row on its own line', () => {
    const ws = sheet('Effective access');
    const row = column(ws, 'Moref').findIndex((c) => plain(c.value) === 'vm-901');
    const grantedOn = plain(column(ws, 'Granted on')[row]!.value);
    const propagate = plain(column(ws, 'Propagate')[row]!.value);
    expect(grantedOn).toBe('/DC0/host/C0\n/DC0/vm/fabrikam/fab-app01');
    expect(propagate).toBe('yes\nno');
    expect(plain(column(ws, 'Foreign')[row]!.value)).toBe('yes');
  });

  it('lists one Roles row per role and privilege, keeping roles without privileges', () => {
    const ws = sheet('Roles');
    const roles = column(ws, 'Role').map((c) => plain(c.value));
    expect(roles.filter((r) => r === 'Azure_Site_Recovery')).toHaveLength(2);
    expect(roles).toContain('NoAccess');
    expect(column(ws, 'Privilege display name').map((c) => plain(c.value))).toContain(
      'Browse datastore',
    );
  });
});

describe('optional and empty sections', () => {
  it('adds an NSX sheet from the NSX audit rows (src/model/nsx.ts)', async () => {
    const out = join(dir, 'nsx-rows.xlsx');
    const row = {
      tenant: 'contoso',
      principal: '@evil',
      principalType: 'remote_user',
      identitySource: 'LDAP',
      path: '/orgs/default/projects/fabrikam',
      roleId: 'enterprise_admin',
      roleName: 'Enterprise Admin',
      roleKind: 'unsupported',
      rules: 'nsx-cross-tenant-binding, nsx-unsupported-role',
      severity: 'critical' as const,
    };
    await writeWorkbook(
      makeReport({
        nsx: {
          managerUrl: 'https://nsx.example',
          collectedAt: '2026-11-23T03:00:00.000Z',
          snapshotFile: 'nsx.json',
          rows: [row],
          notes: [],
        },
      }),
      out,
    );
    const nsx = (await readWorkbook(out)).getWorksheet('NSX')!;
    expect(headers(nsx)).toEqual([
      'Severity',
      'Rules',
      'Tenant',
      'Principal',
      'Principal type',
      'Identity source',
      'Path',
      'Role id',
      'Role',
      'Role kind',
    ]);
    expect(plain(column(nsx, 'Principal')[0]!.value)).toBe('@evil');
    expect(plain(column(nsx, 'Path')[0]!.value)).toBe(row.path);
    expect(column(nsx, 'Severity')[0]!.fill).toMatchObject(SEVERITY_COLOURS.critical!.fill);
  });

  it('says so when a table is empty instead of leaving a bare header', async () => {
    const out = join(dir, 'empty.xlsx');
    await writeWorkbook(makeReport({ findings: [], roleVsCloudAdmin: [] }), out);
    const wb = await readWorkbook(out);
    expect(plain(wb.getWorksheet('Findings')!.getRow(2).getCell(1).value)).toBe('No findings.');
    expect(
      String(plain(wb.getWorksheet('Role vs CloudAdmin')!.getRow(2).getCell(1).value)),
    ).toMatch(/^Not compared/);
  });
});
