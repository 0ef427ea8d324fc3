import type { Role } from '../../../src/model/snapshot';
import { describeRolePlan, findRoleByName, planRole } from '../../../src/plan/role-plan';
import { InputError } from '../../../src/util/errors';

function role(name: string, privileges: string[], extra: Partial<Role> = {}): Role {
  return { id: 7, name, system: false, privileges, ...extra };
}

describe('planRole', () => {
  it('creates an absent role with the significant privileges, sorted', () => {
    const plan = planRole('ASR', ['Task.Create', 'System.Read', 'Datastore.Browse'], undefined);
    expect(plan).toEqual({
      action: 'create',
      name: 'ASR',
      privileges: ['Datastore.Browse', 'Task.Create'],
    });
  });

  it('is unchanged when only the implicit System privileges differ', () => {
    const live = role('ASR', ['System.Anonymous', 'System.Read', 'System.View', 'Task.Create']);
    expect(planRole('ASR', ['Task.Create'], live)).toEqual({
      action: 'unchanged',
      name: 'ASR',
      roleId: 7,
      privileges: ['Task.Create'],
    });
  });

  it('updates to exactly the policy: lists what is added and what is removed', () => {
    const live = role('ASR', ['System.Read', 'Task.Create', 'Folder.Delete', 'Alarm.Create']);
    const plan = planRole('ASR', ['Task.Create', 'Task.Update', 'Datastore.Browse'], live);
    expect(plan).toEqual({
      action: 'update',
      name: 'ASR',
      roleId: 7,
      privileges: ['Datastore.Browse', 'Task.Create', 'Task.Update'],
      added: ['Datastore.Browse', 'Task.Update'],
      removed: ['Alarm.Create', 'Folder.Delete'],
    });
  });

  it('refuses to change a built-in system role', () => {
    expect(() =>
      planRole('Admin', ['Task.Create'], role('Admin', [], { id: -1, system: true })),
    ).toThrow(InputError);
  });
});

describe('findRoleByName', () => {
  const roles = [
    role('ReadOnly', [], { id: -2, system: true }),
    role('Azure_Site_Recovery', [], { id: 3 }),
  ];
  it('finds by exact name, never by id', () => {
    expect(findRoleByName(roles, 'Azure_Site_Recovery')?.id).toBe(3);
    expect(findRoleByName(roles, 'azure_site_recovery')).toBeUndefined();
  });
});

describe('describeRolePlan', () => {
  it('shows every change line by line', () => {
    const lines = describeRolePlan({
      action: 'update',
      name: 'ASR',
      roleId: 4,
      privileges: ['A.B'],
      added: ['A.B'],
      removed: ['C.D'],
    });
    expect(lines).toEqual(['role ASR (id 4): update, 1 to add, 1 to remove', '  + A.B', '  - C.D']);
  });

  it('says so when there is nothing to do', () => {
    expect(
      describeRolePlan({ action: 'unchanged', name: 'ASR', roleId: 4, privileges: ['A.B'] })[0],
    ).toMatch(/up to date .*nothing to change/);
  });
});
