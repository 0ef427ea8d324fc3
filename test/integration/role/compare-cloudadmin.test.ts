/**
 * `drperm compare cloudadmin`: offline (shipped files, a snapshot) and --live against a
 * private lab on which the test first creates a CloudAdmin role through the client.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectLab, startLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import type { VimClient } from '../../../src/vsphere/client';
import { loadBaselinePolicy, loadRolePolicy } from '../../../src/policy/role-policy';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  type Snapshot,
} from '../../../src/model/snapshot';

const GAP_WITHOUT_UNLOCK = [
  'Datastore.UpdateVirtualMachineFiles',
  'Task.Create',
  'Task.Update',
  'VirtualMachine.Provisioning.PutVmFiles',
];
const GAP_WITH_UNLOCK = [...GAP_WITHOUT_UNLOCK, 'VirtualMachine.Config.Unlock'].sort();

const ids = (list: { id: string }[]) => list.map((p) => p.id);

describe('compare cloudadmin offline', () => {
  it('with the shipped files only: the documented gap, Unlock included from the role file', async () => {
    const r = await runCli(['compare', 'cloudadmin', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.cloudAdminFrom).toBe('documented');
    expect(ids(result.beyondCloudAdmin)).toEqual(GAP_WITH_UNLOCK);
    expect(result.documentedVsServer).toBeUndefined();
    expect(ids(result.cloudAdminOnly)).toContain('Folder.Create');
    expect(r.stderr).toContain('no server catalogue');
  });

  it('prints what each missing privilege is needed for, and --fail-on-diff exits 1', async () => {
    const r = await runCli(['compare', 'cloudadmin', '--fail-on-diff']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/In the role, not in CloudAdmin \(5\)/);
    expect(r.stdout).toMatch(/Task\.Create {2}Tasks > Create task\n {6}needed to: /);
  });

  it('with a snapshot from a server without Unlock (8.x): exactly the four, Unlock skipped', async () => {
    const { policy: role } = await loadRolePolicy();
    const { policy: baseline } = await loadBaselinePolicy();
    // An 8.x-like catalogue: every ID the files name, except VirtualMachine.Config.Unlock.
    const catalogue = [...new Set([...role.privileges, ...baseline.privileges].map((p) => p.id))]
      .filter((id) => !id.endsWith('*') && id !== 'VirtualMachine.Config.Unlock')
      .map((id) => ({
        id,
        group: id.slice(0, id.lastIndexOf('.')),
        name: id.slice(id.lastIndexOf('.') + 1),
        onParent: false,
      }));
    const snapshot: Snapshot = {
      format: SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      tool: { name: 'drperm', version: 'test' },
      collectedAt: new Date().toISOString(),
      source: { url: 'https://vc8.example/sdk', username: 'auditor' },
      vcenter: {
        name: 'VMware vCenter Server',
        fullName: 'VMware vCenter Server 8.0.2',
        instanceUuid: 'uuid',
        apiType: 'VirtualCenter',
        apiVersion: '8.0.2.0',
        version: '8.0.2',
        build: '1',
      },
      rootFolder: 'group-d1',
      privilegeSource: 'privilegeList',
      privileges: catalogue,
      roles: [],
      permissions: [],
      entities: [],
      warnings: [],
    };
    const file = join(mkdtempSync(join(tmpdir(), 'drperm-compare-')), 'vc8.json');
    writeFileSync(file, JSON.stringify(snapshot));

    const r = await runCli(['compare', 'cloudadmin', '--snapshot', file, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(ids(result.beyondCloudAdmin)).toEqual(GAP_WITHOUT_UNLOCK);
    expect(result.role.skipped).toEqual([
      { id: 'VirtualMachine.Config.Unlock', reason: expect.stringContaining('version-dependent') },
    ]);
    expect(result.sources.catalogue).toContain('8.0.2');
  });

  it('rejects --live with --snapshot', async () => {
    const r = await runCli(['compare', 'cloudadmin', '--live', '--snapshot', 'x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--live and --snapshot');
  });
});

describe('compare cloudadmin --live', () => {
  let lab: OwnLab;
  let client: VimClient;
  beforeAll(async () => {
    lab = await startLab();
    client = await connectLab(lab);
  });
  afterAll(async () => {
    await client?.logout();
    await lab?.stop();
  });
  const cli = (args: string[]) => runCli(args, { env: labEnv(lab) });

  it('refuses with a hint when the server has no CloudAdmin role', async () => {
    const r = await cli(['compare', 'cloudadmin', '--live']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no role named CloudAdmin');
    expect(r.stderr).toContain('omit --live');
  });

  it("finds exactly the documented gap on the server's CloudAdmin, and where it departs from the document", async () => {
    // CloudAdmin as documented, limited to what the simulator defines, and missing Folder.Delete.
    const admin = (await client.roleList()).find((r) => r.roleId === -1)!.privileges;
    const { policy: baseline } = await loadBaselinePolicy();
    const cloudAdmin = baseline.privileges
      .map((p) => p.id)
      .filter((id) => admin.includes(id) && id !== 'Folder.Delete');
    await client.addAuthorizationRole('CloudAdmin', cloudAdmin);

    const r = await cli(['compare', 'cloudadmin', '--live', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.cloudAdminFrom).toBe('server');
    // The simulator defines VirtualMachine.Config.Unlock, so it is part of the gap.
    expect(admin).toContain('VirtualMachine.Config.Unlock');
    expect(ids(result.beyondCloudAdmin)).toEqual(GAP_WITH_UNLOCK);
    expect(result.documentedVsServer).toEqual({
      documentedOnly: [{ id: 'Folder.Delete', label: 'Folder > Delete folder' }],
      serverOnly: [],
    });
    // Documented IDs the simulator does not define are left out, and said so.
    expect(ids(result.baselineSkipped)).toContain('ContentLibrary.AddLibraryItem');
    expect(result.sources.cloudAdmin).toMatch(/connected vCenter's CloudAdmin role \(id -?\d+\)/);

    const text = await cli(['compare', 'cloudadmin', '--live', '--fail-on-diff']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /Documented for CloudAdmin but missing on the server \(1\):\n {2}Folder\.Delete/,
    );
  });
});
