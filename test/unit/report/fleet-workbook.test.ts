/**
 * The fleet workbook (README "Dedicated and managed-service models"): a vCenters sheet after
 * the Summary with one row per vCenter and NSX Manager, failed servers with their reason,
 * an NSX sheet naming each row's manager; read back with exceljs, cells never formulas.
 */
import type ExcelJS from 'exceljs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReport } from '../../../src/audit/report-model';
import { writeReports } from '../../../src/report';
import { writeWorkbook } from '../../../src/report/workbook';
import { VERDICT_COLOURS } from '../../../src/report/xlsx-style';
import { makeReport } from './report-fixture';
import { column, headers, isTextCell, plain, readWorkbook, readXmlParts } from './xlsx-read';

const counts = (critical: number, high = 0) => ({ critical, high, medium: 0, low: 0, info: 0 });
const NSX_ROW = {
  tenant: 'contoso',
  principal: 'contoso-ops@corp',
  principalType: 'remote_group',
  identitySource: 'LDAP',
  path: '/orgs/default/projects/contoso',
  roleId: 'enterprise_admin',
  roleName: 'Enterprise Admin',
  roleKind: 'unsupported',
  rules: 'nsx-unsupported-role',
  severity: 'high' as const,
};

function fleetReport(): AuditReport {
  return makeReport({
    vcenters: [
      {
        name: 'vc-a',
        url: 'https://vc-a.example/sdk',
        status: 'audited',
        instanceUuid: '4a0c2f3e-0000-4000-8000-00000000000a',
        fullName: 'VMware vCenter Server 8.0.3',
        snapshot: {
          sha256: 'a'.repeat(64),
          collectedAt: '2026-11-23T03:00:00.000Z',
          collectedBy: 'drperm-audit@vsphere.local',
          privilegeSource: 'privilegeList',
          entityCount: 120,
          permissionCount: 14,
        },
        snapshotFile: 'estate/vc-a.json',
        tenants: ['contoso', 'fabrikam'],
        findings: counts(2, 1),
      },
      {
        // A name and a reason that look like formulas stay text.
        name: '=vc-b',
        url: 'https://vc-b.example/sdk',
        status: 'failed',
        error: '=HYPERLINK("x") connect ECONNREFUSED 10.0.0.2:443',
        tenants: ['northwind'],
        findings: counts(0),
      },
    ],
    nsxManagers: [
      {
        name: 'nsx-a',
        vcenter: 'vc-a',
        status: 'audited',
        section: {
          managerUrl: 'https://nsx-a.example',
          collectedAt: '2026-11-23T03:01:00.000Z',
          snapshotFile: 'estate/nsx/nsx-a.json',
          rows: [NSX_ROW],
          notes: [],
        },
      },
      { name: 'nsx-b', status: 'failed', error: 'connect ETIMEDOUT' },
    ],
  });
}

let dir: string;
let path: string;
let workbook: ExcelJS.Workbook;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drperm-fleet-workbook-'));
  path = join(dir, 'fleet.xlsx');
  await writeWorkbook(fleetReport(), path);
  workbook = await readWorkbook(path);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fleet workbook', () => {
  it('has a vCenters sheet right after the Summary, and the NSX sheet', () => {
    const names = workbook.worksheets.map((w) => w.name);
    expect(names.slice(0, 3)).toEqual(['Summary', 'vCenters', 'Findings']);
    expect(names).toContain('NSX');
  });

  it('lists every vCenter and NSX Manager with status, tenants, counts and snapshot', () => {
    const sheet = workbook.getWorksheet('vCenters')!;
    expect(headers(sheet).slice(0, 11)).toEqual([
      'Server',
      'Kind',
      'Status',
      'Failure',
      'Tenants',
      'vCenter / NSX Manager',
      'Critical',
      'High',
      'Medium',
      'Low',
      'Info',
    ]);
    const get = (h: string) => column(sheet, h).map((c) => plain(c.value));
    expect(get('Server')).toEqual(['vc-a', '=vc-b', 'nsx-a', 'nsx-b']);
    expect(get('Kind')).toEqual(['vCenter', 'vCenter', 'NSX Manager', 'NSX Manager']);
    expect(get('Status')).toEqual(['audited', 'failed', 'audited', 'failed']);
    expect(get('Tenants').slice(0, 2)).toEqual(['contoso, fabrikam', 'northwind']);
    expect(get('vCenter / NSX Manager')).toEqual(['nsx-a', null, 'vc-a', '(all vCenters)']);
    expect(get('Critical').slice(0, 2)).toEqual([2, 0]);
    expect(get('High')[0]).toBe(1);
    expect(get('Failure')[1]).toBe('=HYPERLINK("x") connect ECONNREFUSED 10.0.0.2:443');
    expect(get('Entities')[0]).toBe(120);
    expect(get('Snapshot SHA-256')[0]).toBe('a'.repeat(64));
    expect(get('Collected at')[0]).toEqual(new Date('2026-11-23T03:00:00.000Z'));
    expect(column(sheet, 'Status')[1]!.fill).toMatchObject({
      fgColor: { argb: VERDICT_COLOURS['not isolated']!.fill },
    });
    for (const c of [...column(sheet, 'Server'), ...column(sheet, 'Failure')]) {
      if (c.value !== null) expect(isTextCell(c)).toBe(true);
    }
  });

  it('names each server on the Summary, failed ones with their reason', () => {
    const summary = workbook.getWorksheet('Summary')!;
    const facts = new Map<string, unknown>();
    summary.eachRow((row) =>
      facts.set(String(plain(row.getCell(1).value)), plain(row.getCell(2).value)),
    );
    expect(facts.get('vCenter vc-a')).toBe('audited: https://vc-a.example/sdk');
    expect(facts.get('vCenter =vc-b')).toMatch(/^FAILED: .*ECONNREFUSED/);
    expect(facts.get('NSX Manager nsx-b')).toBe('FAILED: connect ETIMEDOUT');
    expect(facts.get('Report format')).toBe('drperm-audit v3');
  });

  it('names the manager and its vCenter on every NSX row', () => {
    const nsx = workbook.getWorksheet('NSX')!;
    expect(headers(nsx).slice(0, 3)).toEqual(['NSX Manager', 'vCenter', 'Severity']);
    expect(plain(column(nsx, 'NSX Manager')[0]!.value)).toBe('nsx-a');
    expect(plain(column(nsx, 'vCenter')[0]!.value)).toBe('vc-a');
    expect(plain(column(nsx, 'Path')[0]!.value)).toBe(NSX_ROW.path);
  });

  it('writes no formula and no formula-result string cell in any sheet', async () => {
    const parts = await readXmlParts(path);
    const sheets = [...parts.keys()].filter((k) => k.startsWith('xl/worksheets/sheet'));
    expect(sheets.length).toBe(workbook.worksheets.length);
    for (const name of sheets) {
      expect(parts.get(name)).not.toMatch(/<f[\s>/]/);
      expect(parts.get(name)).not.toMatch(/t="str"/);
    }
  });

  it('single-vCenter workbooks have no vCenters sheet', async () => {
    const out = join(dir, 'single.xlsx');
    await writeWorkbook(makeReport(), out);
    expect((await readWorkbook(out)).getWorksheet('vCenters')).toBeUndefined();
  });

  it('the JSON and Markdown reports list the NSX Managers too', async () => {
    const files = await writeReports(fleetReport(), {
      outDir: join(dir, 'all'),
      formats: ['json', 'md'],
    });
    const json = JSON.parse(await readFile(files[0]!.path, 'utf8')) as AuditReport;
    expect(json.nsxManagers!.map((m) => [m.name, m.status])).toEqual([
      ['nsx-a', 'audited'],
      ['nsx-b', 'failed'],
    ]);
    const md = await readFile(files[1]!.path, 'utf8');
    expect(md).toContain('NSX Manager nsx-b (every vCenter) **failed**: connect ETIMEDOUT');
  });
});
