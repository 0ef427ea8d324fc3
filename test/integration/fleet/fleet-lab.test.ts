/**
 * A partner estate of three labs at once, through the CLI: a dedicated vCenter (one
 * tenant), a shared one (two tenants) with its NSX Manager, and a third behind the fault
 * proxy, stopped in the middle of a collection. The dedicated tenant's account is also
 * fabrikam's on the shared vCenter (one SSO domain).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import ExcelJS from 'exceljs';
import { formatTwoFindingId } from '../../../src/audit/finding-id';
import type { AuditReport } from '../../../src/audit/report-model';
import { FaultProxy } from '../../helpers/fault-proxy';
import { startLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import { startNsxServer, type RunningNsxServer } from '../../lab/nsx-server';

const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';
const NORTHWIND = 'VSPHERE.LOCAL\\asr-northwind';
const REPO = join(__dirname, '..', '..', '..');
const NAMES = ['vc-ded', 'vc-shared', 'vc-third'] as const;

let labs: Record<(typeof NAMES)[number], OwnLab>;
let dir: string;
let fleet: string;
let tenants: string;
let env: NodeJS.ProcessEnv;
let nsx: RunningNsxServer;
let proxy: FaultProxy;
let thirdScenario: string;

function policy(
  tenant: string,
  vcenter: string,
  principal: string,
  folder: string,
  nsxPrincipals?: string[],
) {
  return {
    tenant,
    mode: 'failback',
    vcenter,
    account: { principal, group: false },
    objects: {
      datacenters: ['/DC0'],
      hosts: ['/DC0/host/DC0_C0'],
      datastores: ['/DC0/datastore/StoragePod0'],
      networks: ['/DC0/network/DC0_DVPG0'],
      managementServers: [`/DC0/vm/${folder}/${folder}-cs01`],
      vms: { folders: [`/DC0/vm/${folder}`] },
    },
    // The NSX principals of test/lab/nsx-fixtures/avs.json; jdoe is also bound on fabrikam's project.
    ...(nsxPrincipals
      ? { nsx: { principals: nsxPrincipals, paths: [`/orgs/default/projects/${folder}`] } }
      : {}),
  };
}

const POLICIES = {
  // Dedicated hosting: the contoso folder of its own vCenter, with fabrikam's account.
  dedicated: policy('dedicated', 'vc-ded', FABRIKAM, 'contoso'),
  contoso: policy('contoso', 'vc-shared', CONTOSO, 'contoso', [
    'contoso-nsx-admins@corp.example',
    'jdoe@contoso.example',
  ]),
  fabrikam: policy('fabrikam', 'vc-shared', FABRIKAM, 'fabrikam', [
    'fabrikam-netops@corp.example',
    'fabrikam-lb@corp.example',
  ]),
  northwind: policy('northwind', 'vc-third', NORTHWIND, 'fabrikam'),
};

/** The tenant role on each vCenter (role apply is per vCenter); tenants come with tenant apply --fleet. */
async function createRole(lab: OwnLab): Promise<void> {
  const r = await runCli(['role', 'apply', '--yes'], { env: labEnv(lab), cwd: dir });
  expect(r.code).toBe(0);
}

/** A cell's text: inline strings read back as rich text. */
function text(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'richText' in v) {
    return (v as { richText: Array<{ text: string }> }).richText.map((r) => r.text).join('');
  }
  return v;
}

function reportFile(path: string, ext: string): string {
  const [file] = readdirSync(path).filter((f) => f.endsWith(ext));
  return join(path, file!);
}

function json(path: string): AuditReport {
  return JSON.parse(readFileSync(reportFile(path, '.json'), 'utf8')) as AuditReport;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drperm-fleet-it-'));
  // The third vCenter's tenant has an account of its own: the lab scenario plus that user.
  const scenario = parse(readFileSync(join(REPO, 'test/sim/scenarios/lab.yaml'), 'utf8')) as {
    users: unknown[];
  };
  scenario.users.push({ name: NORTHWIND, password: 'Northwind&<Tenant>1' });
  thirdScenario = join(dir, 'third.yaml');
  writeFileSync(thirdScenario, stringify(scenario));
  const started = await Promise.all([startLab(), startLab(), startLab(thirdScenario)]);
  labs = Object.fromEntries(NAMES.map((n, i) => [n, started[i]!])) as typeof labs;
  tenants = join(dir, 'tenants');
  mkdirSync(tenants);
  for (const [name, p] of Object.entries(POLICIES))
    writeFileSync(join(tenants, `${name}.yaml`), stringify(p));
  await Promise.all(Object.values(labs).map(createRole));
  nsx = await startNsxServer({ scenario: 'avs' });
  // The third vCenter is reached through the fault proxy, to stop it in the middle of a run.
  proxy = await FaultProxy.start({
    upstream: labs['vc-third'].url,
    upstreamCertFile: labs['vc-third'].certFile,
  });
  const third = { url: proxy.url, thumbprintSha256: proxy.thumbprintSha256 };
  fleet = join(dir, 'drperm.yaml');
  writeFileSync(
    fleet,
    stringify({
      vcenters: NAMES.map((n, i) => ({
        name: n,
        url: n === 'vc-third' ? third.url : labs[n].url,
        passwordEnv: `VC${i}_PASSWORD`,
        thumbprint: n === 'vc-third' ? third.thumbprintSha256 : labs[n].thumbprintSha256,
      })),
      nsxManagers: [
        {
          name: 'nsx-shared',
          url: nsx.url,
          vcenter: 'vc-shared',
          username: nsx.username,
          passwordEnv: 'NSX_PASSWORD',
          thumbprint: nsx.thumbprintSha256,
        },
      ],
      defaults: { username: labs['vc-ded'].username, concurrency: 2 },
    }),
  );
  env = {
    ...Object.fromEntries(NAMES.map((n, i) => [`VC${i}_PASSWORD`, labs[n].password])),
    NSX_PASSWORD: nsx.password,
  };
}, 600_000);

afterAll(async () => {
  await Promise.all(Object.values(labs ?? {}).map((l) => l.stop()));
  await nsx?.stop();
  await proxy?.stop();
});

const cli = (args: string[]) => runCli(args, { env, cwd: dir, timeoutMs: 300_000 });
/** `audit` of the estate: live through the fleet file, or offline from its snapshots. */
const auditLive = (...args: string[]) =>
  cli(['audit', '--fleet', fleet, '--tenants', tenants, ...args]);
const auditOffline = (...args: string[]) =>
  cli(['audit', '--snapshot', join(dir, 'estate'), '--tenants', tenants, ...args]);

describe('a fleet of three vCenters', () => {
  let offline: AuditReport;

  it('plans and applies every tenant on its vCenter with one confirmation, backups per vCenter', async () => {
    const plan = await cli(['tenant', 'plan', '--fleet', fleet, '--tenant', tenants]);
    expect(plan.code).toBe(0);
    const sections = plan.stdout.split(/^== vCenter /m).slice(1);
    expect(
      sections.map((x) => [x.split(' ')[0], [...x.matchAll(/^Tenant (\w+):/gm)].map((t) => t[1])]),
    ).toEqual([
      ['vc-ded', ['dedicated']],
      ['vc-shared', ['contoso', 'fabrikam']],
      ['vc-third', ['northwind']],
    ]);
    const apply = await cli(['tenant', 'apply', '--fleet', fleet, '--tenant', tenants, '--yes']);
    expect(apply.stderr).not.toMatch(/drperm:/);
    expect(apply.code).toBe(0);
    expect(readdirSync(join(dir, 'reports', 'backups')).sort()).toEqual([...NAMES]);
    expect(
      readdirSync(join(dir, 'reports', 'backups', 'vc-shared'))
        .filter((f) => f.endsWith('.json')) // beside each: its .sha256 and .outcome
        .map((f) => f.split('-')[0])
        .sort(),
    ).toEqual(['contoso', 'fabrikam']);
    const verify = await cli(['tenant', 'verify', '--fleet', fleet, '--tenant', tenants]);
    expect(verify.code).toBe(0);
    expect(verify.stderr).toContain('verified: the live permissions match the policy');
  });

  it('rolls a backup back on the vCenter it was taken from only, then applies again', async () => {
    const backups = join(dir, 'reports', 'backups', 'vc-shared');
    const [contoso] = readdirSync(backups).filter(
      (f) => f.startsWith('contoso-') && f.endsWith('.json'),
    );
    const rollback = await cli([
      'tenant',
      'rollback',
      '--fleet',
      fleet,
      '--backup',
      join(backups, contoso!),
      '--yes',
      '--json',
    ]);
    expect(rollback.stderr).not.toMatch(/drperm:/);
    expect(rollback.code).toBe(0);
    const out = JSON.parse(rollback.stdout) as {
      vcenter: string;
      applied: { tenant: string; done: number; failed: number };
      unfinishedRuns: unknown[];
    };
    expect(out.vcenter).toBe('vc-shared');
    expect(out.applied).toMatchObject({ tenant: 'contoso', failed: 0 });
    expect(out.applied.done).toBeGreaterThan(0);
    expect(out.unfinishedRuns).toEqual([]);
    // The state before the rollback is backed up in that vCenter's directory too.
    expect(readdirSync(join(dir, 'reports', 'backups')).sort()).toEqual([...NAMES]);
    const verify = await cli(['tenant', 'verify', '--fleet', fleet, '--tenant', tenants]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('contoso @ vc-shared');
    const again = await cli(['tenant', 'apply', '--fleet', fleet, '--tenant', tenants, '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^vc-shared: Tenant contoso/m);
  });

  it('collects one snapshot per vCenter in parallel, with a summary table', async () => {
    const r = await cli(['collect', '--fleet', fleet, '--out', join(dir, 'estate')]);
    expect(r.stderr).toMatch(/vc-shared: collecting from https:\/\/127\.0\.0\.1:\d+\/sdk/);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'estate')).sort()).toEqual([
      'nsx',
      ...NAMES.map((n) => `${n}.json`),
    ]);
    expect(readdirSync(join(dir, 'estate', 'nsx'))).toEqual(['nsx-shared.json']);
    expect(r.stdout).toMatch(/^server\s+status\s+VMs/m);
    expect(r.stdout).toMatch(/^nsx-shared \(NSX\)\s+collected\s/m);
    expect(r.stdout).toMatch(/^vc-third\s+collected\s+8\s/m);
    expect(r.stdout).toContain('4 of 4 servers collected.');
    expect(r.stdout + r.stderr).not.toContain(labs['vc-ded'].password);
    expect(r.stdout + r.stderr).not.toContain(nsx.password);
  });

  it('audits the estate offline: one report, verdicts per tenant across vCenters', async () => {
    const out = join(dir, 'offline');
    const r = await auditOffline('--out', out);
    expect(r.stderr).not.toMatch(/drperm:/);
    expect(r.code).toBe(1);
    offline = json(out);
    expect(offline.vcenters!.map((v) => [v.name, v.status, v.tenants])).toEqual([
      ['vc-ded', 'audited', ['dedicated']],
      ['vc-shared', 'audited', ['contoso', 'fabrikam']],
      ['vc-third', 'audited', ['northwind']],
    ]);
    const verdicts = Object.fromEntries(offline.tenants.map((t) => [t.tenant, t.verdict]));
    expect(verdicts).toEqual({
      dedicated: 'not isolated',
      // Isolated on vCenter; on its NSX Manager jdoe is also bound on fabrikam's project.
      contoso: 'not isolated',
      fabrikam: 'not isolated',
      northwind: 'isolated',
    });
    // The NSX Manager of collect --fleet (estate/nsx/) is audited with the shared vCenter's tenants.
    expect(offline.nsxManagers!.map((m) => [m.name, m.vcenter, m.status])).toEqual([
      ['nsx-shared', 'vc-shared', 'audited'],
    ]);
    const nsxFindings = offline.findings.filter((f) => f.rule.startsWith('nsx-'));
    expect(new Set(nsxFindings.map((f) => f.vcenter))).toEqual(new Set(['vc-shared']));
    const binding = nsxFindings.filter((f) => f.rule === 'nsx-cross-tenant-binding');
    expect(binding.map((f) => [f.tenant, f.principal])).toEqual([
      ['contoso', 'jdoe@contoso.example'],
    ]);
    expect(binding[0]!.details![0]).toMatch(/^NSX Manager nsx-shared \(https:/);
    expect(nsxFindings.some((f) => f.tenant === 'dedicated')).toBe(false);
    expect(offline.inputs.filter((i) => i.kind === 'nsx snapshot').map((i) => i.path)).toEqual([
      join(dir, 'estate', 'nsx', 'nsx-shared.json'),
    ]);
    // Every finding id is unique, the vCenter in it.
    expect(new Set(offline.findings.map((f) => f.id)).size).toBe(offline.findings.length);
    // One account on two vCenters: shared-principal for both tenants...
    const shared = offline.findings.filter((f) => f.rule === 'shared-principal');
    expect(shared.map((f) => [f.tenant, f.vcenter]).sort()).toEqual([
      ['dedicated', 'vc-ded'],
      ['fabrikam', 'vc-shared'],
    ]);
    const cross = offline.findings.filter((f) => f.rule === 'cross-tenant-access');
    expect(cross.length).toBeGreaterThan(0);
    // ...both ways: through it each tenant reaches the other's VMs on the other's vCenter.
    const reached = (t: string) =>
      new Set(
        cross
          .filter((f) => f.tenant === t)
          .map((f) => `${f.vcenter}:${f.entity!.path.split('/')[3]}`),
      );
    expect(reached('dedicated')).toEqual(new Set(['vc-shared:fabrikam']));
    expect(reached('fabrikam')).toEqual(new Set(['vc-ded:contoso']));
    expect(cross.every((f) => f.tenant === 'dedicated' || f.tenant === 'fabrikam')).toBe(true);
    // Every row carries its vCenter; entity references carry the instance UUIDs.
    const uuids = new Map(offline.vcenters!.map((v) => [v.name, v.instanceUuid]));
    expect(new Set(uuids.values()).size).toBe(3);
    // The JSON report lists entities once, each with its vCenter's UUID; rows name the vCenter.
    const written = offline as unknown as {
      entities: Array<{ vcenter: string; moref: string }>;
      permissions: Array<{ vcenter: string }>;
      effectiveAccess: Array<{ vcenter: string }>;
    };
    expect(new Set(written.entities.map((e) => e.vcenter))).toEqual(new Set(uuids.values()));
    expect(new Set(written.permissions.map((p) => p.vcenter))).toEqual(new Set(NAMES));
    expect(written.effectiveAccess.every((a) => NAMES.includes(a.vcenter as never))).toBe(true);
    for (const f of offline.findings)
      if (f.entity) expect(f.entity.vcenter).toBe(uuids.get(f.vcenter!));
    expect(offline.findings.every((f) => f.vcenter !== undefined)).toBe(true);
    expect(r.stdout).toMatch(/^vCenter vc-shared\s+2 tenants, \d+ critical/m);
    expect(r.stdout).toMatch(/^NSX Manager nsx-shared\s+audited, serves vc-shared/m);

    // The workbook: a vCenters sheet with every server, and the NSX sheet naming the manager.
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(reportFile(out, '.xlsx'));
    expect(book.worksheets.map((w) => w.name).slice(0, 3)).toEqual([
      'Summary',
      'vCenters',
      'Findings',
    ]);
    const servers: unknown[][] = [];
    book.getWorksheet('vCenters')!.eachRow((row, n) => {
      if (n > 1) servers.push((row.values as unknown[]).slice(1, 4).map(text));
    });
    expect(servers).toEqual([
      ['vc-ded', 'vCenter', 'audited'],
      ['vc-shared', 'vCenter', 'audited'],
      ['vc-third', 'vCenter', 'audited'],
      ['nsx-shared', 'NSX Manager', 'audited'],
    ]);
    const nsxSheet = book.getWorksheet('NSX')!;
    expect((nsxSheet.getRow(1).values as unknown[]).slice(1, 3).map(text)).toEqual([
      'NSX Manager',
      'vCenter',
    ]);
    expect(text(nsxSheet.getRow(2).getCell(1).value)).toBe('nsx-shared');
  });

  it('gives the same findings live as offline', async () => {
    const out = join(dir, 'live');
    const r = await auditLive('--out', out, '--format', 'json');
    expect(r.stderr).not.toMatch(/drperm:/);
    expect(r.code).toBe(1);
    const live = json(out);
    expect(live.scope.source).toBe('live');
    expect(live.findings).toEqual(offline.findings);
    expect(live.tenants).toEqual(offline.tenants);
    // Same objects and permissions (the digests differ only by the collection time).
    const counts = (r: AuditReport) =>
      r.vcenters!.map((v) => [
        v.instanceUuid,
        v.snapshot!.entityCount,
        v.snapshot!.permissionCount,
      ]);
    expect(counts(live)).toEqual(counts(offline));
  });

  it('compares with the previous estate report: JSON, workbook, and a format 2 report', async () => {
    const before = join(dir, 'offline');
    const previousRun = (previous: string, name: string) =>
      auditOffline('--previous', previous, '--out', join(dir, name), '--format', 'json');
    const all = { new: 0, unchanged: offline.findings.length, resolved: 0 };
    for (const [previous, name] of [
      [reportFile(before, '.json'), 'since-json'],
      [reportFile(before, '.xlsx'), 'since-xlsx'],
    ] as const) {
      const r = await previousRun(previous, name);
      expect(r.stderr).not.toMatch(/drperm:/);
      expect(r.code).toBe(1);
      const since = json(join(dir, name));
      expect(since.previous!.counts).toEqual(all);
      expect(since.findings.every((f) => f.change === 'unchanged')).toBe(true);
    }
    // A fleet report of format 2 (ids without the vCenter), one finding dropped since.
    const old = JSON.parse(readFileSync(reportFile(before, '.json'), 'utf8')) as Omit<
      AuditReport,
      'formatVersion'
    > & { formatVersion: number };
    old.formatVersion = 2;
    old.findings = old.findings.map((f) => ({ ...f, id: formatTwoFindingId(f) }));
    const gone = old.findings.pop()!;
    const oldFile = join(dir, 'format2.json');
    writeFileSync(oldFile, JSON.stringify(old));
    expect((await previousRun(oldFile, 'since-format2')).code).toBe(1);
    const since = json(join(dir, 'since-format2'));
    expect(since.previous!.counts).toEqual({ ...all, new: 1, unchanged: all.unchanged - 1 });
    expect(since.findings.filter((f) => f.change === 'new').map((f) => f.id)).toEqual([
      offline.findings.find((f) => formatTwoFindingId(f) === gone.id && f.vcenter === gone.vcenter)!
        .id,
    ]);
  });

  it('signs the estate report', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = join(dir, 'audit-key.pem');
    const pub = join(dir, 'audit-key.pub.pem');
    writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const out = join(dir, 'signed');
    const r = await auditLive('--sign', key, '--out', out);
    expect(r.stderr).not.toMatch(/drperm:/);
    expect(r.code).toBe(1);
    const reports = readdirSync(out)
      .filter((f) => /\.(json|xlsx|md)$/.test(f))
      .map((f) => join(out, f));
    expect(readdirSync(out).filter((f) => f.endsWith('.sig'))).toHaveLength(3);
    const v = await cli(['verify-report', ...reports, '--key', pub]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    writeFileSync(reports[0]!, readFileSync(reports[0]!, 'utf8').replace('vc-shared', 'vc-shareX'));
    expect((await cli(['verify-report', reports[0]!, '--key', pub])).code).toBe(1);
  });

  it('asks every vCenter to confirm, and discovers as each tenant on each vCenter it lives on', async () => {
    const passwords = join(dir, 'tenant-passwords.yaml');
    writeFileSync(
      passwords,
      stringify({
        dedicated: 'Fabrikam&<Tenant>1',
        contoso: 'Contoso&<Tenant>1',
        fabrikam: 'Fabrikam&<Tenant>1',
        northwind: 'Northwind&<Tenant>1',
      }),
      { mode: 0o600 },
    );
    const out = join(dir, 'checked');
    const r = await auditLive(
      '--confirm-with-server',
      '--discover',
      '--tenant-passwords',
      passwords,
      '--out',
      out,
      '--format',
      'json,xlsx',
    );
    expect(r.stderr).not.toMatch(/drperm:/);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('Contoso&<Tenant>1');
    const checked = json(out);
    const where = (rows: Array<{ tenant: string; vcenter?: string }>) =>
      rows.map((t) => `${t.tenant}@${t.vcenter}`);
    const everyone = [
      'dedicated@vc-ded',
      'contoso@vc-shared',
      'fabrikam@vc-shared',
      'northwind@vc-third',
    ];
    expect(where(checked.serverConfirmation!.tenants)).toEqual(everyone);
    expect(checked.serverConfirmation!.tenants.every((t) => t.asked)).toBe(true);
    expect(checked.serverConfirmation!.totals.differs).toBe(0);
    expect(checked.serverConfirmation!.totals.agreed).toBe(
      checked.serverConfirmation!.totals.entitiesAsked,
    );
    expect(checked.effectiveAccess.every((a) => a.confirmedByVcenter === 'yes')).toBe(true);
    expect(where(checked.seenAsTenant!)).toEqual(everyone);
    const seen = Object.fromEntries(checked.seenAsTenant!.map((t) => [t.tenant, t]));
    // vCenter's answers agree with drperm's: the same findings as without the checks.
    expect(checked.findings.map((f) => f.id).sort()).toEqual(
      offline.findings.map((f) => f.id).sort(),
    );
    expect(seen['northwind']!.status).toBe('exact');
    expect(seen['contoso']!.counts.foreignVms).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(reportFile(out, '.xlsx'));
    const sheet = book.getWorksheet('Seen as tenant')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 3).map(text)).toEqual([
      'Tenant',
      'vCenter',
    ]);

    // Offline there is no vCenter to ask.
    const off = await auditOffline('--discover');
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/--discover asks each vCenter/);
  });

  it('refuses --password-stdin for several vCenters', async () => {
    const r = await cli(['collect', '--fleet', fleet, '--password-stdin']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--password-stdin reads one password, and the run has 3 vCenters/);
    const one = await cli([
      'collect',
      '--fleet',
      fleet,
      '--vcenter',
      'vc-ded',
      '--password-stdin',
      '--out',
      join(dir, 'one'),
    ]);
    expect(one.code).toBe(2); // the pipe is empty here: refused, not prompted
    expect(one.stderr).toMatch(/--password-stdin was given but standard input was empty/);
  });

  it('audits the others when a vCenter stops mid-collection: lists it and why, none of it isolated, exit 3', async () => {
    // The lab dies while drperm is collecting from it: after its inventory page was answered.
    proxy.inject({
      method: 'RetrievePropertiesEx',
      nth: 2,
      action: {
        kind: 'run',
        name: 'lab stopped',
        action: async () => {
          await labs['vc-third'].stop();
          proxy.down = true;
        },
      },
    });
    const out = join(dir, 'partial');
    const r = await auditLive('--out', out, '--format', 'json,md');
    expect(proxy.faultCounts()['lab stopped']).toBe(1);
    const answered = proxy.events.filter((e) => e.status === 200).map((e) => e.method);
    expect(answered).toContain('RetrievePropertiesEx');
    expect(r.code).toBe(3);
    const partial = json(out);
    const third = partial.vcenters!.find((v) => v.name === 'vc-third')!;
    expect(third.status).toBe('failed');
    expect(third.error).toMatch(/socket|reset|closed|ECONN|hang up/i);
    const northwind = partial.tenants.find((t) => t.tenant === 'northwind')!;
    expect(northwind).toMatchObject({ verdict: 'not isolated', unaudited: ['vc-third'] });
    expect(partial.findings.some((f) => f.vcenter === 'vc-third')).toBe(false);
    // The reachable vCenters are audited as before.
    expect(partial.findings).toEqual(offline.findings.filter((f) => f.vcenter !== 'vc-third'));
    expect(partial.vcenters!.filter((v) => v.status === 'audited').map((v) => v.name)).toEqual([
      'vc-ded',
      'vc-shared',
    ]);
    expect(r.stdout).toMatch(/vCenter vc-third\s+FAILED: /);
    expect(r.stdout).toMatch(/northwind\s+not isolated .*\(vCenter vc-third not audited\)/);
    const md = readFileSync(reportFile(out, '.md'), 'utf8');
    expect(md).toMatch(/\| vc-third \| \*\*failed\*\* \| northwind \|/);

    const v = await cli(['tenant', 'verify', '--fleet', fleet, '--tenant', tenants]);
    expect(v.code).toBe(3);
    expect(v.stderr).toMatch(/vCenter vc-third: /);
    expect(v.stderr).toMatch(/vCenter vc-third was not checked/);
    expect(v.stdout).toMatch(/contoso @ vc-shared/);

    const c = await cli(['collect', '--fleet', fleet, '--out', join(dir, 'estate2')]);
    expect(c.code).toBe(3);
    expect(c.stdout).toMatch(/^vc-third\s+failed\s+-/m);
    expect(c.stdout).toContain('3 of 4 servers collected; 1 failed.');
  });

  it('collects the others when a vCenter stops during a paged collection', async () => {
    // A fresh third vCenter behind the same proxy; it stops after its first inventory page.
    labs['vc-third'] = await startLab(thirdScenario);
    proxy.clear();
    proxy.retarget(labs['vc-third'].url, labs['vc-third'].certFile);
    proxy.down = false;
    proxy.inject({
      method: 'ContinueRetrievePropertiesEx',
      nth: 1,
      action: {
        kind: 'run',
        name: 'lab stopped mid-page',
        action: async () => {
          await labs['vc-third'].stop();
          proxy.down = true;
        },
      },
    });
    env = { ...env, VC2_PASSWORD: labs['vc-third'].password };
    const r = await cli([
      'collect',
      '--fleet',
      fleet,
      '--page-size',
      '2',
      '--out',
      join(dir, 'estate3'),
    ]);
    expect(proxy.faultCounts()['lab stopped mid-page']).toBe(1);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^vc-third\s+failed\s+-\s+-\s+[\d.]+\s+\S/m);
    expect(r.stdout).toMatch(/^vc-ded\s+collected\s/m);
    expect(r.stdout).toMatch(/^vc-shared\s+collected\s/m);
    expect(r.stdout).toContain('3 of 4 servers collected; 1 failed.');
    expect(readdirSync(join(dir, 'estate3')).sort()).toEqual([
      'nsx',
      'vc-ded.json',
      'vc-shared.json',
    ]);
    // The two snapshots audit offline; the third vCenter is simply not part of that estate.
  });
});
