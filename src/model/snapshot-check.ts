/**
 * Structural checks of a snapshot read from a file, beyond what the schema can say: the
 * inventory must be a tree under the root folder (a parent cycle would send every walk up the
 * tree into an endless loop), and every permission should sit on an entity the snapshot has.
 * Pure: errors make the file unusable; warnings are carried into the report.
 */
import { escapeControl } from '../util/escape';
import type { Snapshot } from './snapshot';

export interface SnapshotCheck {
  errors: string[];
  warnings: string[];
}

const LISTED = 5;

export function checkSnapshot(snapshot: Snapshot): SnapshotCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const byRef = new Map<string, Snapshot['entities'][number]>();
  const duplicates: string[] = [];
  for (const e of snapshot.entities) {
    if (byRef.has(e.ref)) duplicates.push(e.ref);
    else byRef.set(e.ref, e);
  }
  if (duplicates.length > 0) {
    errors.push(
      `entities: ${duplicates.length} managed object id(s) appear twice (${list(duplicates)})`,
    );
  }
  // A snapshot without entities still serves the role comparisons (compare cloudadmin).
  if (snapshot.entities.length > 0 && !byRef.has(snapshot.rootFolder)) {
    errors.push(`rootFolder: ${escapeControl(snapshot.rootFolder)} is not among the entities`);
  }

  // Each entity's chain up to the root, visited once overall (linear in the inventory).
  const state = new Map<string, 'walking' | 'done'>();
  const cycles: string[] = [];
  for (const start of snapshot.entities) {
    if (state.has(start.ref)) continue;
    const chain: string[] = [];
    let ref: string | null | undefined = start.ref;
    while (ref !== null && ref !== undefined && !state.has(ref)) {
      const e = byRef.get(ref);
      if (!e) break;
      state.set(ref, 'walking');
      chain.push(ref);
      ref = e.parent ?? e.parentVApp ?? null;
    }
    if (ref !== null && ref !== undefined && state.get(ref) === 'walking') {
      const from = chain.indexOf(ref);
      cycles.push([...chain.slice(from), ref].map((r) => escapeControl(r)).join(' -> '));
    }
    for (const r of chain) state.set(r, 'done');
  }
  if (cycles.length > 0) {
    errors.push(
      `entities: the parents form ${cycles.length === 1 ? 'a cycle' : `${cycles.length} cycles`} (${cycles.slice(0, LISTED).join('; ')}); an inventory is a tree under the root folder`,
    );
  }

  const missingParents = snapshot.entities.filter((e) => {
    const p = e.parent ?? e.parentVApp ?? null;
    return p !== null && !byRef.has(p);
  });
  if (missingParents.length > 0) {
    warnings.push(
      `${missingParents.length} entit${missingParents.length === 1 ? 'y has a parent' : 'ies have parents'} the snapshot does not have (${list(missingParents.map((e) => e.ref))}); nothing is inherited through ${missingParents.length === 1 ? 'it' : 'them'}`,
    );
  }

  const orphanPermissions = snapshot.permissions.filter((p) => !byRef.has(p.entity));
  if (orphanPermissions.length > 0) {
    warnings.push(
      `${orphanPermissions.length} permission(s) are defined on objects the snapshot does not have and were not evaluated: ${list(orphanPermissions.map((p) => `${p.group ? 'group' : 'user'} ${p.principal} on ${p.entity}`))}`,
    );
  }
  const roleIds = new Set(snapshot.roles.map((r) => r.id));
  const unknownRoles = snapshot.permissions.filter((p) => !roleIds.has(p.roleId));
  if (unknownRoles.length > 0) {
    warnings.push(
      `${unknownRoles.length} permission(s) name a role the snapshot does not have: ${list(unknownRoles.map((p) => `role ${p.roleId} for ${p.principal} on ${p.entity}`))}`,
    );
  }
  return { errors, warnings };
}

function list(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).map((i) => escapeControl(i));
  return shown.join(', ') + (items.length > LISTED ? `, and ${items.length - LISTED} more` : '');
}
