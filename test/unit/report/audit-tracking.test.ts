/**
 * The workbook an auditor signs off, from a real audit of a two-tenant snapshot: stable
 * finding ids, the leak matrix, foreign versus shared (policy), --previous and signatures.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { runAudit } from '../../../src/audit/audit';
import { buildAuditReport } from '../../../src/audit/report-build';
import type { AuditReport } from '../../../src/audit/report-model';
import { commandLineWithoutSecrets } from '../../../src/report/evidence';
import { readPreviousReport } from '../../../src/report/previous-file';
import { writeJsonReport } from '../../../src/report/json';
import { loadSigningKey, loadVerifyKey, signFile, verifyFile } from '../../../src/report/signature';
import { writeWorkbook } from '../../../src/report/workbook';
import { CONTOSO, ASR_PRIVILEGES, twoTenants } from '../audit/two-tenants';
import { column, headers, plain, readWorkbook } from './xlsx-read';

const FULL_ROLE = ['System.Anonymous', 'System.Read', 'System.View', ...ASR_PRIVILEGES];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drperm-tracking-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Both tenants per seed 001; `leak` makes contoso's cluster grant propagate. */
function fixture(leak: boolean) {
  const f = twoTenants();
  f.apply(f.contoso);
  f.apply(f.fabrikam);
  if (leak) {
    f.b.permissions.find((p) => p.entity === f.cluster.ref && p.principal === CONTOSO)!.propagate =
      true;
  }
  return f;
}

function audit(
  f: ReturnType<typeof twoTenants>,
  previous?: Parameters<typeof buildAuditReport>[1]['previous'],
): AuditReport {
  const snapshot = f.b.build();
  const result = runAudit({
    snapshot,
    tenants: [f.contoso, f.fabrikam],
    rolePrivileges: FULL_ROLE,
  });
  return buildAuditReport(result, {
    snapshot,
    snapshotSha256: 'f'.repeat(64),
    scope: {
      tenantFiles: [],
      tenants: ['contoso', 'fabrikam'],
      source: 'snapshot',
      avs: false,
      failOn: 'high',
    },
    ...(previous ? { previous } : {}),
  });
}

describe('finding ids', () => {
  it('are identical across two audits of one snapshot, also read back from the workbook', async () => {
    const a = audit(fixture(true));
    const b = audit(fixture(true));
    expect(a.findings.length).toBeGreaterThan(1);
    expect(b.findings.map((f) => f.id)).toEqual(a.findings.map((f) => f.id));
    expect(new Set(a.findings.map((f) => f.id)).size).toBe(a.findings.length);

    const ids: string[][] = [];
    for (const [name, report] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const path = join(dir, `ids-${name}.xlsx`);
      await writeWorkbook(report, path);
      const ws = (await readWorkbook(path)).getWorksheet('Findings')!;
      ids.push([...new Set(column(ws, 'Id').map((c) => String(plain(c.value))))]);
    }
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[0]!.sort()).toEqual(a.findings.map((f) => f.id).sort());
  });

  it('do not depend on the order of the permissions in the snapshot', () => {
    const f = fixture(true);
    const before = audit(f)
      .findings.map((x) => x.id)
      .sort();
    f.b.permissions.reverse();
    expect(
      audit(f)
        .findings.map((x) => x.id)
        .sort(),
    ).toEqual(before);
  });

  it('change only for the finding whose state changed', () => {
    const clean = fixture(false);
    // A second leak besides the first: fabrikam's account on a contoso VM.
    const f = fixture(false);
    f.b.permit(f.c1, 'VSPHERE.LOCAL\\asr-fabrikam', f.asr);
    const one = audit(f);
    const g = fixture(false);
    g.b.permit(g.c1, 'VSPHERE.LOCAL\\asr-fabrikam', g.asr);
    g.b.permit(g.c2, 'VSPHERE.LOCAL\\asr-fabrikam', g.asr);
    const two = audit(g);
    const ids = (r: AuditReport) => new Set(r.findings.map((x) => x.id));
    const added = [...ids(two)].filter((id) => !ids(one).has(id));
    const kept = [...ids(one)].filter((id) => ids(two).has(id));
    expect(kept.length).toBe(ids(one).size);
    expect(added.length).toBeGreaterThan(0);
    // What is new is about the newly leaked VM only.
    const paths = two.findings.filter((x) => added.includes(x.id)).map((x) => x.entity?.path);
    expect(new Set(paths)).toEqual(new Set(['/DC0/vm/contoso/contoso-2']));
    expect(audit(clean).findings).toEqual([]);
  });
});

describe('leak matrix and the Foreign column, from a real audit', () => {
  let report: AuditReport;
  let workbook: ExcelJS.Workbook;
  beforeAll(async () => {
    report = audit(fixture(true));
    const path = join(dir, 'leak.xlsx');
    await writeWorkbook(report, path);
    workbook = await readWorkbook(path);
  });

  it('counts in each cell the VMs of that tenant the account reaches', () => {
    const ws = workbook.getWorksheet('Leak matrix')!;
    const col = headers(ws).indexOf('fabrikam') + 1;
    const row = column(ws, 'Tenant account').findIndex((c) => plain(c.value) === 'contoso') + 2;
    const foreignVms = report.effectiveAccess.filter(
      (r) => r.tenant === 'contoso' && r.entity.type === 'VirtualMachine' && r.owner === 'fabrikam',
    ).length;
    expect(foreignVms).toBe(1);
    expect(ws.getRow(row).getCell(col).value).toBe(foreignVms);
    // The diagonal: contoso's own two VMs; the unowned partner VM is reached too.
    expect(ws.getRow(row).getCell(headers(ws).indexOf('contoso') + 1).value).toBe(2);
    expect(ws.getRow(row).getCell(headers(ws).indexOf('unowned') + 1).value).toBe(1);
    const tenantRow = report.tenants.find((t) => t.tenant === 'contoso')!;
    expect(tenantRow.foreignObjectsReachable).toBe(2);
  });

  it('marks the shared objects the policy grants "shared (policy)", leaks "foreign"', () => {
    const ws = workbook.getWorksheet('Effective access')!;
    const rows = column(ws, 'Entity path').map((c, i) => ({
      tenant: plain(column(ws, 'Tenant')[i]!.value),
      path: plain(c.value),
      foreign: plain(column(ws, 'Foreign')[i]!.value),
    }));
    const of = (path: string) =>
      rows.find((r) => r.tenant === 'contoso' && r.path === path)?.foreign;
    for (const shared of [
      '/',
      '/DC0',
      '/DC0/host/C0',
      '/DC0/datastore/ds0',
      '/DC0/network/net0',
      '/DC0/vm',
    ]) {
      expect([shared, of(shared)]).toEqual([shared, 'shared (policy)']);
    }
    expect(of('/DC0/vm/fabrikam/fabrikam-1')).toBe('foreign');
    expect(of('/DC0/vm/partner-dns')).toBe('foreign');
    expect(of('/DC0/vm/contoso/contoso-1')).toBe('no');
  });
});

describe('audit --previous', () => {
  it('marks findings new, unchanged or resolved, and carries the review over from the workbook', async () => {
    const old = audit(fixture(true));
    const path = join(dir, 'previous.xlsx');
    await writeWorkbook(old, path);
    // The auditor fills in Status, Owner and Comment on the first finding, in a spreadsheet.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const ws = wb.getWorksheet('Findings')!;
    const h = headers(ws);
    const reviewed = String(plain(ws.getRow(2).getCell(h.indexOf('Id') + 1).value));
    ws.getRow(2).getCell(h.indexOf('Status') + 1).value = 'accepted risk';
    ws.getRow(2).getCell(h.indexOf('Owner') + 1).value = 'j.doe';
    ws.getRow(2).getCell(h.indexOf('Comment') + 1).value = 'until the migration (CHG-42)';
    await wb.xlsx.writeFile(path);

    const previous = await readPreviousReport(path);
    expect(previous.findings.map((f) => f.id).sort()).toEqual(old.findings.map((f) => f.id).sort());

    // Now: the same leak, plus a new one.
    const f = fixture(true);
    f.b.permit(f.c1, 'VSPHERE.LOCAL\\asr-fabrikam', f.asr);
    const now = audit(f, previous);
    const carried = now.findings.find((x) => x.id === reviewed)!;
    expect(carried.change).toBe('unchanged');
    expect(carried.review).toEqual({
      status: 'accepted risk',
      owner: 'j.doe',
      comment: 'until the migration (CHG-42)',
    });
    expect(now.findings.some((x) => x.change === 'new')).toBe(true);
    expect(now.previous?.counts.unchanged).toBe(old.findings.length);

    // Fixed: everything the old report had is resolved, and says so in the workbook.
    const fixed = audit(fixture(false), previous);
    expect(fixed.previous?.counts).toEqual({ new: 0, unchanged: 0, resolved: old.findings.length });
    const out = join(dir, 'fixed.xlsx');
    await writeWorkbook(fixed, out);
    const sheet = (await readWorkbook(out)).getWorksheet('Findings')!;
    const changes = column(sheet, 'Since previous').map((c) => plain(c.value));
    expect(new Set(changes)).toEqual(new Set(['resolved']));
    const status = column(sheet, 'Status').map((c) => plain(c.value));
    expect(status).toContain('accepted risk');
  });

  it('reads a previous JSON report, format 2 or 1 (ids computed)', async () => {
    const old = audit(fixture(true));
    const path = join(dir, 'previous.json');
    await writeJsonReport(old, path);
    expect((await readPreviousReport(path)).findings.map((f) => f.id)).toEqual(
      old.findings.map((f) => f.id),
    );
    const v1 = join(dir, 'previous-v1.json');
    const { id: _id, ...first } = old.findings[0]!;
    await writeFile(
      v1,
      JSON.stringify({ format: 'drperm-audit', formatVersion: 1, findings: [first] }),
    );
    expect((await readPreviousReport(v1)).findings[0]!.id).toBe(old.findings[0]!.id);
  });

  it('refuses a file that is no drperm report, exit 2', async () => {
    const path = join(dir, 'other.json');
    await writeFile(path, '{"hello": 1}');
    await expect(readPreviousReport(path)).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('signed reports', () => {
  async function keyPair(name: string) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const priv = join(dir, `${name}.pem`);
    const pub = join(dir, `${name}.pub.pem`);
    await writeFile(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    return { priv, pub };
  }

  it('verify, and fail after one byte of the report changes', async () => {
    const keys = await keyPair('signer');
    const report = join(dir, 'signed.xlsx');
    await writeWorkbook(audit(fixture(true)), report);
    const sig = await signFile(report, await loadSigningKey(keys.priv));
    expect(sig).toBe(`${report}.sig`);
    const pub = await loadVerifyKey(keys.pub);
    expect(await verifyFile(report, pub)).toMatchObject({ valid: true });

    const bytes = await readFile(report);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(report, bytes);
    const tampered = await verifyFile(report, pub);
    expect(tampered.valid).toBe(false);
    expect(tampered.message).toMatch(/changed after it was signed/);
  });

  it('fail with another key, and refuse a key that is not Ed25519', async () => {
    const signer = await keyPair('a');
    const other = await keyPair('b');
    const report = join(dir, 'signed.json');
    await writeJsonReport(audit(fixture(false)), report);
    await signFile(report, await loadSigningKey(signer.priv));
    expect((await verifyFile(report, await loadVerifyKey(other.pub))).valid).toBe(false);

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaFile = join(dir, 'rsa.pem');
    await writeFile(rsaFile, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadSigningKey(rsaFile)).rejects.toThrow(
      /rsa private key; reports are signed with Ed25519/,
    );
  });
});

describe('the command line in the report', () => {
  it('keeps what was typed and removes secrets', () => {
    expect(
      commandLineWithoutSecrets([
        'audit',
        '--url',
        'https://admin:s3cret@vc01/sdk',
        '--password',
        'hunter2',
        '--token=abc',
        '--password-stdin',
        '--tenants',
        'my tenants/contoso.yaml',
      ]),
    ).toBe(
      "drperm audit --url https://admin:***@vc01/sdk --password *** --token=*** --password-stdin --tenants 'my tenants/contoso.yaml'",
    );
  });
});
