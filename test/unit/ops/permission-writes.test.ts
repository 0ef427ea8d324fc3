import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  followUpUnfinishedRun,
  recordOutcome,
  withPermissionWrites,
} from '../../../src/ops/permission-writes';
import {
  buildBackup,
  executeChanges,
  readOwnPermissions,
  type PermissionTarget,
} from '../../../src/plan/apply';
import { readBackupOutcome, writeBackup } from '../../../src/plan/backup';
import { lockFileFor } from '../../../src/util/server-lock';
import {
  UndecidedContractError,
  contractFrom,
  SIMULATOR_SETTING_KEY,
} from '../../../src/vsphere/server-contract';
import type { AboutInfo } from '../../../src/vsphere/types';
import { FakeAuthz } from '../plan/fake-authz';
import { ROLES } from '../plan/fixtures';

const ME = 'VSPHERE.LOCAL\\asr-contoso';
const DC: PermissionTarget = { ref: 'datacenter-2', type: 'Datacenter', path: '/DC0' };
const ops = { principal: 'VSPHERE.LOCAL\\ops', group: false, roleId: -2, propagate: false };
const about = (instanceUuid: string): AboutInfo => ({
  name: 'VMware vCenter Server',
  fullName: 'VMware vCenter Server 8.0.3 build-1',
  vendor: 'VMware, Inc.',
  version: '8.0.3',
  build: '1',
  apiType: 'VirtualCenter',
  apiVersion: '8.0.3.0',
  instanceUuid,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'drperm-writes-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function server(replaces: boolean, uuid = `test-${process.pid}-${Math.random()}`) {
  const api = new FakeAuthz(replaces);
  // A key of its own: the simulator's instance UUID would share the lock with real lab runs.
  const a = about(uuid);
  const keys = new Set<string>(replaces ? [SIMULATOR_SETTING_KEY] : []);
  return Object.assign(api, {
    url: 'https://vc.example.com/sdk',
    about: a,
    contract: contractFrom(a, { ok: true, keys }),
  });
}

async function takeBackup(api: ReturnType<typeof server>) {
  const { own } = await readOwnPermissions(api, [DC]);
  const backup = buildBackup({
    operation: 'apply',
    tenant: 'contoso',
    principal: ME,
    group: false,
    vcenter: {
      url: api.url,
      instanceUuid: api.about.instanceUuid,
      name: 'vc',
      version: '8',
      build: '1',
    },
    entities: [DC],
    own,
    roles: ROLES,
  });
  return { backup, file: await writeBackup(dir, backup) };
}

describe('withPermissionWrites', () => {
  it('refuses before any write when the contract is undecided', async () => {
    const api = server(false);
    const work = jest.fn();
    await expect(
      withPermissionWrites(
        {
          ...api,
          url: api.url,
          about: api.about,
          contract: { decided: false, reason: 'settings unreadable' },
        },
        { purpose: 'tenant apply contoso' },
        work,
      ),
    ).rejects.toBeInstanceOf(UndecidedContractError);
    expect(work).not.toHaveBeenCalled();
  });

  it('holds the server lock on a replace server for the whole run, and only there', async () => {
    const replace = server(true);
    const file = lockFileFor(replace.about.instanceUuid);
    const seen = await withPermissionWrites(
      replace,
      { purpose: 'tenant apply contoso' },
      async (c) => {
        expect(existsSync(file)).toBe(true);
        return c.permissionWrites;
      },
    );
    expect(seen).toBe('replace');
    expect(existsSync(file)).toBe(false);
    const vcenter = server(false);
    await withPermissionWrites(vcenter, { purpose: 'x' }, async () => {
      expect(existsSync(lockFileFor(vcenter.about.instanceUuid))).toBe(false);
    });
  });

  it('makes a second run wait, telling it so', async () => {
    const api = server(true);
    const messages: string[] = [];
    let release!: () => void;
    const first = withPermissionWrites(
      api,
      { purpose: 'first' },
      () => new Promise<void>((r) => (release = r)),
    );
    await new Promise((r) => setTimeout(r, 20));
    const second = withPermissionWrites(
      api,
      { purpose: 'second', onWait: (m) => messages.push(m) },
      async () => 'ran',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(messages).toEqual([
      expect.stringMatching(/another drperm run .*first.* waiting up to 300 s/),
    ]);
    release();
    await first;
    expect(await second).toBe('ran');
  });
});

describe('followUpUnfinishedRun', () => {
  it("reports other principals' changes since an unfinished run, once, and never the run's account", async () => {
    const api = server(false);
    api.seed(DC.ref, ops);
    const { file } = await takeBackup(api);
    // The run was killed after writing the account; an administrator then removed ops.
    api.seed(DC.ref, { principal: ME, group: false, roleId: 1001, propagate: false });
    const report = await followUpUnfinishedRun(api, dir, 'contoso', 4);
    expect(report).toEqual({
      backupFile: file,
      changes: [
        {
          ref: DC.ref,
          path: '/DC0',
          principal: ops.principal,
          group: false,
          before: { roleId: -2, roleName: 'ReadOnly', propagate: false },
        },
      ],
    });
    expect(api.calls.filter((c) => !c.startsWith('read'))).toEqual([]); // reported, not touched
    expect(await followUpUnfinishedRun(api, dir, 'contoso', 4)).toBeUndefined();
  });

  it('says nothing after a completed run', async () => {
    const api = server(false);
    api.seed(DC.ref, ops);
    const { backup, file } = await takeBackup(api);
    const report = await executeChanges(api, {
      permissionWrites: 'add-or-update',
      serverKey: 'k',
      principal: ME,
      group: false,
      backup,
      changes: [
        {
          entity: DC,
          action: 'add',
          desired: { roleId: 1001, roleName: 'Azure_Site_Recovery', propagate: false },
        },
      ],
    });
    await recordOutcome(file, report);
    expect(await readBackupOutcome(file)).toMatchObject({ status: 'completed', done: 1 });
    api.seed(DC.ref);
    expect(await followUpUnfinishedRun(api, dir, 'contoso', 4)).toBeUndefined();
  });
});
