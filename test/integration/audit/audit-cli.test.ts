/** `drperm audit` and `drperm access` offline, on snapshot files written with writeSnapshot. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSnapshot } from '../../../src/model/snapshot-file';
import { runCli } from '../../helpers/run-cli';
import { ASR_PRIVILEGES, CONTOSO, twoTenants } from '../../unit/audit/two-tenants';

let dir: string;

const tenantFile = (name: string) => `tenant: ${name}
mode: failback
account: { principal: 'VSPHERE.LOCAL\\asr-${name}', group: false }
objects:
  datacenters: [/DC0]
  hosts: [/DC0/host/C0]
  datastores: [/DC0/datastore/ds0]
  networks: [/DC0/network/net0]
  vms: { folders: [/DC0/vm/${name}] }
`;

const rolePolicy = `kind: role
name: Azure_Site_Recovery
privileges:
${ASR_PRIVILEGES.map((id) => `  - { id: ${id}, label: ${id} }`).join('\n')}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drperm-audit-cli-'));
  await writeFile(join(dir, 'contoso.yaml'), tenantFile('contoso'));
  await writeFile(join(dir, 'fabrikam.yaml'), tenantFile('fabrikam'));
  await writeFile(join(dir, 'role.yaml'), rolePolicy);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Both tenants configured per seed 001; `leak` adds a propagating grant on the shared cluster. */
async function snapshotFile(
  name: string,
  leak: boolean,
): Promise<{ path: string; sha256: string }> {
  const f = twoTenants();
  f.apply(f.contoso);
  f.apply(f.fabrikam);
  if (leak) {
    const p = f.b.permissions.find((x) => x.entity === f.cluster.ref && x.principal === CONTOSO)!;
    p.propagate = true;
  }
  const path = join(dir, `${name}.json`);
  return { path, sha256: await writeSnapshot(path, f.b.build()) };
}

function auditArgs(snapshot: string, out: string, ...extra: string[]): string[] {
  return [
    'audit',
    '--tenants',
    join(dir, 'contoso.yaml'),
    join(dir, 'fabrikam.yaml'),
    '--snapshot',
    snapshot,
    '--out',
    join(dir, out),
    '--role',
    join(dir, 'role.yaml'),
    ...extra,
  ];
}

describe('drperm audit (offline)', () => {
  test('a clean configuration: both tenants isolated, exit 0, reports written', async () => {
    const snap = await snapshotFile('clean', false);
    const r = await runCli(auditArgs(snap.path, 'clean', '--format', 'json,md'));
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/contoso\s+isolated\s+no findings/);
    expect(r.stdout).toMatch(/fabrikam\s+isolated\s+no findings/);
    const jsonPath = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.endsWith('.json'))!;
    expect(r.stdout).toMatch(/\.md$/m);
    const report = JSON.parse(await readFile(jsonPath, 'utf8'));
    expect(report).toMatchObject({
      format: 'drperm-audit',
      formatVersion: 3,
      snapshot: { sha256: snap.sha256, collectedAt: '2025-01-02T03:04:05.000Z' },
      scope: { source: 'snapshot', tenants: ['contoso', 'fabrikam'], failOn: 'high' },
      findings: [],
    });
    expect(report.effectiveAccess.length).toBeGreaterThan(0);
  });

  test('a propagating cluster grant: contoso not isolated, cross-tenant-access with evidence, exit 1', async () => {
    const snap = await snapshotFile('leak', true);
    // Default formats: the workbook writer runs on a report with findings too.
    const r = await runCli(auditArgs(snap.path, 'leak'));
    expect(r.stdout).toMatch(/\.xlsx$/m);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/contoso\s+not isolated\s+\d+ critical/);
    expect(r.stdout).toMatch(/fabrikam\s+isolated/);
    const jsonPath = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.endsWith('.json'))!;
    const report = JSON.parse(await readFile(jsonPath, 'utf8'));
    const cross = report.findings.filter((f: { rule: string }) => f.rule === 'cross-tenant-access');
    expect(cross.map((f: { entity: { path: string } }) => f.entity.path)).toEqual([
      '/DC0/vm/fabrikam/fabrikam-1',
    ]);
    expect(cross[0].evidence[0]).toMatchObject({
      entity: { path: '/DC0/host/C0' },
      principal: CONTOSO,
      roleName: 'Azure_Site_Recovery',
      propagate: true,
    });
  });

  test('--fail-on critical still fails on the leak; the clean case passes with --fail-on medium', async () => {
    const leak = await snapshotFile('leak2', true);
    expect(
      (await runCli(auditArgs(leak.path, 'l2', '--format', 'md', '--fail-on', 'critical'))).code,
    ).toBe(1);
    const clean = await snapshotFile('clean2', false);
    expect(
      (await runCli(auditArgs(clean.path, 'c2', '--format', 'md', '--fail-on', 'medium'))).code,
    ).toBe(0);
  });

  test('bad flags are usage errors (exit 2) with a hint', async () => {
    const snap = await snapshotFile('flags', false);
    const badSeverity = await runCli(auditArgs(snap.path, 'f', '--fail-on', 'hihg'));
    expect(badSeverity.code).toBe(2);
    expect(badSeverity.stderr).toMatch(/--fail-on "hihg" is not a severity/);
    expect(badSeverity.stderr).toMatch(/did you mean high/);
    const badFormat = await runCli(auditArgs(snap.path, 'f', '--format', 'xlsx,pdf'));
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/"pdf" is not a report format/);
    const missing = await runCli(auditArgs(join(dir, 'nope.json'), 'f'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read snapshot/);
  });
});

describe('drperm access (offline)', () => {
  test('--json prints { entity, privileges, grantedBy } for every object reached', async () => {
    const snap = await snapshotFile('access', true);
    const r = await runCli([
      'access',
      '--principal',
      'vsphere.local\\ASR-CONTOSO',
      '--snapshot',
      snap.path,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{
      entity: { moref: string; type: string; path: string };
      privileges: string[];
      grantedBy: Array<{ entity: { path: string }; propagate: boolean }>;
    }>;
    const paths = rows.map((x) => x.entity.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/',
        '/DC0',
        '/DC0/vm/contoso/contoso-1',
        '/DC0/vm/fabrikam/fabrikam-1',
      ]),
    );
    const foreign = rows.find((x) => x.entity.path === '/DC0/vm/fabrikam/fabrikam-1')!;
    expect(foreign.privileges).toEqual(expect.arrayContaining(ASR_PRIVILEGES));
    expect(foreign.grantedBy).toEqual([
      expect.objectContaining({
        entity: expect.objectContaining({ path: '/DC0/host/C0' }),
        propagate: true,
      }),
    ]);
  });

  test('text output, and a warning with suggestions for a principal no permission names', async () => {
    const snap = await snapshotFile('access2', false);
    const ok = await runCli(['access', '--principal', CONTOSO, '--snapshot', snap.path]);
    // Root, DC, cluster, host, root pool, datastore, network, 2 VMs, plus the DC's four
    // folders, which always inherit the non-propagating datacenter grant.
    expect(ok.stdout).toMatch(/reaches 13 objects/);
    expect(ok.stdout).toMatch(/\/DC0\/vm {2}\(Folder/);
    expect(ok.stdout).toMatch(
      /granted by Azure_Site_Recovery for VSPHERE\.LOCAL\\asr-contoso on \/DC0\/vm\/contoso\/contoso-1/,
    );
    const typo = await runCli([
      'access',
      '--principal',
      'VSPHERE.LOCAL\\asr-contosso',
      '--snapshot',
      snap.path,
    ]);
    expect(typo.code).toBe(0);
    expect(typo.stdout).toMatch(/reaches no object/);
    expect(typo.stderr).toMatch(/nearest to it: VSPHERE\.LOCAL\\asr-contoso/);
  });
});
