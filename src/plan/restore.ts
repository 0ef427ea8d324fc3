/**
 * Restore planning: what to send so that chosen principals' permissions on the objects of a
 * backup are again as the backup has them. drperm never does this by itself (another
 * principal's permission that changed is somebody else's decision, README "Safety"); an
 * operator asks for it with `drperm tenant restore`, sees this plan, and confirms. Pure.
 */
import { principalKey, principalName, principalOf } from '../model/principal';
import type { Role } from '../model/snapshot';
import type { VimPermission } from '../vsphere/types';
import type { PermissionWrite, PrincipalRef } from './apply';
import type { Backup } from './backup';

export interface RestoreItem extends PermissionWrite {
  /** The principal's permission on the object now; undefined: none. */
  current?: { roleId: number; roleName: string; propagate: boolean };
}

export interface RestorePlan {
  /** The principals the restore is about. */
  principals: PrincipalRef[];
  writes: RestoreItem[];
  /** Object and principal pairs already as in the backup. */
  unchanged: number;
  /** What cannot be restored (object deleted, role gone, principal unknown): reported, not touched. */
  problems: string[];
}

export interface RestoreOptions {
  /** Principal names to restore (users or groups of that name); default: every principal in the backup. */
  principals?: readonly string[];
}

const keyOf = (p: PrincipalRef) => principalKey(principalOf(p));
const sameName = (a: string, b: string) => principalName(a) === principalName(b);

/**
 * @param live the permissions defined on each backed-up object now (inherited=false); an
 *   object missing from the map no longer exists.
 */
export function planRestore(
  backup: Backup,
  live: ReadonlyMap<string, readonly VimPermission[]>,
  roles: readonly Role[],
  options: RestoreOptions = {},
): RestorePlan {
  const plan: RestorePlan = { principals: [], writes: [], unchanged: 0, problems: [] };
  const inBackup = new Map<string, PrincipalRef>();
  for (const e of backup.entities) {
    for (const p of e.permissions)
      inBackup.set(keyOf(p), { principal: p.principal, group: p.group });
  }
  const chosen = new Map<string, PrincipalRef>();
  if (options.principals === undefined) {
    for (const [k, p] of inBackup) chosen.set(k, p);
  } else {
    for (const name of options.principals) {
      const matches = [...inBackup.values()].filter((p) => sameName(p.principal, name));
      // Not in the backup: it had no permission on these objects; restoring removes any it has now.
      for (const list of live.values()) {
        for (const p of list) if (sameName(p.principal, name)) matches.push(p);
      }
      if (matches.length === 0) {
        plan.problems.push(`${name}: has no permission in the backup nor now on its objects`);
      }
      for (const p of matches) chosen.set(keyOf(p), { principal: p.principal, group: p.group });
    }
  }
  plan.principals = [...chosen.values()];

  for (const e of backup.entities) {
    const entity = { ref: e.ref, type: e.type, path: e.path };
    const now = live.get(e.ref);
    if (!now) {
      if (e.permissions.some((p) => chosen.has(keyOf(p)))) {
        plan.problems.push(`${e.path}: no longer exists; nothing to restore`);
      }
      continue;
    }
    for (const [key, who] of chosen) {
      const before = e.permissions.find((p) => keyOf(p) === key);
      const current = now.find((p) => keyOf(p) === key);
      const currentState = current && {
        roleId: current.roleId,
        roleName: roles.find((r) => r.id === current.roleId)?.name ?? `role ${current.roleId}`,
        propagate: current.propagate,
      };
      const withCurrent = currentState ? { current: currentState } : {};
      if (!before) {
        if (current) {
          plan.writes.push({
            change: { entity, action: 'remove', desired: null },
            principal: who,
            ...withCurrent,
          });
        }
        continue;
      }
      // Role ids are looked up again by name: a role deleted and recreated gets a new id.
      const role = roles.find((r) => r.name === before.roleName);
      if (!role) {
        plan.problems.push(
          `${e.path}: ${who.principal}'s role ${before.roleName} no longer exists; nothing restored there`,
        );
        continue;
      }
      if (current && current.roleId === role.id && current.propagate === before.propagate) {
        plan.unchanged++;
        continue;
      }
      plan.writes.push({
        change: {
          entity,
          action: 'restore',
          desired: { roleId: role.id, roleName: role.name, propagate: before.propagate },
        },
        principal: who,
        ...withCurrent,
      });
    }
  }
  return plan;
}
