/**
 * `drperm collect` against the shared simulator lab, run as a user would (dist/cli.js).
 * Needs `npm run build` first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSnapshot } from '../../../src/model/snapshot-file';
import { runCli } from '../../helpers/run-cli';
import { sharedLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';

const lab = sharedLab();
const dir = mkdtempSync(join(tmpdir(), 'drperm-collect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const xmlEscaped = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function expectNoPassword(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(lab.password);
    expect(t).not.toContain(xmlEscaped(lab.password));
  }
}

describe('drperm collect on the simulator lab', () => {
  it('collects a valid snapshot with both parents of every VM and special names intact, logging no secrets', async () => {
    const out = join(dir, 'lab.json');
    const r = await runCli(['--verbose', 'collect', '--out', out, '--json'], { env: labEnv(lab) });
    expect(r.stderr).not.toMatch(/^drperm: /m);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      path: string;
      sha256: string;
      counts: { virtualMachines: number };
    };
    expect(result.path).toBe(out);
    const { snapshot, sha256 } = await readSnapshot(out);
    expect(sha256).toBe(result.sha256);
    const byRef = new Map(snapshot.entities.map((e) => [e.ref, e]));
    const vms = snapshot.entities.filter((e) => e.type === 'VirtualMachine');
    expect(vms.length).toBe(result.counts.virtualMachines);
    expect(vms.length).toBeGreaterThan(0);
    for (const vm of vms) {
      expect(byRef.get(vm.parent ?? vm.parentVApp ?? '')?.type).toMatch(/Folder|VirtualApp/);
      expect(byRef.get(vm.resourcePool ?? '')?.type).toMatch(/ResourcePool|VirtualApp/);
    }
    const special = vms.find(
      (v) => v.name.includes('&') && v.name.includes('<') && v.name.startsWith('='),
    );
    expect(special).toBeDefined();
    expect(special!.path.endsWith(`/${special!.name}`)).toBe(true);
    expect(r.stderr).toContain('soap RetrievePropertiesEx');
    expectNoPassword(r.stdout, r.stderr, readFileSync(out, 'utf8'));
  });

  it('pages across more objects than one page', async () => {
    const small = join(dir, 'paged.json');
    const big = join(dir, 'unpaged.json');
    const paged = await runCli(['--verbose', 'collect', '--page-size', '5', '--out', small], {
      env: labEnv(lab),
    });
    expect(paged.code).toBe(0);
    const continues = paged.stderr.match(/soap ContinueRetrievePropertiesEx: HTTP 200/g) ?? [];
    expect(continues.length).toBeGreaterThanOrEqual(2);
    expect(paged.stderr).toContain('soap DestroyView: HTTP 200');
    expect((await runCli(['collect', '--out', big], { env: labEnv(lab) })).code).toBe(0);
    const refs = async (f: string) =>
      (await readSnapshot(f)).snapshot.entities.map((e) => e.ref).sort();
    const pagedRefs = await refs(small);
    expect(pagedRefs.length).toBeGreaterThan(5 * 2);
    expect(pagedRefs).toEqual(await refs(big));
    expect(new Set(pagedRefs).size).toBe(pagedRefs.length);
  });

  it('refuses a wrong password with a clear message and exit 3', async () => {
    const r = await runCli(['collect', '--out', join(dir, 'never.json')], {
      env: { ...labEnv(lab), DRPERM_PASSWORD: 'wrong-Password-42' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('incorrect user name or password');
    expect(r.stderr).not.toContain('wrong-Password-42');
  });

  it('takes the password from --password-stdin', async () => {
    const env = { ...labEnv(lab), DRPERM_PASSWORD: '' };
    const r = await runCli(['collect', '--password-stdin', '--out', join(dir, 'stdin.json')], {
      env,
      input: `${lab.password}\n`,
    });
    expect(r.code).toBe(0);
    expectNoPassword(r.stdout, r.stderr);
  });

  it('refuses the self-signed certificate unless pinned or trusted', async () => {
    const { DRPERM_THUMBPRINT: _pin, ...unpinned } = labEnv(lab);
    const refused = await runCli(['collect'], { env: unpinned });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('not trusted');
    expect(refused.stderr).toContain(lab.thumbprintSha256);
    expect(refused.stderr).toContain('--thumbprint');

    const wrong = await runCli(['collect'], {
      env: { ...unpinned, DRPERM_THUMBPRINT: '00'.repeat(32) },
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('does not match the pinned');

    const sha1 = await runCli(
      ['collect', '--thumbprint', lab.thumbprintSha1, '--out', join(dir, 'sha1.json')],
      { env: unpinned },
    );
    expect(sha1.code).toBe(0);
    const ca = await runCli(['collect', '--ca-file', lab.certFile, '--out', join(dir, 'ca.json')], {
      env: unpinned,
    });
    expect(ca.code).toBe(0);
    const insecure = await runCli(['collect', '--insecure', '--out', join(dir, 'insecure.json')], {
      env: unpinned,
    });
    expect(insecure.code).toBe(0);
    expect(insecure.stderr).toContain('verification is disabled');
  });

  it('explains a missing URL with exit 2', async () => {
    const r = await runCli(['collect'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no vCenter URL given');
    expect(r.stderr).toContain('DRPERM_URL');
  });
});
