import type ExcelJS from 'exceljs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWorkbook } from '../../../src/report/workbook';
import {
  MATRIX_LEAK,
  MATRIX_OWN,
  SEVERITY_COLOURS,
  VERDICT_COLOURS,
} from '../../../src/report/xlsx-style';
import { escapeControl } from '../../../src/util/escape';
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
  'Leak matrix',
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

/** How exceljs reads back a solid fill of this ARGB colour. */
function solid(argb: string) {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

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
      'Id',
      'Severity',
      'Rule',
      'Tenant',
      'Principal',
      'Object path',
      'Object type',
      'Finding',
      'Granted on',
      'Granted to',
      'Role',
      'Propagate',
      'Since previous',
      'Status',
      'Owner',
      'Comment',
    ]);
    expect(headers(sheet('Leak matrix'))).toEqual([
      'Tenant account',
      'Principal',
      'contoso',
      'fabrikam',
      'unowned',
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
      expect.arrayContaining([
        'Principal',
        'Entity path',
        'Foreign',
        'Effective role',
        'Privileges beyond role',
        'Granted on',
        'Role',
        'Propagate',
      ]),
    );
    expect(headers(sheet('Effective access'))).not.toContain('Privileges');
    expect(headers(sheet('Roles'))).toEqual(
      expect.arrayContaining([
        'Role',
        'Tenant role of',
        'Permissions',
        'Privilege id',
        'Privilege display name',
      ]),
    );
  });

  it.each(TABLE_SHEETS)(
    '%s: bold frozen header, auto-filter over the table, A4 landscape print setup',
    (name) => {
      const ws = sheet(name);
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      // exceljs reads the filter back as a range string starting at the header.
      expect(String(ws.autoFilter)).toMatch(/^A1:[A-Z]+\d+$/);
      expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9 });
      expect(ws.pageSetup.printTitlesRow).toBe('1:1');
    },
  );

  // Fit to width only where the text stays at 8 pt or more (Calibri 11 scaled to >= 73 %).
  it.each(TABLE_SHEETS)('%s prints at 8 pt or more', (name) => {
    const ws = sheet(name);
    const widths = headers(ws).map((_h, i) => ws.getColumn(i + 1).width ?? 0);
    // Stored widths include the cell padding (ECMA-376 Part 1, 18.3.1.13): 7 px per unit.
    const px = widths.reduce((sum, w) => sum + Math.round(w * 7), 0);
    const fitScale = ((11.69 - 0.8) * 96) / px;
    if (ws.pageSetup.fitToPage) {
      expect(fitScale).toBeGreaterThanOrEqual(8 / 11);
    } else {
      expect(fitScale).toBeLessThan(8 / 11);
      expect(ws.pageSetup.scale).toBeGreaterThanOrEqual(73);
    }
  });

  it('fits the Findings sheet on the A4 landscape width at 8 pt or more', () => {
    const ws = sheet('Findings');
    expect(ws.pageSetup.fitToPage).toBe(true);
    // Long text wraps instead of spilling over the next column; so do the headers.
    expect(ws.getRow(1).getCell(1).alignment?.wrapText).toBe(true);
    for (const header of ['Finding', 'Object path', 'Comment']) {
      const i = headers(ws).indexOf(header) + 1;
      expect(ws.getRow(2).getCell(i).alignment?.wrapText).toBe(true);
    }
  });

  it('covers every data row with the auto-filter', () => {
    const ws = sheet('Effective access');
    const lastRow = 1 + report.effectiveAccess.length;
    const lastColumn = ws.getColumn(headers(ws).length).letter;
    expect(ws.autoFilter).toBe(`A1:${lastColumn}${lastRow}`);
  });

  it('sizes columns to their content within limits', () => {
    const ws = sheet('Permissions');
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
    // A CR shows as `\r` (src/util/escape.ts: the one display form of every sink).
    const shown = (name: string) => escapeControl(name, { keepLayout: true });
    expect(shown('\rCR-led')).toBe('\\rCR-led');
    for (const name of HOSTILE_NAMES) {
      const cell = paths.find((c) => plain(c.value) === `/DC0/vm/contoso/${shown(name)}`);
      expect(cell).toBeDefined();
      expect(isTextCell(cell!)).toBe(true);
    }
    // The same names at the very start of a cell, where a spreadsheet would parse them.
    const principals = column(sheet('Permissions'), 'Principal');
    for (const name of HOSTILE_NAMES) {
      const cell = principals.find((c) => plain(c.value) === shown(name));
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
    const permissions = parts.get('xl/worksheets/sheet6.xml')!;
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
    expect(value('Command line')).toBe(report.commandLine);
    expect(value('drperm version')).toBe(report.tool.version);
    expect(value('API version')).toBe('VirtualCenter 8.0.3.0');
    expect(value('Findings: critical')).toBe(1);
    // The per-tenant block follows the facts.
    const tenantRow = rows.find((r) => r?.[0] === 'contoso');
    expect(tenantRow?.slice(0, 3)).toEqual(['contoso', 'not isolated', 1]);
  });

  it('shows the SHA-256 of every input file with its path', () => {
    const rows = sheetValues(sheet('Summary'));
    for (const input of report.inputs) {
      const row = rows.find(
        (r) => r?.[0] === `SHA-256: ${input.kind}` && String(r[1]).includes(input.path),
      );
      expect(row?.[1]).toBe(`${input.sha256}\n${input.path}`);
    }
  });

  it('has a sign-off block of boxed cells to fill in', () => {
    const ws = sheet('Summary');
    const rows = sheetValues(ws);
    const start = rows.findIndex((r) => r?.[0] === 'Sign-off');
    expect(start).toBeGreaterThan(0);
    expect(rows.slice(start + 1, start + 5).map((r) => r?.[0])).toEqual([
      'Prepared by',
      'Reviewed by',
      'Date',
      'Decision',
    ]);
    for (let r = start + 2; r <= start + 5; r++) {
      const cell = ws.getRow(r).getCell(2);
      expect(cell.value).toBeNull();
      expect(cell.border?.bottom?.style).toBe('thin');
    }
  });

  it('shows the NSX Manager and its collection time when NSX was audited', async () => {
    const out = join(dir, 'nsx-summary.xlsx');
    await writeWorkbook(
      makeReport({
        nsx: {
          managerUrl: 'https://nsx.example',
          collectedAt: '2026-11-23T03:00:00.000Z',
          snapshotFile: 'nsx.json',
          rows: [],
          notes: [],
        },
      }),
      out,
    );
    const rows = sheetValues((await readWorkbook(out)).getWorksheet('Summary')!);
    const value = (field: string) => rows.find((r) => r?.[0] === field)?.[1];
    expect(value('NSX Manager URL')).toBe('https://nsx.example');
    expect(value('NSX collected at')).toEqual(new Date('2026-11-23T03:00:00.000Z'));
  });

  it('shows each warning once', async () => {
    const out = join(dir, 'warnings.xlsx');
    const warning =
      'collection: the server returned 3 permissions without their entity (a simulator behaviour)';
    await writeWorkbook(makeReport({ warnings: [warning, warning] }), out);
    const rows = sheetValues((await readWorkbook(out)).getWorksheet('Summary')!);
    expect(rows.filter((r) => r?.[1] === warning)).toHaveLength(1);
  });

  it('leak matrix: counts per tenant, diagonal shaded, foreign counts red', () => {
    const ws = sheet('Leak matrix');
    const contoso = ws.getRow(2);
    expect(plain(contoso.getCell(1).value)).toBe('contoso');
    expect(contoso.getCell(3).value).toBe(HOSTILE_NAMES.length);
    expect(contoso.getCell(4).value).toBe(1);
    expect(contoso.getCell(3).fill).toMatchObject({ fgColor: { argb: MATRIX_OWN.fill } });
    expect(contoso.getCell(4).fill).toMatchObject({ fgColor: { argb: MATRIX_LEAK.fill } });
    // Zero off the diagonal is not coloured.
    const zero = ws.getRow(3).getCell(3);
    expect(zero.value).toBe(0);
    expect(
      zero.fill === undefined || (zero.fill.type === 'pattern' && zero.fill.pattern === 'none'),
    ).toBe(true);
  });

  it('Findings: one row per evidence permission, identity on every row, Status drop-down', async () => {
    const ws = sheet('Findings');
    const ids = column(ws, 'Id').map((c) => plain(c.value));
    expect(ids).toEqual(['F-000000000001', 'F-000000000002', 'F-000000000003']);
    const first = ws.getRow(2);
    const cell = (header: string) => plain(first.getCell(headers(ws).indexOf(header) + 1).value);
    expect(cell('Granted on')).toBe('/DC0/host/C0');
    expect(cell('Granted to')).toBe('VSPHERE.LOCAL\\asr-contoso');
    expect(cell('Propagate')).toBe('yes');
    expect(cell('Object path')).toBe('/DC0/vm/fabrikam/fab-app01');
    expect(cell('Object type')).toBe('VirtualMachine');
    expect(cell('Status')).toBeNull();
    const status = headers(ws).indexOf('Status') + 1;
    const validation = ws.getRow(2).getCell(status).dataValidation;
    expect(validation).toMatchObject({
      type: 'list',
      formulae: ['"open,accepted risk,fixed,false positive"'],
    });
  });

  it('Findings with several evidence permissions repeat the finding on each row', async () => {
    const base = makeReport();
    const f = base.findings[0]!;
    const two = {
      ...f,
      evidence: [
        ...f.evidence,
        {
          ...f.evidence[0]!,
          entity: { ...f.evidence[0]!.entity, moref: 'group-v3', type: 'Folder', path: '/DC0/vm' },
        },
      ],
    };
    const out = join(dir, 'evidence.xlsx');
    await writeWorkbook(makeReport({ findings: [two] }), out);
    const ws = (await readWorkbook(out)).getWorksheet('Findings')!;
    expect(column(ws, 'Id').map((c) => plain(c.value))).toEqual([f.id, f.id]);
    expect(column(ws, 'Granted on').map((c) => plain(c.value))).toEqual([
      '/DC0/host/C0',
      '/DC0/vm',
    ]);
    const text = column(ws, 'Finding').map((c) => plain(c.value));
    expect(text[0]).toBe(`${f.message}\nFix: ${f.remediation}`);
    expect(text[1]).toBeNull();
  });

  it('colours severities and verdicts', () => {
    const severities = column(sheet('Findings'), 'Severity');
    const critical = severities.find((c) => plain(c.value) === 'critical')!;
    const medium = severities.find((c) => plain(c.value) === 'medium')!;
    expect(critical.fill).toMatchObject(solid(SEVERITY_COLOURS.critical!.fill));
    expect(medium.fill).toMatchObject(solid(SEVERITY_COLOURS.medium!.fill));
    expect(medium.fill).not.toMatchObject(solid(SEVERITY_COLOURS.critical!.fill));
    const verdicts = column(sheet('Tenants'), 'Verdict');
    expect(verdicts.find((c) => plain(c.value) === 'isolated')!.fill).toMatchObject(
      solid(VERDICT_COLOURS.isolated!.fill),
    );
    expect(verdicts.find((c) => plain(c.value) === 'not isolated')!.fill).toMatchObject(
      solid(VERDICT_COLOURS['not isolated']!.fill),
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
  });

  it('tells foreign objects from the shared objects the policy grants', () => {
    const ws = sheet('Effective access');
    const foreign = (moref: string) => {
      const row = column(ws, 'Moref').findIndex((c) => plain(c.value) === moref);
      return column(ws, 'Foreign')[row]!;
    };
    expect(plain(foreign('vm-901').value)).toBe('foreign');
    expect(foreign('vm-901').fill).toMatchObject({
      fgColor: { argb: SEVERITY_COLOURS.critical!.fill },
    });
    expect(plain(foreign('datacenter-2').value)).toBe('shared (policy)');
    expect(plain(foreign('vm-100').value)).toBe('no');
  });

  it('names the role and only the privileges beyond it', () => {
    const ws = sheet('Effective access');
    const row = column(ws, 'Moref').findIndex((c) => plain(c.value) === 'vm-100');
    expect(plain(column(ws, 'Effective role')[row]!.value)).toBe('Azure_Site_Recovery');
    // The fixture's role holds Datastore.Browse and VirtualMachine.Config.Rename; the row
    // also has System.Anonymous and System.Read.
    expect(plain(column(ws, 'Privileges beyond role')[row]!.value)).toBe(
      'System.Anonymous, System.Read',
    );
    expect(plain(column(ws, 'Privilege count')[row]!.value)).toBe(4);
  });

  it('lists the tenant role per privilege and counts the unused roles', () => {
    const ws = sheet('Roles');
    const roles = column(ws, 'Role').map((c) => plain(c.value));
    expect(roles.filter((r) => r === 'Azure_Site_Recovery')).toHaveLength(2);
    expect(plain(column(ws, 'Tenant role of')[0]!.value)).toBe('contoso');
    // NoAccess: no permission and no tenant uses it.
    expect(roles).not.toContain('NoAccess');
    expect(roles).toContain('1 unused role');
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
    expect(column(nsx, 'Severity')[0]!.fill).toMatchObject(solid(SEVERITY_COLOURS.critical!.fill));
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
