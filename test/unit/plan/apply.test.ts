import {
  buildBackup,
  executeChanges,
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

describe.each([
  ['a real vCenter (upsert per principal)', false],
  ['the simulator (replaces the list)', true],
])('executeChanges on %s', (_name, replaces) => {
  it('sets the account permission and leaves every other principal exactly as it was', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [DC, CL, VM]);
    const report = await executeChanges(api, { principal: ME, group: false, changes, backup });
    expect(report).toMatchObject({ done: 3, failed: 0, notAttempted: 0, othersChanged: false });
    const me = { principal: ME, group: false, roleId: 1001, propagate: false };
    expect(api.get(DC.ref)).toEqual([backupAdmins, me]);
    expect(api.get(CL.ref)).toEqual([ops, me]);
    expect(api.get(VM.ref)).toEqual([me]);
  });

  it('sends only the account on a real vCenter, the merged list on the simulator', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [DC]);
    await executeChanges(api, { principal: ME, group: false, changes: [changes[0]!], backup });
    expect(api.calls).toEqual([
      replaces ? `set ${DC.ref} VSPHERE.LOCAL\\backup-admins,${ME}` : `set ${DC.ref} ${ME}`,
    ]);
  });

  it('removes only the account permission', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [CL]);
    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes: [{ entity: CL, action: 'remove', desired: null }],
      backup,
    });
    expect(report.done).toBe(1);
    expect(api.get(CL.ref)).toEqual([ops]);
  });

  it('restores another principal that the server lost, and fails loudly', async () => {
    const api = seeded(replaces);
    const backup = await backupOf(api, [DC]);
    // A server that drops the other principals when writing (the danger this guards against).
    api.afterSet = (ref, list) => {
      if (ref === DC.ref && list.some((p) => p.principal === ME)) {
        api.afterSet = undefined;
        api.store.set(
          ref,
          list.filter((p) => p.principal === ME),
        );
      }
    };
    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes: [changes[0]!],
      backup,
    });
    expect(report.failed).toBe(1);
    expect(report.othersChanged).toBe(true);
    expect(report.outcomes[0]!.restored).toEqual(['VSPHERE.LOCAL\\backup-admins']);
    expect(report.outcomes[0]!.error).toMatch(/changed while writing .*restored from the backup/);
    expect(api.get(DC.ref)).toContainEqual(backupAdmins);
  });

  it('on a failure reports what was done and what was not, and a second run completes it', async () => {
    const api = seeded(replaces);
    api.failing.add(DC.ref);
    const backup = await backupOf(api, [DC, CL, VM]);
    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes,
      backup,
      concurrency: 1,
    });
    expect(report.outcomes.map((o) => o.status)).toEqual([
      'failed',
      'not-attempted',
      'not-attempted',
    ]);
    expect(report.outcomes[0]!.error).toContain('ManagedObjectNotFound');

    api.failing.clear();
    const again = await executeChanges(api, { principal: ME, group: false, changes, backup });
    expect(again.done).toBe(3);
  });
});

describe('executeChanges on the simulator', () => {
  it('refuses to overwrite a list that changed since the backup', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC]);
    api.seed(DC.ref, backupAdmins, ops); // someone else added ops meanwhile
    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes: [changes[0]!],
      backup,
    });
    expect(report.failed).toBe(1);
    expect(report.outcomes[0]!.error).toMatch(
      /changed since the backup was taken; nothing written/,
    );
    expect(api.get(DC.ref)).toEqual([backupAdmins, ops]);
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
    await executeChanges(api, { principal: ME, group: false, changes, backup });
    const { own } = await readOwnPermissions(api, [DC, CL, VM]);
    const plan = planRollback(backup, own, ROLES);
    expect(plan.changes.map((c) => `${c.action} ${c.entity.path}`)).toEqual([
      'remove /DC0',
      'restore /DC0/host/DC0_C0',
      'remove /DC0/vm/contoso/contoso-app01',
    ]);
    expect(plan.changes[1]!.desired).toEqual({ roleId: -2, roleName: 'ReadOnly', propagate: true });

    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes: plan.changes,
      backup,
    });
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
    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes,
      backup,
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
    expect(api.calls).toEqual([`set ${DC.ref} ${ME}`]);
  });
});

describe('executeChanges on the simulator, restoring others', () => {
  it('keeps a principal that appeared during the write when it puts the lost ones back', async () => {
    const api = seeded(true);
    const backup = await backupOf(api, [DC]);
    api.afterSet = (ref, list) => {
      api.afterSet = undefined;
      // The server lost backup-admins; meanwhile an administrator added ops.
      api.store.set(ref, [...list.filter((p) => p.principal === ME), ops]);
    };
    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes: [changes[0]!],
      backup,
    });
    expect(report.outcomes[0]!.restored).toEqual(['VSPHERE.LOCAL\\backup-admins']);
    expect(api.get(DC.ref)).toEqual(expect.arrayContaining([backupAdmins, ops]));
    expect(api.get(DC.ref)).toHaveLength(3);
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
    const report = await executeChanges(api, {
      principal: ME,
      group: false,
      changes: [changes[0]!],
      backup,
    });
    expect(report.outcomes[0]!.error).toBeDefined();
    expect(report.outcomes[0]!.error).not.toContain('S3cret-in-fault');
  });
});
