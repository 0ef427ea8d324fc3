/**
 * Effective privileges as "role + what goes beyond it": a tenant's access to thousands of
 * objects usually comes from one role, so the reports name the role (whose privileges the
 * Roles sheet and the JSON roles list hold once) and list only the privileges beyond it.
 */
import type { AuditReport, EffectiveAccessRow } from '../audit/report-model';

export interface PrivilegeSet {
  /** Index in the report's list of sets (the JSON report's privilegeSets[].id). */
  id: number;
  /** The largest granting role contained in the set, or null when no role is (No Access only). */
  roleId: number | null;
  roleName: string | null;
  /** Privileges beyond the role, sorted. */
  extra: string[];
  /** Number of privileges in the set. */
  size: number;
}

export interface PrivilegeSets {
  sets: PrivilegeSet[];
  /** The set of each effective access row, by row index. */
  ofRow: Int32Array;
}

const cache = new WeakMap<AuditReport, PrivilegeSets>();

/** Computed once per report (the workbook and the JSON writer share it). */
export function privilegeSets(report: AuditReport): PrivilegeSets {
  let result = cache.get(report);
  if (!result) {
    result = compute(report);
    cache.set(report, result);
  }
  return result;
}

function compute(report: AuditReport): PrivilegeSets {
  const rolePrivileges = new Map(
    report.roles.map((r) => [r.id, new Set(r.privileges.map((p) => p.id))]),
  );
  const roleNames = new Map(report.roles.map((r) => [r.id, r.name]));
  const sets: PrivilegeSet[] = [];
  const byKey = new Map<string, number>();
  const ofRow = new Int32Array(report.effectiveAccess.length);
  // Rows granted by the same roles nearly always have the same privileges: look the set up by
  // the roles, and compare the privileges before taking it (a mismatch gets a key of its own).
  const privilegesOf: Array<readonly string[]> = [];
  report.effectiveAccess.forEach((row, i) => {
    const roleIds = [...new Set(row.grantedBy.map((g) => g.roleId))].sort((a, b) => a - b);
    const quick = roleIds.join(',');
    let id = byKey.get(quick);
    if (id === undefined || !sameList(privilegesOf[id]!, row.privileges)) {
      const full = `${quick}|${row.privileges.join(',')}`;
      id = byKey.get(full);
      if (id === undefined) {
        id = sets.length;
        sets.push({ id, ...split(row, roleIds, rolePrivileges, roleNames) });
        privilegesOf.push(row.privileges);
        byKey.set(full, id);
        if (!byKey.has(quick)) byKey.set(quick, id);
      }
    }
    ofRow[i] = id;
  });
  return { sets, ofRow };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function split(
  row: EffectiveAccessRow,
  roleIds: readonly number[],
  rolePrivileges: ReadonlyMap<number, ReadonlySet<string>>,
  roleNames: ReadonlyMap<number, string>,
): Omit<PrivilegeSet, 'id'> {
  const effective = new Set(row.privileges);
  let best: number | null = null;
  let bestSize = -1;
  for (const id of roleIds) {
    const privileges = rolePrivileges.get(id);
    if (!privileges || privileges.size === 0 || privileges.size <= bestSize) continue;
    let contained = true;
    for (const p of privileges) {
      if (!effective.has(p)) {
        contained = false;
        break;
      }
    }
    if (contained) {
      best = id;
      bestSize = privileges.size;
    }
  }
  const base = best === null ? undefined : rolePrivileges.get(best);
  return {
    roleId: best,
    roleName: best === null ? null : (roleNames.get(best) ?? `role ${best}`),
    extra: row.privileges.filter((p) => !base?.has(p)),
    size: row.privileges.length,
  };
}
