/**
 * `drperm ls` and `drperm find` over the inventory model: a folder's children (govc ls) and
 * the objects below a path matching a name glob and a kind (govc find). Pure: the commands
 * hand in an inventory from a live collection or a snapshot and print what comes back.
 */
import { InputError } from '../util/errors';
import { globToRegExp } from '../util/glob';
import { nearest } from '../util/suggest';
import { principalKey, principalOf } from './principal';
import { COMPUTE_TYPES, DATASTORE_TYPES, NETWORK_TYPES, type Inventory } from './inventory';
import { normalizePath } from './paths';
import type { Entity, Permission, Role } from './snapshot';

/** The kinds `find --type` takes, as govc's short names, and the vSphere types each means. */
export const OBJECT_KINDS = {
  vm: ['VirtualMachine'],
  host: ['HostSystem'],
  cluster: ['ClusterComputeResource'],
  datastore: [...DATASTORE_TYPES],
  network: [...NETWORK_TYPES],
  folder: ['Folder'],
  pool: ['ResourcePool', 'VirtualApp'],
} as const satisfies Record<string, readonly string[]>;
export type ObjectKind = keyof typeof OBJECT_KINDS;

export function parseObjectKind(value: string): ObjectKind {
  if (Object.hasOwn(OBJECT_KINDS, value)) return value as ObjectKind;
  const kinds = Object.keys(OBJECT_KINDS);
  throw new InputError(
    `--type must be one of ${kinds.join(', ')}, got "${value}"${nearestHint(value, kinds)}`,
  );
}

/** The entity at `path`, or an InputError naming the nearest existing paths. */
export function entityAt(inventory: Inventory, path: string, field = 'PATH'): Entity {
  const entity = inventory.byInventoryPath(path);
  if (entity) return entity;
  const near = nearest(
    normalizePath(path),
    inventory.entities.map((e) => e.path),
    3,
  );
  throw new InputError(
    `${field} ${path} does not exist in the inventory${near.length > 0 ? `; nearest: ${near.join(', ')}` : ''}`,
  );
}

/** govc ls: the children of a folder (or any container); an object without children lists itself. */
export function listChildren(inventory: Inventory, path = '/'): Entity[] {
  const entity = entityAt(inventory, path);
  const children = inventory.children(entity.ref);
  return children.length > 0 || isContainer(entity) ? byPath([...children]) : [entity];
}

function isContainer(e: Entity): boolean {
  return (
    e.type === 'Folder' ||
    e.type === 'Datacenter' ||
    e.type === 'StoragePod' ||
    COMPUTE_TYPES.has(e.type) ||
    e.type === 'ResourcePool' ||
    e.type === 'VirtualApp'
  );
}

export interface FindQuery {
  /** Where to search (default the root folder); the object itself is included. */
  path?: string;
  /** Name glob (`*`, `?`), case-sensitive, as tenant files' `vms.names`. */
  name?: string;
  kind?: ObjectKind;
}

/** govc find: the objects at and below `path` matching the name glob and the kind, by path. */
export function findObjects(inventory: Inventory, query: FindQuery): Entity[] {
  const start = entityAt(inventory, query.path ?? '/');
  const re = query.name === undefined ? undefined : globToRegExp(query.name);
  const types = query.kind === undefined ? undefined : new Set<string>(OBJECT_KINDS[query.kind]);
  const candidates = [start, ...inventory.descendants(start.ref)];
  return byPath(
    candidates.filter(
      (e) => (re === undefined || re.test(e.name)) && (types === undefined || types.has(e.type)),
    ),
  );
}

/** One row of `ls -l` / `find -l`. */
export interface ObjectDetail {
  path: string;
  name: string;
  type: string;
  ref: string;
  /** Permissions defined on the object itself (any principal). */
  permissions: number;
  /** With an account: its own permission on the object, or null when it has none. */
  account?: { roleName: string; propagate: boolean } | null;
}

export function describeObjects(
  entities: readonly Entity[],
  permissions: readonly Permission[],
  roles: readonly Role[],
  account?: { principal: string; group: boolean },
): ObjectDetail[] {
  const wanted = new Set(entities.map((e) => e.ref));
  const counts = new Map<string, number>();
  const own = new Map<string, Permission>();
  const key = account ? principalKey({ name: account.principal, group: account.group }) : undefined;
  for (const p of permissions) {
    if (!wanted.has(p.entity)) continue;
    counts.set(p.entity, (counts.get(p.entity) ?? 0) + 1);
    if (key !== undefined && principalKey(principalOf(p)) === key) own.set(p.entity, p);
  }
  const roleName = (id: number) => roles.find((r) => r.id === id)?.name ?? `role ${id}`;
  return entities.map((e) => {
    const detail: ObjectDetail = {
      path: e.path,
      name: e.name,
      type: e.type,
      ref: e.ref,
      permissions: counts.get(e.ref) ?? 0,
    };
    if (account) {
      const p = own.get(e.ref);
      detail.account = p ? { roleName: roleName(p.roleId), propagate: p.propagate } : null;
    }
    return detail;
  });
}

function byPath(entities: Entity[]): Entity[] {
  return entities.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function nearestHint(value: string, candidates: readonly string[]): string {
  const near = nearest(value, candidates, 1)[0];
  return near ? `; did you mean "${near}"?` : '';
}
