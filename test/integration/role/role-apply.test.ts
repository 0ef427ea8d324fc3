/**
 * `drperm role plan | apply` against a private simulator lab (these tests change roles).
 * The role is read back through the client, independently of the command's own check.
 */
import { connectLab, startLab, type OwnLab } from '../../helpers/lab';
import { labEnv } from '../../helpers/lab-info';
import { runCli } from '../../helpers/run-cli';
import type { VimClient } from '../../../src/vsphere/client';
import { significantPrivileges } from '../../../src/model/privileges';

const ROLE = 'Azure_Site_Recovery';
const AVS_ROLE = 'Azure_Site_Recovery_AVS';
const NOT_IN_CLOUDADMIN = [
  'Datastore.UpdateVirtualMachineFiles',
  'Task.Create',
  'Task.Update',
  'VirtualMachine.Config.Unlock',
  'VirtualMachine.Provisioning.PutVmFiles',
];

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

async function liveRole(name: string) {
  return (await client.roleList()).find((r) => r.name === name);
}

/** The simulator's privilege catalogue: its Administrator role holds every privilege. */
async function serverCatalogue(): Promise<string[]> {
  const list = await client.privilegeList();
  if (list.length > 0) return list.map((p) => p.privId);
  return (await client.roleList()).find((r) => r.roleId === -1)!.privileges;
}

describe('drperm role plan | apply', () => {
  let planned: string[];

  it('plan: the role is absent, so it will be created; the wildcard expands from the server', async () => {
    const r = await cli(['role', 'plan', '--json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.plan.action).toBe('create');
    expect(report.plan.name).toBe(ROLE);
    const serverConfig = (await serverCatalogue()).filter((id) =>
      id.startsWith('VirtualMachine.Config.'),
    );
    expect(report.expanded).toEqual([
      { pattern: 'VirtualMachine.Config.*', ids: [...serverConfig].sort() },
    ]);
    expect(report.plan.privileges).toEqual(expect.arrayContaining(serverConfig));
    expect(report.plan.privileges).not.toContain('System.Read');
    planned = report.plan.privileges;
    expect(await liveRole(ROLE)).toBeUndefined();
  });

  it('apply refuses without a terminal and without --yes, and changes nothing', async () => {
    const r = await cli(['role', 'apply']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`role ${ROLE}: create`);
    expect(r.stderr).toContain('--yes');
    expect(await liveRole(ROLE)).toBeUndefined();
  });

  it('apply --yes creates the role with exactly the planned privileges and verifies it', async () => {
    const r = await cli(['role', 'apply', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`verified: role ${ROLE} \\(id -?\\d+\\) now matches the policy`),
    );
    const role = await liveRole(ROLE);
    expect(role).toBeDefined();
    expect(significantPrivileges(role!.privileges)).toEqual(planned);
  });

  it('a second apply changes nothing and says so', async () => {
    const before = await liveRole(ROLE);
    const r = await cli(['role', 'apply', '--yes', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.changed).toBe(false);
    expect(result.plan.action).toBe('unchanged');
    expect(r.stderr).toMatch(/up to date .*nothing to change/);
    expect(await liveRole(ROLE)).toEqual(before);
  });

  it('apply updates a role changed by hand back to exactly the policy, keeping its id', async () => {
    const before = (await liveRole(ROLE))!;
    const edited = [...before.privileges.filter((id) => id !== 'Task.Create'), 'Folder.Delete'];
    await client.updateAuthorizationRole(before.roleId, ROLE, edited);

    const plan = JSON.parse((await cli(['role', 'plan', '--json'])).stdout);
    expect(plan.plan).toMatchObject({
      action: 'update',
      roleId: before.roleId,
      added: ['Task.Create'],
      removed: ['Folder.Delete'],
    });

    const r = await cli(['role', 'apply', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ Task.Create');
    expect(r.stdout).toContain('- Folder.Delete');
    const after = (await liveRole(ROLE))!;
    expect(after.roleId).toBe(before.roleId);
    expect(significantPrivileges(after.privileges)).toEqual(planned);
  });

  it('--avs without a CloudAdmin role on the server: drops what the documented list lacks and says what is lost', async () => {
    const r = await cli(['role', 'apply', '--avs', '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('compared with the documented list');
    for (const id of NOT_IN_CLOUDADMIN)
      expect(r.stdout).toMatch(new RegExp(`- ${id.replace(/\./g, '\\.')} \\(.+\\): \\S`));
    expect(r.stdout).toMatch(/Task\.Create \(Tasks > Create task\): create vCenter tasks/);
    const avs = (await liveRole(AVS_ROLE))!;
    expect(significantPrivileges(avs.privileges)).toEqual(
      planned.filter((id) => !NOT_IN_CLOUDADMIN.includes(id)),
    );
    // The full role is left alone.
    expect(significantPrivileges((await liveRole(ROLE))!.privileges)).toEqual(planned);
  });

  it('--avs with a CloudAdmin role on the server: follows the server, not the document', async () => {
    // A CloudAdmin that (unlike the documented one) holds Task.Create and Task.Update.
    const avs = (await liveRole(AVS_ROLE))!;
    const id = await client.addAuthorizationRole('CloudAdmin', [
      ...avs.privileges,
      'Task.Create',
      'Task.Update',
      'Folder.Create',
    ]);
    try {
      const plan = JSON.parse((await cli(['role', 'plan', '--avs', '--json'])).stdout);
      expect(plan.avs.cloudAdminFrom).toContain("server's CloudAdmin role");
      expect(plan.avs.dropped.map((d: { id: string }) => d.id)).toEqual([
        'Datastore.UpdateVirtualMachineFiles',
        'VirtualMachine.Config.Unlock',
        'VirtualMachine.Provisioning.PutVmFiles',
      ]);
      expect(plan.plan).toMatchObject({
        action: 'update',
        added: ['Task.Create', 'Task.Update'],
        removed: [],
      });
    } finally {
      await client.removeAuthorizationRole(id, false);
    }
  });

  it('a bad role file is an input error naming file, line and field, before any change', async () => {
    const r = await cli([
      'role',
      'apply',
      '--yes',
      '--role',
      'policies/baselines/avs-cloudadmin.yaml',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/avs-cloudadmin\.yaml:\d+ kind: /);
  });
});
