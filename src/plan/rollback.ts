/**
 * Rollback planning: what to send so that the tenant account's permission on each
 * object of a backup is what it was when the backup was taken. Only the backup's own
 * account is considered; other principals are never part of a rollback. Pure.
 */
import type { Role } from '../model/snapshot';
import type { VimPermission } from '../vsphere/types';
import type { Backup } from './backup';
import type { PermissionChange } from './changes';
import { isAccountPermission } from './tenant-plan';

export interface RollbackPlan {
  changes: PermissionChange[];
  /** Objects where the account's permission already matches the backup. */
  unchanged: string[];
  /** Objects that cannot be restored (deleted since, role gone): reported, not touched. */
  problems: string[];
}

/**
 * @param live the permissions defined on each backed-up object now (inherited=false);
 *   an object missing from the map no longer exists.
 */
export function planRollback(
  backup: Backup,
  live: ReadonlyMap<string, readonly VimPermission[]>,
  roles: readonly Role[],
): RollbackPlan {
  const plan: RollbackPlan = { changes: [], unchanged: [], problems: [] };
  for (const e of backup.entities) {
    const entity = { ref: e.ref, type: e.type, path: e.path };
    const now = live.get(e.ref);
    if (!now) {
      plan.problems.push(`${e.path}: no longer exists; nothing to restore`);
      continue;
    }
    const before = e.permissions.find((p) =>
      isAccountPermission({ ...p, entity: e.ref }, backup.principal, backup.group),
    );
    const current = now.find((p) =>
      isAccountPermission({ ...p, entity: e.ref }, backup.principal, backup.group),
    );
    if (!before) {
      if (current) plan.changes.push({ entity, action: 'remove', desired: null });
      else plan.unchanged.push(e.path);
      continue;
    }
    // Role ids are looked up again by name: a role deleted and recreated gets a new id.
    const role = roles.find((r) => r.name === before.roleName);
    if (!role) {
      plan.problems.push(
        `${e.path}: role ${before.roleName} no longer exists; create it (drperm role apply) and run again`,
      );
      continue;
    }
    if (current && current.roleId === role.id && current.propagate === before.propagate) {
      plan.unchanged.push(e.path);
      continue;
    }
    plan.changes.push({
      entity,
      action: 'restore',
      desired: { roleId: role.id, roleName: role.name, propagate: before.propagate },
    });
  }
  return plan;
}
