/**
 * Finding one's way in the inventory: `drperm ls`, `drperm find` and `drperm tenant init` on
 * the shared lab (read-only), live and from a snapshot, and their refusals.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import { snapshotText } from '../../../src/model/snapshot-file';
import { snapshotWithControlNames } from '../hostile/corpus';

const lab = sharedLab();
const env = labEnv(lab);
const dir = mkdtempSync(join(tmpdir(), 'drperm-everyday-inv-'));
const snapshot = join(dir, 'lab.json');
const cli = (args: string[]) => runCli(args, { env, cwd: dir });
// eslint-disable-next-line no-control-regex -- asserting their absence
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

beforeAll(async () => {
  expect((await cli(['collect', '--out', snapshot])).code).toBe(0);
});

describe('drperm ls', () => {
  it("lists the datacenters, then a folder's children with their types, as govc does", async () => {
    const root = await cli(['ls']);
    expect(root.code).toBe(0);
    expect(root.stdout).toMatch(/^PATH\s+TYPE\n\/DC0\s+Datacenter\n$/);
    const contoso = await cli(['ls', '/DC0/vm/contoso']);
    expect(contoso.stdout.split('\n').slice(1, -1)).toEqual([
      expect.stringMatching(/^\/DC0\/vm\/contoso\/=contoso&<legacy>\s+VirtualMachine$/),
      expect.stringMatching(/^\/DC0\/vm\/contoso\/contoso-app01\s+VirtualMachine$/),
      expect.stringMatching(/^\/DC0\/vm\/contoso\/contoso-cs01\s+VirtualMachine$/),
      expect.stringMatching(/^\/DC0\/vm\/contoso\/contoso-db01\s+VirtualMachine$/),
    ]);
  });

  it("-l counts permissions and shows the account's own grant, the same live and offline", async () => {
    const args = ['ls', '-l', '/', '--account', 'VSPHERE.LOCAL\\asr-contoso', '--json'];
    const live = await cli(args);
    const offline = await cli([...args, '--snapshot', snapshot]);
    expect(live.code).toBe(0);
    const rows = JSON.parse(live.stdout) as Array<{
      path: string;
      permissions: number;
      account: unknown;
    }>;
    expect(rows[0]).toMatchObject({ path: '/DC0', type: 'Datacenter', account: null });
    expect(rows[0]!.permissions).toBeGreaterThan(0);
    expect(JSON.parse(offline.stdout)).toEqual(rows);
  });

  it('refuses a path that does not exist with the nearest paths (exit 2)', async () => {
    const r = await cli(['ls', '/DC0/vm/contso', '--snapshot', snapshot]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'drperm: PATH /DC0/vm/contso does not exist in the inventory; nearest: /DC0/vm/contoso',
    );
  });

  it('refuses --snapshot together with --url (exit 2)', async () => {
    const r = await cli(['ls', '--snapshot', snapshot, '--url', lab.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--snapshot .* and --url .* exclude each other/);
  });

  it('escapes control characters in names from a snapshot', async () => {
    const evil = join(dir, 'evil.json');
    writeFileSync(evil, snapshotText(snapshotWithControlNames()));
    for (const args of [
      ['ls', '-l', '/DC0/vm'],
      ['find', '--type', 'vm'],
    ]) {
      const r = await cli([...args, '--snapshot', evil]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(RAW_CONTROL);
      expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07');
    }
  });
});

describe('drperm find', () => {
  it('finds VMs by name glob and objects by type', async () => {
    const vms = await cli(['find', '--name', 'fabrikam-*', '--type', 'vm', '--json']);
    expect((JSON.parse(vms.stdout) as Array<{ path: string }>).map((o) => o.path)).toEqual([
      '/DC0/vm/fabrikam/fabrikam-cs01',
      '/DC0/vm/fabrikam/fabrikam-db01',
      '/DC0/vm/fabrikam/fabrikam-web01',
    ]);
    const clusters = await cli(['find', '/DC0/host', '--type', 'cluster', '--snapshot', snapshot]);
    expect(clusters.stdout).toMatch(/\/DC0\/host\/DC0_C0\s+ClusterComputeResource/);
    const pods = await cli(['find', '--type', 'datastore', '--name', 'StoragePod*', '--json']);
    expect(JSON.parse(pods.stdout)).toEqual([expect.objectContaining({ type: 'StoragePod' })]);
  });

  it('refuses an unknown type with the nearest one (exit 2)', async () => {
    const r = await cli(['find', '--type', 'vms', '--snapshot', snapshot]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "vm"?');
  });
});

describe('drperm tenant init', () => {
  const init = [
    'tenant',
    'init',
    'contoso',
    '--account',
    'asr-contoso@vsphere.local',
    '--vm-folder',
    '/DC0/vm/contoso',
  ];

  it('writes a tenant file from where the VMs run, one comment per entry, that plans cleanly', async () => {
    const r = await cli([...init, '--management-server', '/DC0/vm/contoso/contoso-cs01']);
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text).toContain('principal: VSPHERE.LOCAL\\asr-contoso');
    expect(text).toMatch(/- \/DC0 # datacenter: /);
    expect(text).toMatch(/- \/DC0\/host\/DC0_C0 # cluster \(with each of its hosts\): runs /);
    expect(text).toMatch(
      /- \/DC0\/datastore\/StoragePod0 # datastore cluster \(with each member datastore\): member LocalDS_\d/,
    );
    expect(text).toMatch(/- \/DC0\/network\/DC0_DVPG0 # network: used by contoso-app01/);
    expect(text).toMatch(/- \/DC0\/vm\/contoso # the tenant's VM folder: its 4 VM\(s\)/);
    const file = join(dir, 'contoso.yaml');
    writeFileSync(file, text);
    // Every path resolves; the shared lab has no Azure_Site_Recovery role, the one refusal left.
    const plan = await cli(['tenant', 'plan', '--tenant', file, '--json']);
    const json = JSON.parse(plan.stdout) as {
      refusals: { kind: string }[];
      plans: { objects: unknown[] }[];
    };
    expect(json.refusals.map((r) => r.kind)).toEqual(['role-missing']);
    expect(json.plans[0]!.objects.length).toBeGreaterThan(10);
  });

  it('is the same from a snapshot, writes --out, and refuses to overwrite without --force', async () => {
    const out = join(dir, 'init-out.yaml');
    const first = await cli([...init, '--snapshot', snapshot, '--out', out]);
    expect(first.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const again = await cli([...init, '--snapshot', snapshot, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`drperm: ${out} exists; pass --force to overwrite it`);
    writeFileSync(out, 'changed');
    expect((await cli([...init, '--snapshot', snapshot, '--out', out, '--force'])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('tenant: contoso');
  });

  it('refuses a folder without VMs and no pool, and a bad mode (exit 2)', async () => {
    const empty = await cli([
      'tenant',
      'init',
      'x',
      '--account',
      'X\\x',
      '--vm-folder',
      '/DC0/vm',
      '--snapshot',
      snapshot,
      '--mode',
      'failover',
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--mode must be failback or failover-only/);
  });
});
