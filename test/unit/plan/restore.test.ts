import {
  buildBackup,
  executeWrites,
  readOwnPermissions,
  type PermissionTarget,
} from '../../../src/plan/apply';
import { otherChangesSince, describeOtherChange } from '../../../src/plan/others';
import { planRestore } from '../../../src/plan/restore';
import { principalKey } from '../../../src/model/principal';
import { FakeAuthz } from './fake-authz';
import { ROLES } from './fixtures';

const ME = 'VSPHERE.LOCAL\\asr-contoso';
const ROOT: PermissionTarget = { ref: 'group-d1', type: 'Folder', path: '/' };
const DC: PermissionTarget = { ref: 'datacenter-2', type: 'Datacenter', path: '/DC0' };
const admin = {
  principal: 'VSPHERE.LOCAL\\Administrator',
  group: false,
  roleId: -1,
  propagate: true,
};
const auditors = {
  principal: 'VSPHERE.LOCAL\\vc-auditors',
  group: true,
  roleId: -2,
  propagate: true,
};
const ops = { principal: 'VSPHERE.LOCAL\\ops', group: false, roleId: -2, propagate: false };
const mine = { principal: ME, group: false, roleId: -2, propagate: false };

async function setUp(replaces: boolean) {
  const api = new FakeAuthz(replaces);
  api.seed(ROOT.ref, admin, auditors);
  api.seed(DC.ref, ops, mine);
  const { own } = await readOwnPermissions(api, [ROOT, DC]);
  const backup = buildBackup({
    operation: 'apply',
    tenant: 'contoso',
    principal: ME,
    group: false,
    vcenter: { url: 'https://vc/sdk', instanceUuid: 'u', name: 'vc', version: '8', build: '1' },
    entities: [ROOT, DC],
    own,
    roles: ROLES,
  });
  return { api, backup };
}

async function live(api: FakeAuthz) {
  return (await readOwnPermissions(api, [ROOT, DC])).own;
}

describe('otherChangesSince', () => {
  it("finds every other principal's change since the backup, not the run's own account", async () => {
    const { api, backup } = await setUp(false);
    api.seed(ROOT.ref, admin); // vc-auditors removed by an administrator
    api.seed(DC.ref, { ...ops, roleId: -1 }, { ...mine, roleId: 1001 });
    const found = otherChangesSince(
      backup,
      await live(api),
      new Set([principalKey({ name: ME, group: false })]),
    );
    expect(found.map(describeOtherChange)).toEqual([
      'VSPHERE.LOCAL\\vc-auditors (group) on /: role ReadOnly, propagating -> none',
      'VSPHERE.LOCAL\\ops on /DC0: role ReadOnly -> role -1',
    ]);
  });
});

describe('planRestore', () => {
  it('plans only the chosen principal, back to the backup, and leaves the others', async () => {
    const { api, backup } = await setUp(false);
    api.seed(ROOT.ref, admin);
    api.seed(DC.ref, { ...ops, roleId: -1 }, mine);
    const plan = planRestore(backup, await live(api), ROLES, {
      principals: ['vsphere.local\\VC-AUDITORS'],
    });
    expect(plan.principals).toEqual([{ principal: auditors.principal, group: true }]);
    expect(
      plan.writes.map((w) => [
        w.change.action,
        w.change.entity.path,
        w.principal.principal,
        w.change.desired,
      ]),
    ).toEqual([
      ['restore', '/', auditors.principal, { roleId: -2, roleName: 'ReadOnly', propagate: true }],
    ]);
    expect(plan.problems).toEqual([]);
  });

  it('without --principal restores every principal of the backup, removing one the backup did not have', async () => {
    const { api, backup } = await setUp(false);
    api.seed(ROOT.ref, admin);
    api.seed(DC.ref, ops, { ...mine, roleId: 1001 }, auditors);
    const plan = planRestore(backup, await live(api), ROLES);
    expect(
      plan.writes.map((w) => `${w.change.action} ${w.change.entity.path} ${w.principal.principal}`),
    ).toEqual([
      `restore / ${auditors.principal}`,
      `remove /DC0 ${auditors.principal}`,
      `restore /DC0 ${ME}`,
    ]);
    expect(plan.unchanged).toBe(2);
  });

  it('reports objects deleted since, roles gone and principals it knows nothing of', async () => {
    const { api, backup } = await setUp(false);
    const now = await live(api);
    now.delete(DC.ref);
    api.seed(ROOT.ref, admin);
    now.set(ROOT.ref, [admin]);
    const plan = planRestore(
      backup,
      now,
      ROLES.filter((r) => r.name !== 'ReadOnly'),
      {
        principals: ['VSPHERE.LOCAL\\vc-auditors', 'VSPHERE.LOCAL\\ops', 'nobody'],
      },
    );
    expect(plan.problems).toEqual([
      'nobody: has no permission in the backup nor now on its objects',
      "/: VSPHERE.LOCAL\\vc-auditors's role ReadOnly no longer exists; nothing restored there",
      '/DC0: no longer exists; nothing to restore',
    ]);
    expect(plan.writes).toEqual([]);
  });

  it.each([false, true])(
    'applied (replace=%s), puts exactly the backup back for the chosen principals',
    async (replaces) => {
      const { api, backup } = await setUp(replaces);
      api.seed(ROOT.ref, admin, { ...auditors, roleId: -1 });
      api.seed(DC.ref, mine, { ...ops, propagate: true });
      const plan = planRestore(backup, await live(api), ROLES, {
        principals: [auditors.principal, ops.principal],
      });
      const report = await executeWrites(api, {
        permissionWrites: api.permissionWrites,
        serverKey: 'u',
        backup,
        writes: plan.writes,
      });
      expect(report).toMatchObject({ done: 2, failed: 0, othersChanged: [] });
      expect(
        planRestore(backup, await live(api), ROLES, {
          principals: [auditors.principal, ops.principal],
        }).writes,
      ).toEqual([]);
      expect(api.get(ROOT.ref)).toEqual(expect.arrayContaining([admin, auditors]));
      expect(api.get(DC.ref)).toEqual(expect.arrayContaining([mine, ops]));
    },
  );
});
