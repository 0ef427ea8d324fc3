/**
 * A partner estate of three labs at once, through the CLI: a dedicated vCenter (one
 * tenant), a shared one (two tenants), and a third that is stopped during the run. The
 * dedicated tenant's account is also fabrikam's on the shared vCenter (one SSO domain).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { AuditReport } from '../../../src/audit/report-model';
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

function policy(tenant: string, vcenter: string, principal: string, folder: string) {
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
  };
}

const POLICIES = {
  // Dedicated hosting: the contoso folder of its own vCenter, with fabrikam's account.
  dedicated: policy('dedicated', 'vc-ded', FABRIKAM, 'contoso'),
  contoso: policy('contoso', 'vc-shared', CONTOSO, 'contoso'),
  fabrikam: policy('fabrikam', 'vc-shared', FABRIKAM, 'fabrikam'),
  northwind: policy('northwind', 'vc-third', NORTHWIND, 'fabrikam'),
};

/** The tenant role on each vCenter (role apply is per vCenter); tenants come with tenant apply --fleet. */
async function createRole(lab: OwnLab): Promise<void> {
  const r = await runCli(['role', 'apply', '--yes'], { env: labEnv(lab), cwd: dir });
  expect(r.code).toBe(0);
}

function json(path: string): AuditReport {
  const [file] = readdirSync(path).filter((f) => f.endsWith('.json'));
  return JSON.parse(readFileSync(join(path, file!), 'utf8')) as AuditReport;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'drperm-fleet-it-'));
  // The third vCenter's tenant has an account of its own: the lab scenario plus that user.
  const scenario = parse(readFileSync(join(REPO, 'test/sim/scenarios/lab.yaml'), 'utf8')) as {
    users: unknown[];
  };
  scenario.users.push({ name: NORTHWIND, password: 'Northwind&<Tenant>1' });
  const thirdScenario = join(dir, 'third.yaml');
  writeFileSync(thirdScenario, stringify(scenario));
  const started = await Promise.all([startLab(), startLab(), startLab(thirdScenario)]);
  labs = Object.fromEntries(NAMES.map((n, i) => [n, started[i]!])) as typeof labs;
  tenants = join(dir, 'tenants');
  mkdirSync(tenants);
  for (const [name, p] of Object.entries(POLICIES))
    writeFileSync(join(tenants, `${name}.yaml`), stringify(p));
  await Promise.all(Object.values(labs).map(createRole));
  nsx = await startNsxServer({ scenario: 'avs' });
  fleet = join(dir, 'drperm.yaml');
  writeFileSync(
    fleet,
    stringify({
      vcenters: NAMES.map((n, i) => ({
        name: n,
        url: labs[n].url,
        passwordEnv: `VC${i}_PASSWORD`,
        thumbprint: labs[n].thumbprintSha256,
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
});

const cli = (args: string[]) => runCli(args, { env, cwd: dir, timeoutMs: 300_000 });

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
    const r = await cli([
      'audit',
      '--snapshot',
      join(dir, 'estate'),
      '--tenants',
      tenants,
      '--out',
      out,
      '--format',
      'json,md',
    ]);
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
      contoso: 'isolated',
      fabrikam: 'not isolated',
      northwind: 'isolated',
    });
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
  });

  it('gives the same findings live as offline', async () => {
    const out = join(dir, 'live');
    const r = await cli([
      'audit',
      '--fleet',
      fleet,
      '--tenants',
      tenants,
      '--out',
      out,
      '--format',
      'json',
    ]);
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

  it('audits the others when one vCenter stops: lists it and why, none of it isolated, exit 3', async () => {
    await labs['vc-third'].stop();
    const out = join(dir, 'partial');
    const r = await cli([
      'audit',
      '--fleet',
      fleet,
      '--tenants',
      tenants,
      '--out',
      out,
      '--format',
      'json,md',
    ]);
    expect(r.code).toBe(3);
    const partial = json(out);
    const third = partial.vcenters!.find((v) => v.name === 'vc-third')!;
    expect(third.status).toBe('failed');
    expect(third.error).toMatch(/ECONNREFUSED|connect|refused/i);
    const northwind = partial.tenants.find((t) => t.tenant === 'northwind')!;
    expect(northwind).toMatchObject({ verdict: 'not isolated', unaudited: ['vc-third'] });
    // The reachable vCenters are audited as before.
    expect(partial.findings).toEqual(offline.findings.filter((f) => f.vcenter !== 'vc-third'));
    expect(r.stdout).toMatch(/vCenter vc-third\s+FAILED: /);
    expect(r.stdout).toMatch(/northwind\s+not isolated .*\(vCenter vc-third not audited\)/);

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
});
