/** `drperm audit --sign/--previous` and `drperm verify-report`, offline, as a user runs them. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSnapshot } from '../../../src/model/snapshot-file';
import { runCli } from '../../helpers/run-cli';
import { CONTOSO, twoTenants } from '../../unit/audit/two-tenants';

let dir: string;
let snapshot: string;

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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drperm-audit-evidence-'));
  await writeFile(join(dir, 'contoso.yaml'), tenantFile('contoso'));
  await writeFile(join(dir, 'fabrikam.yaml'), tenantFile('fabrikam'));
  const f = twoTenants();
  f.apply(f.contoso);
  f.apply(f.fabrikam);
  f.b.permissions.find((x) => x.entity === f.cluster.ref && x.principal === CONTOSO)!.propagate =
    true;
  snapshot = join(dir, 'snapshot.json');
  await writeSnapshot(snapshot, f.b.build());
  // The key pair as the README says to make it.
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'key.pem')]);
  execFileSync('openssl', [
    'pkey',
    '-in',
    join(dir, 'key.pem'),
    '-pubout',
    '-out',
    join(dir, 'key.pub.pem'),
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const audit = (out: string, ...extra: string[]) =>
  runCli([
    'audit',
    '--tenants',
    join(dir, 'contoso.yaml'),
    join(dir, 'fabrikam.yaml'),
    '--snapshot',
    snapshot,
    '--out',
    join(dir, out),
    ...extra,
  ]);

async function file(out: string, ext: string): Promise<string> {
  const name = (await readdir(join(dir, out))).find((f) => f.endsWith(ext))!;
  return join(dir, out, name);
}

describe('drperm audit --sign, drperm verify-report', () => {
  test('signs every report; verify-report says valid (exit 0), and fails after one byte changed (exit 1)', async () => {
    const r = await audit('signed', '--sign', join(dir, 'key.pem'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\.xlsx\.sig$/m);
    expect(r.stdout).toMatch(/\.json\.sig$/m);
    const json = await file('signed', '.json');
    const xlsx = await file('signed', '.xlsx');
    const ok = await runCli(['verify-report', json, xlsx, '--key', join(dir, 'key.pub.pem')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/\.json: signature valid \(Ed25519/);
    expect(ok.stdout).toMatch(/\.xlsx: signature valid/);

    const text = await readFile(json, 'utf8');
    await writeFile(json, text.replace('"critical"', '"cr1tical"'));
    const bad = await runCli(['verify-report', json, '--key', join(dir, 'key.pub.pem')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /signature does NOT match: the file was changed after it was signed/,
    );
  });

  test('bad key files and missing signatures are input errors (exit 2) with a hint', async () => {
    const notKey = join(dir, 'contoso.yaml');
    const sign = await audit('badkey', '--sign', notKey, '--format', 'json');
    expect(sign.code).toBe(2);
    expect(sign.stderr).toMatch(/not a usable PEM private key/);
    expect(sign.stderr).toMatch(/hint: make a key pair with: openssl genpkey -algorithm ed25519/);

    await audit('unsigned', '--format', 'json');
    const unsigned = await file('unsigned', '.json');
    const missing = await runCli(['verify-report', unsigned, '--key', join(dir, 'key.pub.pem')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read signature .*\.json\.sig/);
  });

  test('--help shows how to make a key', async () => {
    const help = await runCli(['verify-report', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/openssl genpkey -algorithm ed25519/);
  });
});

describe('drperm audit --previous', () => {
  test('a second audit of the same snapshot: same ids, every finding unchanged', async () => {
    await audit('first', '--format', 'json,xlsx');
    const first = JSON.parse(await readFile(await file('first', '.json'), 'utf8'));
    await audit('second', '--format', 'json,md', '--previous', await file('first', '.xlsx'));
    const second = JSON.parse(await readFile(await file('second', '.json'), 'utf8'));
    expect(second.findings.map((f: { id: string }) => f.id)).toEqual(
      first.findings.map((f: { id: string }) => f.id),
    );
    expect(new Set(second.findings.map((f: { change: string }) => f.change))).toEqual(
      new Set(['unchanged']),
    );
    expect(second.previous.counts).toEqual({
      new: 0,
      unchanged: first.findings.length,
      resolved: 0,
    });
    const md = await readFile(await file('second', '.md'), 'utf8');
    expect(md).toMatch(/0 new, \d+ unchanged, 0 resolved/);
    // The evidence block: every input's digest and the command line.
    expect(second.inputs.map((i: { kind: string }) => i.kind)).toEqual([
      'snapshot',
      'tenant policy',
      'tenant policy',
      'role policy',
    ]);
    expect(second.commandLine).toMatch(/^drperm audit --tenants .* --previous /);
  });

  test('a previous file that is not a report is an input error', async () => {
    const r = await audit('prevbad', '--format', 'json', '--previous', join(dir, 'contoso.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a JSON report/);
  });
});
