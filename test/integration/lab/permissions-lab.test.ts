// Pre-existing roles and permissions of the `lab` scenario, and the leak `demo` adds.
import { startLab, sharedLab } from '../../helpers/lab';
import type { LabInfo } from '../../helpers/lab-info';
import { SoapSession, refId, text } from './soap-session';

interface Permission {
  entity: string | undefined;
  principal: string;
  group: boolean;
  roleId: string;
  propagate: boolean;
}

async function readAuthorization(
  lab: LabInfo,
): Promise<{ roles: Map<string, string>; permissions: Permission[] }> {
  const session = new SoapSession(lab);
  await session.login();
  try {
    const roleReply = await session.call(
      'RetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      '<specSet><propSet><type>AuthorizationManager</type><pathSet>roleList</pathSet></propSet>' +
        '<objectSet><obj type="AuthorizationManager">AuthorizationManager</obj></objectSet></specSet><options/>',
    );
    const roleResult = roleReply.body['RetrievePropertiesExResponse'] as {
      returnval: { objects: { propSet: { val: { AuthorizationRole: unknown[] } }[] }[] }[];
    };
    const roleList = roleResult.returnval[0]?.objects[0]?.propSet[0]?.val.AuthorizationRole ?? [];
    const roles = new Map<string, string>();
    for (const r of roleList as { roleId: string; name: string }[]) roles.set(r.name, r.roleId);

    const permReply = await session.call(
      'RetrieveAllPermissions',
      'AuthorizationManager',
      'AuthorizationManager',
    );
    const perms = (permReply.body['RetrieveAllPermissionsResponse'] as { returnval?: unknown[] })
      .returnval as Record<string, unknown>[];
    const permissions = perms.map((p) => ({
      entity: refId(p['entity']),
      principal: text(p['principal']),
      group: p['group'] === 'true',
      roleId: text(p['roleId']),
      propagate: p['propagate'] === 'true',
    }));
    return { roles, permissions };
  } finally {
    await session.logout();
  }
}

function of(permissions: Permission[], principal: string): Permission[] {
  return permissions.filter((p) => p.principal === principal);
}

describe('lab scenario permissions', () => {
  it('has the Backup Operator role and the other principals on shared objects', async () => {
    const { roles, permissions } = await readAuthorization(sharedLab());
    const backup = roles.get('Backup Operator');
    expect(backup).toBeDefined();

    expect(of(permissions, 'VSPHERE.LOCAL\\backup-admins')).toEqual([
      {
        entity: expect.stringMatching(/^datacenter-/),
        principal: 'VSPHERE.LOCAL\\backup-admins',
        group: true,
        roleId: backup,
        propagate: true,
      },
    ]);
    expect(of(permissions, 'VSPHERE.LOCAL\\monitoring')).toEqual([
      {
        entity: 'group-d1',
        principal: 'VSPHERE.LOCAL\\monitoring',
        group: false,
        roleId: roles.get('ReadOnly'),
        propagate: true,
      },
    ]);
    expect(of(permissions, 'VSPHERE.LOCAL\\ops')).toEqual([
      {
        entity: expect.stringMatching(/^(domain-c|clustercomputeresource-)/),
        principal: 'VSPHERE.LOCAL\\ops',
        group: false,
        roleId: roles.get('ReadOnly'),
        propagate: false,
      },
    ]);
    // The root folder keeps the simulator's default administrators next to monitoring.
    expect(permissions.filter((p) => p.entity === 'group-d1').length).toBeGreaterThan(1);
  });

  it('gives the tenant accounts no permissions before onboarding', async () => {
    const { permissions } = await readAuthorization(sharedLab());
    expect(permissions.filter((p) => /asr-/.test(p.principal))).toEqual([]);
  });

  it('demo scenario adds one propagating Read-only leak for asr-fabrikam', async () => {
    const demo = await startLab('demo');
    try {
      const { roles, permissions } = await readAuthorization(demo);
      const leak = of(permissions, 'VSPHERE.LOCAL\\asr-fabrikam');
      expect(leak).toHaveLength(1);
      expect(leak[0]).toMatchObject({
        group: false,
        roleId: roles.get('ReadOnly'),
        propagate: true,
      });
      expect(leak[0]?.entity).toBeDefined();
      // lab.yaml's permissions are inherited, not replaced by demo.yaml's list.
      const shared = await readAuthorization(sharedLab());
      expect(permissions.filter((p) => p.principal !== 'VSPHERE.LOCAL\\asr-fabrikam')).toHaveLength(
        shared.permissions.length,
      );
      expect(of(permissions, 'VSPHERE.LOCAL\\asr-contoso')).toEqual([]);
    } finally {
      await demo.stop();
    }
  });
});
