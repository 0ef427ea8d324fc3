/** VimClient against a private simulator lab (this file changes roles and permissions). */
import { silentLogger } from '../../../src/util/log';
import { collectSnapshot } from '../../../src/vsphere/collect';
import { AlreadyExistsFault, NotFoundFault } from '../../../src/vsphere/faults';
import { withSession } from '../../../src/vsphere/session';
import type { ConnectOptions } from '../../../src/vsphere/types';
import { startLab, type OwnLab } from '../../helpers/lab';

let lab: OwnLab;
let vcsimLab: OwnLab;
let options: ConnectOptions;
const optionsOf = (l: OwnLab): ConnectOptions => ({
  url: l.url,
  username: l.username,
  password: l.password,
  thumbprint: l.thumbprintSha256,
});
beforeAll(async () => {
  [lab, vcsimLab] = await Promise.all([startLab(), startLab('lab', { vcsimSemantics: true })]);
  options = optionsOf(lab);
}, 120000);
afterAll(async () => Promise.all([lab?.stop(), vcsimLab?.stop()]));

describe('VimClient on the simulator', () => {
  it('tells the add-or-update contract of vCenter from the replace semantics of vcsim', async () => {
    await withSession(options, silentLogger, async (c) => {
      expect(c.quirks.setEntityPermissionsReplaces).toBe(false);
    });
    await withSession(optionsOf(vcsimLab), silentLogger, async (c) => {
      expect(c.quirks.setEntityPermissionsReplaces).toBe(true);
    });
  });

  it('turns faults into typed errors', async () => {
    await withSession(options, silentLogger, async (c) => {
      await expect(c.addAuthorizationRole('Admin', [])).rejects.toBeInstanceOf(AlreadyExistsFault);
      const err = await c.removeAuthorizationRole(987654, true).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundFault);
      expect((err as NotFoundFault).exitCode).toBe(3);
      expect((err as NotFoundFault).message).toContain('RemoveAuthorizationRole');
    });
  });

  it('round-trips role and principal names with XML special characters and finds entities by path', async () => {
    const roleName = '=Tenant & <Ops> "role"';
    const principal = 'VSPHERE.LOCAL\\=t&<x>';
    await withSession(options, silentLogger, async (c) => {
      const roleId = await c.addAuthorizationRole(roleName, ['System.View']);
      const role = (await c.roleList()).find((r) => r.roleId === roleId);
      expect(role?.name).toBe(roleName);
      await c.updateAuthorizationRole(roleId, `${roleName} 2`, ['System.Read']);
      expect((await c.roleList()).find((r) => r.roleId === roleId)?.name).toBe(`${roleName} 2`);

      const dc = await c.findByInventoryPath('DC0');
      expect(dc?.type).toBe('Datacenter');
      expect(await c.findByInventoryPath('DC0/no such folder')).toBeUndefined();
      await c.setEntityPermissions(dc!, [{ principal, group: false, roleId, propagate: true }]);
      const own = await c.retrieveEntityPermissions(dc!, false);
      expect(own.map((p) => p.principal)).toContain(principal);

      // Written with its entity (issue 9 §2), the simulator returns it with the entity: the
      // collector places it on DC0 without asking every entity for its permissions.
      const snapshot = await collectSnapshot(c, { log: silentLogger, pageSize: 7 });
      const placed = snapshot.permissions.filter((p) => p.principal === principal);
      expect(placed).toEqual([
        { entity: dc!.value, principal, group: false, roleId, propagate: true },
      ]);
      expect(snapshot.warnings.join('\n')).not.toMatch(/without their entity/);

      await c.removeEntityPermission(dc!, principal, false);
      expect((await c.retrieveEntityPermissions(dc!, false)).map((p) => p.principal)).not.toContain(
        principal,
      );
      await c.removeAuthorizationRole(roleId, false);
      expect((await c.roleList()).some((r) => r.roleId === roleId)).toBe(false);
    });
  });
});
