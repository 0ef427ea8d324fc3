/**
 * What `drperm role apply` would do: the difference between the live role (or its
 * absence) and the privileges a policy resolves to. Pure: data in, data out.
 * System.Anonymous/View/Read are added by vCenter to every role, so they never count.
 */
import type { Role } from '../model/snapshot';
import { significantPrivileges } from '../model/privileges';
import { InputError } from '../util/errors';

export type RolePlan =
  | { action: 'create'; name: string; privileges: string[] }
  | {
      action: 'update';
      name: string;
      roleId: number;
      privileges: string[];
      added: string[];
      removed: string[];
    }
  | { action: 'unchanged'; name: string; roleId: number; privileges: string[] };

/** Role names are matched exactly: vCenter's own comparison is assumed case-sensitive (unverified). */
export function findRoleByName(roles: readonly Role[], name: string): Role | undefined {
  return roles.find((r) => r.name === name);
}

/**
 * @param desired the resolved policy privileges (implicit System.* may be present or not)
 * @param live the role of that name on the server, if any
 */
export function planRole(
  name: string,
  desired: readonly string[],
  live: Role | undefined,
): RolePlan {
  const want = significantPrivileges(desired);
  if (!live) return { action: 'create', name, privileges: want };
  if (live.system) {
    throw new InputError(`"${name}" is a built-in system role of vCenter and cannot be changed`, {
      hint: 'give the role policy another name',
    });
  }
  const have = new Set(significantPrivileges(live.privileges));
  const wantSet = new Set(want);
  const added = want.filter((id) => !have.has(id));
  const removed = [...have].filter((id) => !wantSet.has(id)).sort();
  if (added.length === 0 && removed.length === 0) {
    return { action: 'unchanged', name, roleId: live.id, privileges: want };
  }
  return { action: 'update', name, roleId: live.id, privileges: want, added, removed };
}

/** Human-readable lines for the plan, printed before anything changes. */
export function describeRolePlan(plan: RolePlan): string[] {
  switch (plan.action) {
    case 'create':
      return [
        `role ${plan.name}: create with ${plan.privileges.length} privileges (plus System.Anonymous/View/Read, which vCenter adds)`,
        ...plan.privileges.map((id) => `  + ${id}`),
      ];
    case 'update':
      return [
        `role ${plan.name} (id ${plan.roleId}): update, ${plan.added.length} to add, ${plan.removed.length} to remove`,
        ...plan.added.map((id) => `  + ${id}`),
        ...plan.removed.map((id) => `  - ${id}`),
      ];
    case 'unchanged':
      return [
        `role ${plan.name} (id ${plan.roleId}): up to date (${plan.privileges.length} privileges), nothing to change`,
      ];
  }
}
