/**
 * Other principals' permissions compared with a backup. drperm never writes them back: a
 * difference is somebody else's change (an administrator, another tenant's onboarding) and
 * is reported as "changed by someone else; not touched", with the backup to restore from
 * should the operator decide to (drperm tenant restore). Pure.
 */
import type { VimPermission } from '../vsphere/types';
import type { Backup, BackupPermission } from './backup';
import { principalKey, principalOf } from '../model/principal';

export interface PermissionStateSeen {
  roleId: number;
  /** Known when it comes from the backup. */
  roleName?: string;
  propagate: boolean;
}

/** One principal's permission on one object that differs from the backup. */
export interface OtherChange {
  ref: string;
  path: string;
  principal: string;
  group: boolean;
  /** As the backup has it; undefined: it had none (added since). */
  before?: PermissionStateSeen;
  /** As read now; undefined: it has none (removed since). */
  after?: PermissionStateSeen;
}

type Perm = Pick<VimPermission, 'principal' | 'group' | 'roleId' | 'propagate'> & {
  roleName?: string;
};

const keyOf = (p: { principal: string; group: boolean }) => principalKey(principalOf(p));
const same = (a: Perm, b: Perm) => a.roleId === b.roleId && a.propagate === b.propagate;
const seen = (p: Perm): PermissionStateSeen =>
  p.roleName === undefined
    ? { roleId: p.roleId, propagate: p.propagate }
    : { roleId: p.roleId, roleName: p.roleName, propagate: p.propagate };

/**
 * Principals other than `writers` (principalKey values) whose permission on the object is not
 * as in `expected`: changed, removed, or added.
 */
export function otherChanges(
  entity: { ref: string; path: string },
  expected: readonly (BackupPermission | Perm)[],
  actual: readonly Perm[],
  writers: ReadonlySet<string>,
): OtherChange[] {
  const want = new Map(expected.filter((p) => !writers.has(keyOf(p))).map((p) => [keyOf(p), p]));
  const have = new Map(actual.filter((p) => !writers.has(keyOf(p))).map((p) => [keyOf(p), p]));
  const out: OtherChange[] = [];
  const base = (p: Perm) => ({
    ref: entity.ref,
    path: entity.path,
    principal: p.principal,
    group: p.group,
  });
  for (const [key, w] of want) {
    const h = have.get(key);
    if (h === undefined) out.push({ ...base(w), before: seen(w) });
    else if (!same(w, h)) out.push({ ...base(w), before: seen(w), after: seen(h) });
  }
  for (const [key, h] of have) {
    if (!want.has(key)) out.push({ ...base(h), after: seen(h) });
  }
  return out;
}

/**
 * Every object of a backup compared with its permissions now: what a rerun after an
 * interrupted or failed run reports. Objects missing from `live` (deleted, unreadable) are
 * skipped. `writers` are the principals the backup's run wrote (its account).
 */
export function otherChangesSince(
  backup: Backup,
  live: ReadonlyMap<string, readonly Perm[]>,
  writers: ReadonlySet<string>,
): OtherChange[] {
  const out: OtherChange[] = [];
  for (const e of backup.entities) {
    const now = live.get(e.ref);
    if (now !== undefined) out.push(...otherChanges(e, e.permissions, now, writers));
  }
  return out;
}

/** Merges lists, keeping one entry per object and principal (the last one seen wins). */
export function uniqueOtherChanges(lists: readonly (readonly OtherChange[])[]): OtherChange[] {
  const out = new Map<string, OtherChange>();
  for (const list of lists) for (const c of list) out.set(`${c.ref}\0${keyOf(c)}`, c);
  return [...out.values()];
}

const describe = (s: PermissionStateSeen | undefined) =>
  s === undefined ? 'none' : `role ${s.roleName ?? s.roleId}${s.propagate ? ', propagating' : ''}`;

/** `VSPHERE.LOCAL\ops on /DC0: role ReadOnly -> none` */
export function describeOtherChange(c: OtherChange): string {
  return `${c.principal}${c.group ? ' (group)' : ''} on ${c.path}: ${describe(c.before)} -> ${describe(c.after)}`;
}
