/**
 * Effective access: what a principal can do on each entity, computed the way vCenter
 * documents it (vSphere Security guide, "Hierarchical Inheritance of Permissions" and
 * "Multiple Permission Settings"), from roles, permissions and the
 * inventory alone. The simulator's FetchUserPrivilegeOnEntities always answers "Admin",
 * so there is no server oracle to ask.
 *
 * For a principal u with principals P(u) = {u} ∪ groups(u), and an entity E:
 * - every inheritance path of E is walked upward (a VM or vApp has two: its folder chain and
 *   its resource-pool chain);
 * - on E itself every permission for P(u) applies; on an ancestor only propagating ones;
 * - objects that always inherit (a datacenter's root folders, a compute resource's root pool,
 *   a standalone host) carry their parent's permissions as their own, whatever the flag;
 * - the first level with an applicable permission decides that path and hides what is above;
 *   there a permission for u itself wins alone (No Access included), otherwise the union of
 *   the roles of u's groups;
 * - the paths are added together; No Access (and any role without privileges) adds nothing.
 *
 * OPEN QUESTION (unverified against a real vCenter): whether No Access decided on one
 * path of a VM hides a grant reaching it on the other path. The documented rule ("the
 * permissions on one object are added to the permissions on the other") is implemented: the
 * paths are unioned. For an audit this is the cautious reading: it may report access a real
 * vCenter denies, never the reverse.
 *
 * Cost: one pass over the principal's permissions, then each entity is resolved once
 * (memoised per entity for its own level and for what it passes down), so a run is linear in
 * entities + permissions.
 */
import { Inventory } from '../model/inventory';
import type { Entity, Permission, Snapshot } from '../model/snapshot';
import { principalKey, principalOf } from '../model/principal';
import type { Principals } from './principals';
import { entityRef, type EntityRef } from '../model/entity';
import type { EffectiveAccessEntry, PermissionEvidence } from './types';

/** Role id of vCenter's built-in No Access role. */
export const NO_ACCESS_ROLE_ID = -5;
/** Every role holds it; access "beyond System.Anonymous" is what counts as reaching an object. */
export const ANONYMOUS_PRIVILEGE = 'System.Anonymous';

/** Indexes of one snapshot shared by every principal resolved against it. */
export class AccessModel {
  readonly snapshot: Snapshot;
  readonly inventory: Inventory;
  private readonly rolePrivs = new Map<number, ReadonlySet<string>>();
  private readonly roleNames = new Map<number, string>();
  private readonly byPrincipal = new Map<string, Permission[]>();
  /** Role ids used by permissions but absent from the role list (reported, treated as no privileges). */
  readonly unknownRoleIds: ReadonlySet<number>;
  /** Entity index by ref; resolution works on indexes so per-principal memos are plain arrays. */
  readonly indexOf = new Map<string, number>();
  /** Inheritance parents of each entity, as indexes. */
  readonly parentIndexes: readonly (readonly number[])[];
  /** For objects that always inherit: the index of the parent whose permissions they carry; else -1. */
  readonly forcedParentIndex: Int32Array;

  constructor(snapshot: Snapshot, inventory?: Inventory) {
    this.snapshot = snapshot;
    this.inventory = inventory ?? new Inventory(snapshot.entities, snapshot.rootFolder);
    for (const r of snapshot.roles) {
      this.rolePrivs.set(r.id, r.id === NO_ACCESS_ROLE_ID ? new Set() : new Set(r.privileges));
      this.roleNames.set(r.id, r.name);
    }
    const unknown = new Set<number>();
    for (const p of snapshot.permissions) {
      const key = principalKey(principalOf(p));
      let list = this.byPrincipal.get(key);
      if (!list) this.byPrincipal.set(key, (list = []));
      list.push(p);
      if (!this.rolePrivs.has(p.roleId)) unknown.add(p.roleId);
    }
    this.unknownRoleIds = unknown;

    const entities = this.inventory.entities;
    entities.forEach((e, i) => this.indexOf.set(e.ref, i));
    this.parentIndexes = entities.map((e) =>
      this.inventory.inheritanceParents(e).map((p) => this.indexOf.get(p.ref)!),
    );
    this.forcedParentIndex = new Int32Array(entities.length).fill(-1);
    entities.forEach((e, i) => {
      const parent = this.inventory.isForcedInheritance(e)
        ? this.inventory.primaryParent(e)
        : undefined;
      if (parent) this.forcedParentIndex[i] = this.indexOf.get(parent.ref)!;
    });
  }

  rolePrivileges(roleId: number): ReadonlySet<string> {
    return this.rolePrivs.get(roleId) ?? EMPTY;
  }

  roleName(roleId: number): string {
    return this.roleNames.get(roleId) ?? `role ${roleId}`;
  }

  /** True when the permission grants nothing (No Access, or a role without privileges). */
  isNoAccess(p: Permission): boolean {
    return this.rolePrivileges(p.roleId).size === 0;
  }

  /** True when the permission lets its holder see the object (a privilege beyond System.Anonymous). */
  givesAccess(p: Permission): boolean {
    for (const priv of this.rolePrivileges(p.roleId)) if (priv !== ANONYMOUS_PRIVILEGE) return true;
    return false;
  }

  /** Permissions whose principal is one of P(u). */
  permissionsOf(principals: Principals): Permission[] {
    const out = [...(this.byPrincipal.get(principals.selfKey) ?? [])];
    for (const g of principals.groupKeys) out.push(...(this.byPrincipal.get(g) ?? []));
    return out;
  }

  /** Permissions of one principal key (see principalKey). */
  permissionsOfKey(key: string): readonly Permission[] {
    return this.byPrincipal.get(key) ?? [];
  }

  /** The snapshot's entity `ref` as a reference (with this snapshot's vCenter). */
  entityRef(ref: string): EntityRef {
    const e = this.inventory.get(ref);
    // A permission on an entity outside the collected inventory still needs a row.
    return this.toEntityRef(e ?? { ref, type: 'unknown', path: `(unknown entity ${ref})` });
  }

  toEntityRef(e: Pick<Entity, 'ref' | 'type' | 'path'>): EntityRef {
    return entityRef(this.snapshot.vcenter.instanceUuid, e);
  }

  evidence(p: Permission): PermissionEvidence {
    return {
      entity: this.entityRef(p.entity),
      principal: p.principal,
      group: p.group,
      roleId: p.roleId,
      roleName: this.roleName(p.roleId),
      propagate: p.propagate,
    };
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** The level that decides one inheritance path, and the permissions that apply there. */
export interface Decision {
  /** Entity whose level decided (the entity itself, or the ancestor the grant propagates from). */
  level: Entity;
  /** The permissions that decide: u's own permission alone, or all of u's groups'. */
  permissions: Permission[];
  /** Union of their roles' privileges (empty for No Access). */
  privileges: ReadonlySet<string>;
}

export interface ResolvedAccess {
  entity: Entity;
  /** Effective privileges, sorted. */
  privileges: readonly string[];
  /** One decision per distinct deciding level over all paths. */
  decisions: readonly Decision[];
}

/**
 * Resolves a principal's access on every entity. Returns only entities where at least one
 * path is decided (by a grant or by No Access); entities nothing reaches are absent.
 */
export function resolveAccess(
  model: AccessModel,
  principals: Principals,
): Map<string, ResolvedAccess> {
  const entities = model.inventory.entities;
  const parents = model.parentIndexes;
  const forced = model.forcedParentIndex;
  const NONE: never[] = [];

  const relevant = new Map<number, Permission[]>();
  for (const p of model.permissionsOf(principals)) {
    const i = model.indexOf.get(p.entity);
    if (i === undefined) continue; // outside the collected inventory: it reaches nothing we know
    let list = relevant.get(i);
    if (!list) relevant.set(i, (list = []));
    list.push(p);
  }
  const out = new Map<string, ResolvedAccess>();
  if (relevant.size === 0) return out;

  const forcedMemo = new Map<number, Permission[]>();
  /** Permissions that count as defined on entity i: its own, plus its parent's when it always inherits. */
  const own = (i: number): Permission[] => {
    const direct = relevant.get(i) ?? NONE;
    const fp = forced[i]!;
    if (fp < 0) return direct;
    let v = forcedMemo.get(i);
    if (!v) {
      const inherited = own(fp);
      v =
        direct.length === 0
          ? inherited
          : inherited.length === 0
            ? direct
            : [...direct, ...inherited];
      forcedMemo.set(i, v);
    }
    return v;
  };

  const decide = (i: number, perms: Permission[]): Decision => {
    // A permission for u itself wins alone; for a group account every permission is a group's.
    const self = principals.isGroup
      ? NONE
      : perms.filter((p) => principalKey(principalOf(p)) === principals.selfKey);
    const chosen = self.length > 0 ? self : perms;
    const privileges = new Set<string>();
    for (const p of chosen) for (const priv of model.rolePrivileges(p.roleId)) privileges.add(priv);
    return { level: entities[i]!, permissions: chosen, privileges };
  };

  const passedMemo: Array<Decision[] | undefined> = new Array<Decision[] | undefined>(
    entities.length,
  );
  /** Decisions entity i hands down to its children: its propagating permissions, or its parents'. */
  const passedDown = (i: number): Decision[] => {
    let v = passedMemo[i];
    if (v) return v;
    const fp = forced[i]!;
    if (fp >= 0 && !relevant.has(i)) {
      // Without permissions of its own it hands down exactly what its parent does. Sharing the
      // parent's decisions keeps a datacenter grant that reaches a VM through both the vm and
      // the host folder one decision, not two copies of the same permission.
      v = passedDown(fp);
    } else {
      const mine = own(i);
      const propagating = mine.length === 0 ? NONE : mine.filter((p) => p.propagate);
      v = propagating.length > 0 ? [decide(i, propagating)] : fromParents(i);
    }
    passedMemo[i] = v;
    return v;
  };
  const fromParents = (i: number): Decision[] => {
    const ps = parents[i]!;
    if (ps.length === 0) return NONE;
    if (ps.length === 1) return passedDown(ps[0]!);
    // Most paths decide nothing for most principals: avoid allocating for them.
    const decided = ps.map(passedDown).filter((d) => d.length > 0);
    if (decided.length === 0) return NONE;
    if (decided.length === 1) return decided[0]!;
    return union(decided);
  };

  const privilegeCache = new Map<string, readonly string[]>();
  const decisionIds = new Map<Decision, number>();
  const privilegesOf = (decisions: readonly Decision[]): readonly string[] => {
    const key = decisions
      .map((d) => {
        let id = decisionIds.get(d);
        if (id === undefined) decisionIds.set(d, (id = decisionIds.size));
        return id;
      })
      .sort((a, b) => a - b)
      .join(',');
    let v = privilegeCache.get(key);
    if (!v) {
      const all = new Set<string>();
      for (const d of decisions) for (const p of d.privileges) all.add(p);
      privilegeCache.set(key, (v = [...all].sort()));
    }
    return v;
  };

  for (let i = 0; i < entities.length; i++) {
    const mine = own(i);
    const decisions = mine.length > 0 ? [decide(i, mine)] : fromParents(i);
    if (decisions.length === 0) continue;
    const e = entities[i]!;
    out.set(e.ref, { entity: e, privileges: privilegesOf(decisions), decisions });
  }
  return out;
}

/** Distinct decisions of several paths (a VM's two paths often meet at the same datacenter grant). */
function union(lists: Decision[][]): Decision[] {
  const seen = new Set<Decision>();
  const out: Decision[] = [];
  for (const list of lists) {
    for (const d of list) {
      if (seen.has(d)) continue;
      seen.add(d);
      out.push(d);
    }
  }
  return out;
}

/** True when the access is more than System.Anonymous: the principal sees the object. */
export function reaches(access: ResolvedAccess): boolean {
  return access.privileges.some((p) => p !== ANONYMOUS_PRIVILEGE);
}

/**
 * The permissions that actually grant something (No Access decisions contribute nothing),
 * each once: an entity that carries permissions of its own beside its parent's (forced
 * inheritance) can put one permission into the decisions of two paths.
 */
export function grantingPermissions(model: AccessModel, access: ResolvedAccess): Permission[] {
  const out = new Set<Permission>();
  for (const d of access.decisions) {
    for (const p of d.permissions) if (!model.isNoAccess(p)) out.add(p);
  }
  return [...out];
}

export function toEffectiveAccessEntry(
  model: AccessModel,
  access: ResolvedAccess,
): EffectiveAccessEntry {
  return {
    entity: model.toEntityRef(access.entity),
    privileges: [...access.privileges],
    grantedBy: grantingPermissions(model, access).map((p) => model.evidence(p)),
  };
}

/** Everything the principal reaches (any privilege beyond System.Anonymous), in inventory path order. */
export function reachableEntities(
  model: AccessModel,
  principals: Principals,
): EffectiveAccessEntry[] {
  const out: EffectiveAccessEntry[] = [];
  for (const access of resolveAccess(model, principals).values()) {
    if (reaches(access)) out.push(toEffectiveAccessEntry(model, access));
  }
  return out.sort((a, b) => comparePaths(a.entity.path, b.entity.path));
}

export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
