/**
 * `drperm tenant discover` and `drperm audit --discover --confirm-with-server` on a private
 * lab that enforces authorization, as the guide's final check: after onboarding, each tenant
 * account's own session sees exactly its VMs and the shared objects of the object table; a
 * propagating grant that leaks contoso's VMs to fabrikam is named; a tenant VM whose grant
 * was removed is not discoverable. vCenter (the lab's own resolution) confirms drperm's
 * computed access. No tenant password appears in any output, log or report.
 */
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../../lab/scenario';
import type { AuditReport } from '../../../src/audit/report-model';
import type { TenantDiscoveryResult } from '../../../src/ops/discover';
import type { VimClient } from '../../../src/vsphere/client';
import type { MoRef } from '../../../src/vsphere/types';
import { collectSnapshot } from '../../../src/vsphere/collect';
import { silentLogger } from '../../../src/util/log';
import { startLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli, type CliResult } from '../../helpers/run-cli';
import { readXmlParts } from '../../unit/report/xlsx-read';
import {
  CONTOSO,
  FABRIKAM,
  TENANTS_DIR,
  connectClient,
  scratch,
  tenantObjects,
} from './tenant-lab';

const USERS = (loadScenario('lab') as { users: Array<{ name: string; password: string }> }).users;
const passwordOf = (name: string) => USERS.find((u) => u.name === name)!.password;
const PASSWORDS = { contoso: passwordOf(CONTOSO), fabrikam: passwordOf(FABRIKAM) };

// Each test runs the CLI a few times; on a loaded machine that takes longer than jest's default.
jest.setTimeout(180000);

let lab: OwnLab;
let client: VimClient;
let dir: string;
/** Every stdout and stderr of the runs, for the password check at the end. */
const outputs: string[] = [];
let passwordFile: string;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const r = await runCli(args, { env: { ...labEnv(lab), ...env }, cwd: dir });
  outputs.push(r.stdout, r.stderr);
  return r;
}

const discover = (tenants: string[], ...extra: string[]) =>
  cli([
    'tenant',
    'discover',
    ...tenants.flatMap((t) => ['--tenant', join(TENANTS_DIR, `${t}.yaml`)]),
    '--tenant-passwords',
    passwordFile,
    '--json',
    ...extra,
  ]);

function parse(r: CliResult): TenantDiscoveryResult[] {
  return (JSON.parse(r.stdout) as { tenants: TenantDiscoveryResult[] }).tenants;
}

const seenPaths = (t: TenantDiscoveryResult) => t.objects.map((o) => o.entity.path).sort();

async function refOf(path: string): Promise<MoRef> {
  const snapshot = await collectSnapshot(client, { log: silentLogger });
  const e = snapshot.entities.find((x) => x.path === path);
  if (!e) throw new Error(`no ${path}`);
  return { type: e.type, value: e.ref };
}

beforeAll(async () => {
  lab = await startLab('lab');
  client = await connectClient(lab);
  dir = scratch();
  passwordFile = join(dir, 'tenant-passwords.yaml');
  writeFileSync(
    passwordFile,
    `contoso: '${PASSWORDS.contoso}'\nfabrikam: '${PASSWORDS.fabrikam}'\n`,
  );
  chmodSync(passwordFile, 0o600);
  expect((await cli(['role', 'apply', '--yes'])).code).toBe(0);
  expect((await cli(['tenant', 'apply', '--tenant', TENANTS_DIR, '--yes'])).code).toBe(0);
}, 180000);

afterAll(async () => {
  await client?.logout();
  await lab?.stop();
});

describe('drperm tenant discover on the lab', () => {
  it('after onboarding, each account sees exactly its own VMs and the shared objects of the table (exit 0)', async () => {
    const r = await discover(['contoso', 'fabrikam']);
    expect(r.code).toBe(0);
    const [contoso, fabrikam] = parse(r);
    for (const [t, name] of [
      [contoso!, 'contoso'],
      [fabrikam!, 'fabrikam'],
    ] as const) {
      expect(t.status).toBe('exact');
      expect(t.findings).toEqual([]);
      expect(t.rootVisible).toBe(true);
      // Everything the policy grants except the root (seen as rootVisible): exactly that.
      expect(seenPaths(t)).toEqual(
        tenantObjects(name)
          .filter((p) => p !== '/')
          .sort(),
      );
      for (const vm of t.objects.filter((o) => o.kind === 'vm')) {
        expect(vm.owner).toBe(name);
        expect(vm.folder).toBe(`/DC0/vm/${name}`);
        expect(vm.resourcePool).toBe(`/DC0/host/DC0_C0/Resources/${name}-rp`);
      }
    }
    expect(contoso!.counts).toMatchObject({ vms: 4, foreignVms: 0, hosts: 3, clusters: 1 });
  });

  it('prints a table per tenant without --json', async () => {
    const r = await cli(['tenant', 'discover', '--tenant', join(TENANTS_DIR, 'contoso.yaml')], {
      DRPERM_TENANT_PASSWORD: PASSWORDS.contoso,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('contoso (VSPHERE.LOCAL\\asr-contoso): sees exactly what it should');
    expect(r.stdout).toMatch(
      /own\s+VM\s+\/DC0\/vm\/contoso\/contoso-app01\s+\/DC0\/vm\/contoso\s+/,
    );
  });

  it('logs every tenant session out', async () => {
    const sessions = await client.retrieveObject(client.serviceContent.sessionManager, [
      'sessionList',
    ]);
    const list = JSON.stringify(sessions?.props.get('sessionList') ?? []);
    // The list works: it holds this test's own administrator session.
    expect(list).toMatch(/administrator/i);
    expect(list).not.toMatch(/asr-contoso|asr-fabrikam/);
  });

  it('refuses a password file others can read, and DRPERM_TENANT_PASSWORD for two tenants', async () => {
    chmodSync(passwordFile, 0o644);
    try {
      const r = await discover(['contoso']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('accessible to others (mode 644)');
      expect(r.stderr).toContain(`chmod 600 ${passwordFile}`);
    } finally {
      chmodSync(passwordFile, 0o600);
    }
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const two = await cli(['tenant', 'discover', '--tenant', TENANTS_DIR], {
      DRPERM_TENANT_PASSWORD: PASSWORDS.contoso,
    });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('DRPERM_TENANT_PASSWORD is for a single tenant');
  });

  it('a wrong password is a refused login (exit 3), reported without the password', async () => {
    const r = await cli(['tenant', 'discover', '--tenant', join(TENANTS_DIR, 'fabrikam.yaml')], {
      DRPERM_TENANT_PASSWORD: 'Wrong&<Guess>9',
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('vCenter refused the login of VSPHERE.LOCAL\\asr-fabrikam');
    expect(r.stdout + r.stderr).not.toContain('Wrong&<Guess>9');
  });

  describe('audit --confirm-with-server --discover, onboarded', () => {
    let report: AuditReport;
    const out = () => join(dir, 'audit-exact');
    beforeAll(async () => {
      const out = join(dir, 'audit-exact');
      const r = await cli([
        'audit',
        '--tenants',
        TENANTS_DIR,
        '--confirm-with-server',
        '--discover',
        '--tenant-passwords',
        passwordFile,
        '--out',
        out,
      ]);
      expect(r.code).toBe(0);
      const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
      report = JSON.parse(readFileSync(join(out, file), 'utf8')) as AuditReport;
    }, 120000);

    it('vCenter agrees with drperm on every entity of both tenants', () => {
      const c = report.serverConfirmation!;
      expect(c.totals.differs).toBe(0);
      expect(c.tenants.map((t) => [t.tenant, t.asked, t.differs])).toEqual([
        ['contoso', true, 0],
        ['fabrikam', true, 0],
      ]);
      // Every entity of the inventory, for each tenant.
      expect(c.tenants[0]!.entitiesAsked).toBe(report.snapshot.entityCount);
      expect(c.totals.agreed).toBe(2 * report.snapshot.entityCount);
      expect(c.groupNote).toContain('expands its group memberships itself');
      expect(report.effectiveAccess.length).toBeGreaterThan(0);
      expect(new Set(report.effectiveAccess.map((r) => r.confirmedByVcenter))).toEqual(
        new Set(['yes']),
      );
      expect(report.findings.filter((f) => f.rule === 'server-disagrees')).toEqual([]);
      // Without --membership drperm cannot resolve the lab's groups; vCenter, which can, agrees.
      expect(report.findings.some((f) => f.rule === 'group-grant-unresolved')).toBe(true);
      expect(report.warnings).toContainEqual(
        expect.stringMatching(
          /^tenant contoso: vCenter, which expands group memberships itself, agrees with drperm on all \d+ entities/,
        ),
      );
    });

    it('the workbook has the Confirmed by vCenter column, its Summary lines and the Seen as tenant sheet', async () => {
      const xlsx = readdirSync(out()).find((f) => f.endsWith('.xlsx'))!;
      const parts = [...(await readXmlParts(join(out(), xlsx))).values()].join('\n');
      expect(parts).toContain('Confirmed by vCenter');
      expect(parts).toContain('Confirmed by vCenter: agree');
      expect(parts).toContain('Seen as tenant');
    });

    it('has the Seen as tenant section: both exact', () => {
      expect(report.seenAsTenant!.map((t) => [t.tenant, t.status])).toEqual([
        ['contoso', 'exact'],
        ['fabrikam', 'exact'],
      ]);
    });
  });

  describe('after a propagating grant leaks contoso to fabrikam', () => {
    beforeAll(async () => {
      const pool = await refOf('/DC0/host/DC0_C0/Resources/contoso-rp');
      await client.setEntityPermissions(pool, [
        { principal: FABRIKAM, group: false, roleId: -2, propagate: true },
      ]);
    });

    it('tenant discover names every contoso VM fabrikam now sees (exit 1, critical)', async () => {
      const r = await discover(['fabrikam']);
      expect(r.code).toBe(1);
      const [fabrikam] = parse(r);
      const leaked = fabrikam!.findings
        .filter((f) => f.rule === 'discover-foreign-vm')
        .map((f) => f.entity!.path)
        .sort();
      expect(leaked).toEqual(
        tenantObjects('contoso')
          .filter((p) => p.startsWith('/DC0/vm/'))
          .sort(),
      );
      const f = fabrikam!.findings.find((x) => x.rule === 'discover-foreign-vm')!;
      expect(f.severity).toBe('critical');
      // drperm's computation names the grant that causes it.
      expect(f.evidence.map((e) => [e.entity.path, e.principal, e.propagate])).toEqual([
        ['/DC0/host/DC0_C0/Resources/contoso-rp', FABRIKAM, true],
      ]);
      expect(fabrikam!.counts.foreignVms).toBe(4);
    });

    it('audit --confirm-with-server still agrees with vCenter: drperm computes the leak too', async () => {
      const out = join(dir, 'audit-leak');
      const r = await cli([
        'audit',
        '--tenants',
        TENANTS_DIR,
        '--confirm-with-server',
        '--discover',
        '--tenant-passwords',
        passwordFile,
        '--out',
        out,
      ]);
      expect(r.code).toBe(1);
      const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
      const report = JSON.parse(readFileSync(join(out, file), 'utf8')) as AuditReport;
      expect(report.serverConfirmation!.totals.differs).toBe(0);
      const rules = new Set(
        report.findings.filter((f) => f.tenant === 'fabrikam').map((f) => f.rule),
      );
      expect(rules).toContain('cross-tenant-access');
      expect(rules).toContain('discover-foreign-vm');
      expect(report.tenants.find((t) => t.tenant === 'fabrikam')!.verdict).toBe('not isolated');
    });
  });

  describe("after contoso's grant on one of its VMs is removed", () => {
    beforeAll(async () => {
      const vm = await refOf('/DC0/vm/contoso/contoso-db01');
      await client.removeEntityPermission(vm, CONTOSO, false);
    });

    it('reports the VM as not discoverable in the Azure portal (exit 1, high)', async () => {
      const r = await discover(['contoso']);
      expect(r.code).toBe(1);
      const [contoso] = parse(r);
      expect(contoso!.missingVms.map((v) => v.path)).toEqual(['/DC0/vm/contoso/contoso-db01']);
      const f = contoso!.findings.find((x) => x.rule === 'discover-missing-vm')!;
      expect(f.severity).toBe('high');
      expect(f.message).toContain('not discoverable in the Azure portal');
      expect(contoso!.findings.map((x) => x.rule)).toEqual(['discover-missing-vm']);
    });
  });

  it('no tenant password appears in any output, log, snapshot or report', async () => {
    const snap = join(dir, 'snapshot.json');
    outputs.push((await cli(['collect', '--out', snap])).stderr);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, f.name);
        if (f.isDirectory()) walk(p);
        else if (p !== passwordFile) files.push(p);
      }
    };
    walk(dir);
    const texts = [...outputs];
    for (const f of files) {
      if (f.endsWith('.xlsx')) texts.push(...(await readXmlParts(f)).values());
      else texts.push(readFileSync(f, 'utf8'));
    }
    expect(files.some((f) => f.endsWith('.xlsx'))).toBe(true);
    expect(files.some((f) => f.endsWith('.md'))).toBe(true);
    const forms = (p: string) => [
      p,
      p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    ];
    for (const password of Object.values(PASSWORDS)) {
      for (const form of forms(password)) {
        for (const t of texts) expect(t.includes(form)).toBe(false);
      }
    }
  });
});
