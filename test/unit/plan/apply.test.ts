import {
  buildBackup,
  executeChanges,
  executeWrites,
  readOwnPermissions,
  type PermissionTarget,
} from '../../../src/plan/apply';
import type { PermissionChange } from '../../../src/plan/changes';
import { planRollback } from '../../../src/plan/rollback';
import { registerSecret } from '../../../src/util/log';
import { FakeAuthz } from './fake-authz';
import { ROLES } from './fixtures';

const ME = 'VSPHERE.LOCAL\\asr-contoso';
const DC: PermissionTarget = { ref: 'datacenter-2', type: 'Datacenter', path: '/DC0' };
const CL: PermissionTarget = {
  ref: 'domain-c7',
  type: 'ClusterComputeResource',
  path: '/DC0/host/DC0_C0',
};
const VM: PermissionTarget = {
  ref: 'vm-30',
  type: 'VirtualMachine',
  path: '/DC0/vm/contoso/contoso-app01',
};
const ASR = { roleId: 1001, roleName: 'Azure_Site_Recovery', propagate: false };
const VCENTER = {
  url: 'https://vc/sdk',
  instanceUuid: 'uuid-1',
  name: 'vc',
  version: '8.0',
  build: '1',
};

const backupAdmins = {
  principal: 'VSPHERE.LOCAL\\backup-admins',
  group: true,
  roleId: 7,
  propagate: true,
};
const ops = { principal: 'VSPHERE.LOCAL\\ops', group: false, roleId: -2, propagate: false };

function seeded(replaces: boolean): FakeAuthz {
  const api = new FakeAuthz(replaces);
  api.seed(DC.ref, backupAdmins);
  api.seed(CL.ref, ops, { principal: ME, group: false, roleId: -2, propagate: true });
  return api;
}

async function backupOf(api: FakeAuthz, entities: PermissionTarget[]) {
  const { own } = await readOwnPermissions(api, entities);
  return buildBackup({
    operation: 'apply',
    tenant: 'contoso',
    principal: ME,
    group: false,
    vcenter: VCENTER,
    entities,
    own,
    roles: ROLES,
  });
}

const changes: PermissionChange[] = [
  { entity: DC, action: 'add', desired: ASR },
  { entity: CL, action: 'change', desired: ASR },
  { entity: VM, action: 'add', desired: ASR },
];

const me = { principal: ME, group: false, roleId: 1001, propagate: false };

function run(
  api: FakeAuthz,
  backup: Awaited<ReturnType<typeof backupOf>>,
  list: readonly PermissionChange[],
  extra: Partial<Parameters<typeof executeChanges>[1]> = {},
) {
  return executeChanges(api, {
    permissionWrites: api.permissionWrites,
    serverKey: VCENTER.instanceUuid,
    principal: ME,
    group: false,
    changes: list,
    backup,
    ...extra,
  });
}

describe.each([
  ['a real vCenter (add-or-update per principal)', false],
  ['the simulator (replaces the list)', true],
])('executeChanges on %s', (_name, replaces) => {
  it('sets the account permission and leaves every other principal exactly as it was', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [DC, CL, VM]);
    const report = await run(api, backup, changes);
    expect(report).toMatchObject({ done: 3, failed: 0, notAttempted: 0, othersChanged: [] });
    expect(api.get(DC.ref)).toEqual([backupAdmins, me]);
    expect(api.get(CL.ref)).toEqual([ops, me]);
    expect(api.get(VM.ref)).toEqual([me]);
  });

  it('sends only the account on a real vCenter; on the simulator reads right before writing the merged list', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [DC]);
    api.calls.length = 0;
    await run(api, backup, [changes[0]!]);
    expect(api.calls).toEqual(
      replaces
        ? [`read ${DC.ref}`, `set ${DC.ref} VSPHERE.LOCAL\\backup-admins,${ME}`, `read ${DC.ref}`]
        : [`set ${DC.ref} ${ME}`, `read ${DC.ref}`],
    );
  });

  it('removes only the account permission, and takes "already gone" as done', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [CL]);
    const remove: PermissionChange = { entity: CL, action: 'remove', desired: null };
    expect((await run(api, backup, [remove])).done).toBe(1);
    expect(api.get(CL.ref)).toEqual([ops]);
    expect((await run(api, backup, [remove])).done).toBe(1); // a rerun
    expect(api.get(CL.ref)).toEqual([ops]);
  });

  it("reports another administrator's change made during the apply, keeps it, and never writes it back", async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [DC, CL]);
    // An administrator revokes backup-admins on /DC0 and adds ops there, after the backup.
    api.beforeRead = (ref) => {
      if (ref !== DC.ref) return;
      api.beforeRead = undefined;
      api.store.set(DC.ref, [
        ...api.get(DC.ref).filter((p) => p.principal !== backupAdmins.principal),
        ops,
      ]);
    };
    if (!replaces) api.beforeRead(DC.ref); // a real vCenter is not read before the write
    const report = await run(api, backup, changes.slice(0, 2));
    expect(report.done).toBe(2);
    expect(report.failed).toBe(0);
    expect(api.get(DC.ref)).toEqual([ops, me]);
    expect(report.othersChanged).toEqual([
      {
        ref: DC.ref,
        path: '/DC0',
        principal: 'VSPHERE.LOCAL\\backup-admins',
        group: true,
        before: { roleId: 7, roleName: 'role 7', propagate: true },
      },
      {
        ref: DC.ref,
        path: '/DC0',
        principal: 'VSPHERE.LOCAL\\ops',
        group: false,
        after: { roleId: -2, propagate: false },
      },
    ]);
    expect(api.calls.filter((c) => c.startsWith('set')).length).toBe(2);
  });

  it('reports other principals a misbehaving server lost, and does not restore them', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [DC]);
    api.afterSet = (ref, list) => {
      api.afterSet = undefined;
      api.store.set(
        ref,
        list.filter((p) => p.principal === ME),
      );
    };
    const report = await run(api, backup, [changes[0]!]);
    expect(report.done).toBe(1);
    expect(report.othersChanged.map((c) => c.principal)).toEqual(['VSPHERE.LOCAL\\backup-admins']);
    expect(report.outcomes[0]!.othersChanged).toHaveLength(1);
    expect(api.get(DC.ref)).toEqual([me]);
    expect(api.calls.filter((c) => c.startsWith('set'))).toHaveLength(1);
  });

  it('takes a write whose answer was lost as done when the read-back shows it applied', async () => {
    const api = seeded(replaces);
    api.answerLost.add(DC.ref);
    const backup = await backupOf(api, [DC]);
    const report = await run(api, backup, [changes[0]!]);
    expect(report.outcomes[0]).toMatchObject({
      status: 'done',
      note: expect.stringMatching(
        /answer was lost \(socket hang up\); the read-back shows it applied/,
      ),
    });
  });

  it('on a failure reports what was done and what was not, and a second run completes it', async () => {
    const api = seeded(replaces);
    api.failing.add(DC.ref);
    const backup = await backupOf(api, [DC, CL, VM]);
    const report = await run(api, backup, changes, { concurrency: 1 });
    expect(report.outcomes.map((o) => o.status)).toEqual([
      'failed',
      'not-attempted',
      'not-attempted',
    ]);
    expect(report.outcomes[0]!.error).toContain('ManagedObjectNotFound');

    api.failing.clear();
    const again = await run(api, backup, changes);
    expect(again.done).toBe(3);
    expect(again.othersChanged).toEqual([]);
  });
});

describe('executeChanges on the simulator (replace)', () => {
  it('writes nothing when the read right before the write fails', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC]);
    api.retrieveEntityPermissions = () => Promise.reject(new Error('HTTP 503'));
    const report = await run(api, backup, [changes[0]!]);
    expect(report.outcomes[0]).toMatchObject({
      status: 'failed',
      error: 'nothing written: HTTP 503',
    });
    expect(api.calls.filter((c) => c.startsWith('set'))).toEqual([]);
    expect(api.get(DC.ref)).toEqual([backupAdmins]);
  });

  it('serialises read-merge-write on one object: two principals written at once both survive', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC]);
    const other = { principal: 'VSPHERE.LOCAL\\restored', group: false };
    const report = await executeWrites(api, {
      permissionWrites: 'replace',
      serverKey: VCENTER.instanceUuid,
      backup,
      concurrency: 4,
      writes: [
        { change: changes[0]!, principal: { principal: ME, group: false } },
        { change: { entity: DC, action: 'restore', desired: ASR }, principal: other },
      ],
    });
    expect(report.done).toBe(2);
    expect(api.get(DC.ref)).toEqual([
      backupAdmins,
      me,
      { ...other, roleId: 1001, propagate: false },
    ]);
    expect(report.othersChanged).toEqual([]);
  });

  it('does not write when the account already has the permission (a rerun)', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC]);
    await run(api, backup, [changes[0]!]);
    api.calls.length = 0;
    expect((await run(api, backup, [changes[0]!])).done).toBe(1);
    expect(api.calls.filter((c) => c.startsWith('set'))).toEqual([]);
  });
});

describe('buildBackup', () => {
  it('records every principal on every object, with role names', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC, CL, VM]);
    expect(
      backup.entities.map((e) => [
        e.path,
        e.permissions.map((p) => `${p.principal}=${p.roleName}`),
      ]),
    ).toEqual([
      ['/DC0', ['VSPHERE.LOCAL\\backup-admins=role 7']],
      ['/DC0/host/DC0_C0', ['VSPHERE.LOCAL\\ops=ReadOnly', `${ME}=ReadOnly`]],
      ['/DC0/vm/contoso/contoso-app01', []],
    ]);
    expect(backup.vcenter.instanceUuid).toBe('uuid-1');
  });
});

describe('planRollback', () => {
  it('restores, removes or leaves the account permission per object, never touching others', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC, CL, VM]);
    await run(api, backup, changes);
    const { own } = await readOwnPermissions(api, [DC, CL, VM]);
    const plan = planRollback(backup, own, ROLES);
    expect(plan.changes.map((c) => `${c.action} ${c.entity.path}`)).toEqual([
      'remove /DC0',
      'restore /DC0/host/DC0_C0',
      'remove /DC0/vm/contoso/contoso-app01',
    ]);
    expect(plan.changes[1]!.desired).toEqual({ roleId: -2, roleName: 'ReadOnly', propagate: true });

    const report = await run(api, backup, plan.changes);
    expect(report.done).toBe(3);
    expect(api.get(DC.ref)).toEqual([backupAdmins]);
    expect(api.get(CL.ref)).toEqual([
      ops,
      { principal: ME, group: false, roleId: -2, propagate: true },
    ]);
    expect(api.get(VM.ref)).toEqual([]);
    const after = await readOwnPermissions(api, [DC, CL, VM]);
    expect(planRollback(backup, after.own, ROLES)).toEqual({
      changes: [],
      unchanged: ['/DC0', '/DC0/host/DC0_C0', '/DC0/vm/contoso/contoso-app01'],
      problems: [],
    });
  });

  it('reports objects deleted since and roles that no longer exist', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC, CL]);
    const { own } = await readOwnPermissions(api, [CL]);
    const plan = planRollback(
      backup,
      own,
      ROLES.filter((r) => r.name !== 'ReadOnly'),
    );
    expect(plan.problems).toEqual([
      '/DC0: no longer exists; nothing to restore',
      '/DC0/host/DC0_C0: role ReadOnly no longer exists; create it (drperm role apply) and run again',
    ]);
    expect(plan.changes).toEqual([]);
  });
});

describe('executeChanges when interrupted (Ctrl-C)', () => {
  it('finishes and verifies the changes in flight, starts no new one, and says so', async () => {
    const api = seeded(false);
    const backup = await backupOf(api, [DC, CL, VM]);
    const interrupt = new AbortController();
    const report = await run(api, backup, changes, {
      concurrency: 1,
      signal: interrupt.signal,
      onOutcome: () => interrupt.abort(),
    });
    expect(report.outcomes.map((o) => o.status)).toEqual([
      'done',
      'not-attempted',
      'not-attempted',
    ]);
    expect(report.interrupted).toBe(true);
    expect(api.calls.filter((c) => c.startsWith('set'))).toEqual([`set ${DC.ref} ${ME}`]);
  });
});

describe('executeChanges error text', () => {
  it('never carries a registered secret (a fault may echo the request)', async () => {
    registerSecret('S3cret-in-fault');
    const api = seeded(false);
    api.setEntityPermissions = () =>
      Promise.reject(
        new Error('InvalidRequest: <password>S3cret-in-fault</password> S3cret-in-fault'),
      );
    const backup = await backupOf(api, [DC]);
    const report = await run(api, backup, [changes[0]!]);
    expect(report.outcomes[0]!.error).toBeDefined();
    expect(report.outcomes[0]!.error).not.toContain('S3cret-in-fault');
  });
});
