/**
 * Many objects on a server with add-or-update writes: the backup and the read-backs are one
 * RetrieveAllPermissions each, with the same safety as one read per object.
 */
import {
  BULK_READ_MIN_OBJECTS,
  PERMISSIONS_PER_CALL,
  buildBackup,
  executeChanges,
  readOwnPermissions,
  type PermissionTarget,
} from '../../../src/plan/apply';
import type { PermissionChange } from '../../../src/plan/changes';
import { FakeAuthzWithAll } from './fake-authz';
import { ROLES } from './fixtures';

const ME = 'VSPHERE.LOCAL\\asr-contoso';
const ASR = { roleId: 1001, roleName: 'Azure_Site_Recovery', propagate: false };
const me = { principal: ME, group: false, roleId: 1001, propagate: false };
const ops = { principal: 'VSPHERE.LOCAL\\ops', group: false, roleId: -2, propagate: false };
const VMS: PermissionTarget[] = Array.from({ length: BULK_READ_MIN_OBJECTS + 4 }, (_, i) => ({
  ref: `vm-${i}`,
  type: 'VirtualMachine',
  path: `/DC0/vm/contoso/vm${i}`,
}));
const changes: PermissionChange[] = VMS.map((entity) => ({ entity, action: 'add', desired: ASR }));

function seeded(): FakeAuthzWithAll {
  const api = new FakeAuthzWithAll(false);
  for (const vm of VMS) api.seed(vm.ref, ops);
  api.seed('vm-elsewhere', { ...ops, principal: 'VSPHERE.LOCAL\\other' });
  return api;
}

async function backupOf(api: FakeAuthzWithAll) {
  const { own, errors } = await readOwnPermissions(api, VMS, 4);
  expect(errors.size).toBe(0);
  return buildBackup({
    operation: 'apply',
    tenant: 'contoso',
    principal: ME,
    group: false,
    vcenter: { url: 'https://vc/sdk', instanceUuid: 'u', name: 'vc', version: '8', build: '1' },
    entities: VMS,
    own,
    roles: ROLES,
  });
}

const run = (
  api: FakeAuthzWithAll,
  backup: Awaited<ReturnType<typeof backupOf>>,
  extra: Partial<Parameters<typeof executeChanges>[1]> = {},
) =>
  executeChanges(api, {
    permissionWrites: 'add-or-update',
    serverKey: 'u',
    principal: ME,
    group: false,
    changes,
    backup,
    concurrency: 4,
    ...extra,
  });

const reads = (api: FakeAuthzWithAll) => api.calls.filter((c) => c.startsWith('read'));

describe('many objects on an add-or-update server', () => {
  it('backs up every object with one RetrieveAllPermissions, each with only its own permissions', async () => {
    const api = seeded();
    const backup = await backupOf(api);
    expect(api.calls).toEqual(['read all']);
    expect(backup.entities).toHaveLength(VMS.length);
    for (const e of backup.entities) {
      expect(e.permissions).toEqual([expect.objectContaining({ principal: ops.principal })]);
    }
  });

  it('makes one write per object, then reads them all back in one call and verifies each', async () => {
    const api = seeded();
    const backup = await backupOf(api);
    api.calls.length = 0;
    const report = await run(api, backup);
    expect(report).toMatchObject({ done: VMS.length, failed: 0, othersChanged: [] });
    expect(api.calls.filter((c) => c.startsWith('set'))).toHaveLength(VMS.length);
    expect(reads(api)).toEqual(['read all']);
    for (const vm of VMS) expect(api.get(vm.ref)).toEqual([ops, me]);
  });

  it("reports another principal's permission changed during the writes, and leaves it", async () => {
    const api = seeded();
    const backup = await backupOf(api);
    api.beforeReadAll = () => api.seed('vm-3', { ...ops, roleId: -1 }, me);
    const report = await run(api, backup);
    expect(report.done).toBe(VMS.length);
    expect(report.othersChanged).toEqual([
      expect.objectContaining({ ref: 'vm-3', principal: ops.principal }),
    ]);
    expect(api.get('vm-3')).toEqual([{ ...ops, roleId: -1 }, me]);
  });

  it('fails an object the read-back does not show, with what it read', async () => {
    const api = seeded();
    const backup = await backupOf(api);
    api.afterSet = (ref, list) => {
      if (ref === 'vm-5') list.splice(list.findIndex((p) => p.principal === ME));
    };
    const report = await run(api, backup);
    const failed = report.outcomes.filter((o) => o.status === 'failed');
    expect(failed.map((o) => o.change.entity.ref)).toEqual(['vm-5']);
    expect(failed[0]!.error).toMatch(/read back no permission .* expected role 1001/);
  });

  it('reads a write answered with an error back at once; a failure stops new writes, the written ones are verified', async () => {
    const api = seeded();
    const backup = await backupOf(api);
    api.answerLost.add('vm-1');
    api.failing.add('vm-2');
    api.calls.length = 0;
    const report = await run(api, backup, { concurrency: 1 });
    expect(report.outcomes.map((o) => o.status)).toEqual([
      'done',
      'done',
      'failed',
      ...VMS.slice(3).map(() => 'not-attempted'),
    ]);
    expect(report.outcomes[1]!.note).toMatch(/answer was lost/);
    expect(api.calls).toEqual([
      `set vm-0 ${ME}`,
      `set vm-1 ${ME}`,
      'read vm-1',
      `set vm-2 ${ME}`,
      'read vm-2',
      'read vm-0', // one object left to verify: read on its own
    ]);
  });

  it('reads object by object when the server returns permissions without their entity', async () => {
    const api = seeded();
    api.withoutEntity = true;
    const backup = await backupOf(api);
    expect(reads(api)).toEqual(['read all', ...VMS.map((v) => `read ${v.ref}`)]);
    for (const e of backup.entities) expect(e.permissions).toHaveLength(1);
    api.calls.length = 0;
    const report = await run(api, backup);
    expect(report.done).toBe(VMS.length);
    expect(reads(api)).toHaveLength(1 + VMS.length);
  });

  it('reads object by object when RetrieveAllPermissions fails', async () => {
    const api = seeded();
    api.allFails = true;
    const backup = await backupOf(api);
    expect(reads(api)).toHaveLength(1 + VMS.length);
    expect(backup.entities.every((e) => e.permissions.length === 1)).toBe(true);
  });

  it('reads object by object when the server holds far more permissions than the objects need', async () => {
    const api = seeded();
    const many = VMS.length * PERMISSIONS_PER_CALL + 1;
    const read = await readOwnPermissions(api, VMS, 4, many);
    expect(read.own.size).toBe(VMS.length);
    expect(reads(api)).toEqual(VMS.map((v) => `read ${v.ref}`));
    const backup = await backupOf(api);
    api.calls.length = 0;
    const report = await run(api, backup, { serverPermissions: many });
    expect(report.done).toBe(VMS.length);
    expect(reads(api)).toEqual(expect.not.arrayContaining(['read all']));
    expect(reads(api)).toHaveLength(VMS.length);
  });
});
