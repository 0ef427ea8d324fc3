/**
 * The collector: reads everything an audit needs from one vCenter into a Snapshot. Entities
 * are read in pages from a ContainerView, so work and memory grow linearly with the inventory.
 */
import type { Entity, Permission, Snapshot } from '../model/snapshot';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION } from '../model/snapshot';
import { joinPath, type PathOptions } from '../model/paths';
import type { Logger } from '../util/log';
import { VERSION } from '../version';
import type { VimClient } from './client';
import { arrayOf, isMoRef, type ObjectContent, type PropertyDecoders } from './decode';
import { moRef, text } from './xml-decode';
import { mapLimit } from './semaphore';
import { readPrivilegeCatalogue, readRoles } from './roles';
import type { MoRef, VimPermission } from './types';

export const DEFAULT_PAGE_SIZE = 1000;
/** Parallel RetrieveEntityPermissions calls when locating entity-less permissions. */
const LOCATE_CONCURRENCY = 8;

export interface CollectOptions {
  /** Debug notes only: the collection's warnings are in the snapshot's `warnings`. */
  log: Logger;
  /** Called with short progress notes (the CLI shows them on a terminal). */
  progress?: (message: string) => void;
  pageSize?: number;
  /**
   * Whether the server returns entity names escaped (vCenter) or raw (the simulator); see
   * PathOptions. Default: what the client detected.
   */
  namesEscaped?: boolean;
}

/** What the view returns per entity, before paths are known. */
export interface RawEntity {
  ref: string;
  type: string;
  name: string;
  parent: string | null;
  resourcePool?: string | null;
  parentVApp?: string | null;
  parentFolder?: string | null;
  host?: string | null;
  datastores?: string[];
  networks?: string[];
}

export async function collectSnapshot(
  client: VimClient,
  options: CollectOptions,
): Promise<Snapshot> {
  const { log } = options;
  const progress = options.progress ?? (() => undefined);
  const warnings: string[] = [];
  const collectedAt = new Date().toISOString();
  const rootFolder = client.serviceContent.rootFolder;

  progress('reading roles and privileges');
  const roles = await readRoles(client);
  const catalogue = await readPrivilegeCatalogue(client, roles, (err) =>
    log.debug(`privilege descriptions unavailable: ${err.message}`),
  );

  progress('reading inventory');
  const raw = await collectEntities(client, options.pageSize ?? DEFAULT_PAGE_SIZE, progress);
  const entities = withPaths(raw, rootFolder.value, warnings, {
    namesEscaped: options.namesEscaped ?? client.namesEscaped,
  });

  progress('reading permissions');
  // The server's order is arbitrary (the simulator's changes from call to call); a stable
  // order lets auditors diff two snapshots.
  const permissions = (await collectPermissions(client, entities, progress, warnings)).sort(
    comparePermissions,
  );

  return snapshotOf(client, { collectedAt, catalogue, roles, permissions, entities, warnings });
}

/** The snapshot of what was read from `client` (a whole collection, or a tenant's part of it). */
export function snapshotOf(
  client: VimClient,
  read: {
    collectedAt: string;
    catalogue: Awaited<ReturnType<typeof readPrivilegeCatalogue>>;
    roles: Snapshot['roles'];
    permissions: Permission[];
    entities: Entity[];
    warnings: string[];
  },
): Snapshot {
  const about = client.about;
  return {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    tool: { name: 'drperm', version: VERSION },
    collectedAt: read.collectedAt,
    source: { url: client.url, username: client.username },
    vcenter: {
      name: about.name,
      fullName: about.fullName,
      instanceUuid: about.instanceUuid,
      apiType: about.apiType,
      apiVersion: about.apiVersion,
      version: about.version,
      build: about.build,
    },
    rootFolder: client.serviceContent.rootFolder.value,
    privilegeSource: read.catalogue.source,
    privileges: read.catalogue.privileges,
    roles: read.roles,
    permissions: read.permissions,
    entities: read.entities,
    warnings: read.warnings,
  };
}

/** Where a VM runs and what it uses: read for `tenant init`, which proposes them. */
export const VM_PLACEMENT_PROPS = ['runtime.host', 'datastore', 'network'];

export const ENTITY_PROPS = [
  { type: 'ManagedEntity', pathSet: ['name', 'parent'] },
  { type: 'VirtualMachine', pathSet: ['resourcePool', 'parentVApp', ...VM_PLACEMENT_PROPS] },
  { type: 'VirtualApp', pathSet: ['parentFolder'] },
];

/** ENTITY_PROPS without the VMs' placement: what a plan resolves paths and membership from. */
export const ENTITY_PROPS_UNPLACED = ENTITY_PROPS.map((s) =>
  s.type === 'VirtualMachine'
    ? { ...s, pathSet: s.pathSet.filter((p) => !VM_PLACEMENT_PROPS.includes(p)) }
    : s,
);

/** The entity properties decoded straight into what toRawEntity reads (no generic values). */
export const ENTITY_DECODERS: PropertyDecoders = {
  name: text,
  parent: moRef,
  resourcePool: moRef,
  parentVApp: moRef,
  'runtime.host': moRef,
  datastore: arrayOf(moRef),
  network: arrayOf(moRef),
  parentFolder: moRef,
};

async function collectEntities(
  client: VimClient,
  pageSize: number,
  progress: (m: string) => void,
): Promise<RawEntity[]> {
  const rootFolder = client.serviceContent.rootFolder;
  const root = await client.retrieveObject(rootFolder, ['name']);
  // By ref: an object delivered again (a page repeated after a re-login) replaces itself.
  const entities = new Map<string, RawEntity>();
  entities.set(
    rootFolder.value,
    toRawEntity(root ?? { obj: rootFolder, props: new Map(), missing: [] }),
  );
  await client.viewObjects(
    rootFolder,
    { types: ['ManagedEntity'], propSet: ENTITY_PROPS, pageSize, decoders: ENTITY_DECODERS },
    (oc) => {
      if (oc.obj.value === rootFolder.value) return;
      entities.set(oc.obj.value, toRawEntity(oc));
      if (entities.size % pageSize === 0) progress(`inventory: ${entities.size} entities`);
    },
  );
  progress(`inventory: ${entities.size} entities`);
  return [...entities.values()];
}

function refOf(value: unknown): string | null {
  return isMoRef(value as MoRef) ? (value as MoRef).value : null;
}

function refsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(refOf).filter((r): r is string => r !== null) : [];
}

export function toRawEntity(oc: ObjectContent): RawEntity {
  const name = oc.props.get('name');
  const e: RawEntity = {
    ref: oc.obj.value,
    type: oc.obj.type,
    name: typeof name === 'string' ? name : '',
    parent: refOf(oc.props.get('parent')),
  };
  if (oc.obj.type === 'VirtualMachine') {
    e.resourcePool = refOf(oc.props.get('resourcePool'));
    e.parentVApp = refOf(oc.props.get('parentVApp'));
    e.host = refOf(oc.props.get('runtime.host'));
    e.datastores = refsOf(oc.props.get('datastore'));
    e.networks = refsOf(oc.props.get('network'));
  }
  if (oc.obj.type === 'VirtualApp') e.parentFolder = refOf(oc.props.get('parentFolder'));
  return e;
}

/**
 * Adds govc-style paths, computed once per entity (memoised, so linear in the inventory). The
 * path is set on the raw entities themselves, which become the Entities returned: a copy of
 * each (object spread) would double the inventory in memory, and spread objects end up with
 * a hidden class each in V8.
 */
export function withPaths(
  raw: readonly RawEntity[],
  rootRef: string,
  warnings: string[],
  pathOptions: PathOptions = {},
): Entity[] {
  const byRef = new Map(raw.map((e) => [e.ref, e]));
  const paths = new Map<string, string>();
  const orphans: string[] = [];
  const pathOf = (start: RawEntity): string => {
    // Walk up to the first entity with a known path, then fill paths on the way back down.
    const chain: RawEntity[] = [];
    let cur: RawEntity | undefined = start;
    let base = '';
    while (cur) {
      const known = paths.get(cur.ref);
      if (known !== undefined) {
        base = known;
        break;
      }
      if (cur.ref === rootRef) {
        paths.set(cur.ref, '/');
        base = '/';
        break;
      }
      if (chain.includes(cur)) break; // a cycle would be a server bug; stop rather than loop
      chain.push(cur);
      const up: string | null = cur.parent ?? cur.parentVApp ?? null;
      const next: RawEntity | undefined = up === null ? undefined : byRef.get(up);
      if (!next) {
        orphans.push(cur.ref);
        base = '/';
        break;
      }
      cur = next;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const e = chain[i]!;
      base = joinPath(base, e.name, pathOptions);
      paths.set(e.ref, base);
    }
    return paths.get(start.ref) ?? base;
  };
  const entities = raw.map((e): Entity => {
    const entity = e as Entity;
    entity.path = pathOf(e);
    return entity;
  });
  if (orphans.length > 0) {
    warnings.push(
      `${orphans.length} entities have a parent outside the collected inventory (paths start at '/'): ${orphans.slice(0, 10).join(', ')}${orphans.length > 10 ? ', …' : ''}`,
    );
  }
  return entities;
}

function permissionKey(
  p: Pick<VimPermission, 'principal' | 'group' | 'roleId' | 'propagate'>,
): string {
  return JSON.stringify([p.principal, p.group, p.roleId, p.propagate]);
}

export function toPermission(p: VimPermission, entity: string): Permission {
  return {
    entity,
    principal: p.principal,
    group: p.group,
    roleId: p.roleId,
    propagate: p.propagate,
  };
}

/**
 * All permissions, each on the entity it is defined on. Permissions RetrieveAllPermissions
 * returns without an entity (the simulator does that) are located by asking every entity for
 * its own permissions; any that cannot be placed are listed in a warning, never dropped silently.
 */
async function collectPermissions(
  client: VimClient,
  entities: readonly Entity[],
  progress: (m: string) => void,
  warnings: string[],
): Promise<Permission[]> {
  const all = await client.retrieveAllPermissions();
  const permissions = all.filter((p) => p.entity).map((p) => toPermission(p, p.entity!.value));
  const unlocated = all.filter((p) => !p.entity);
  if (unlocated.length === 0) return permissions;

  let done = 0;
  const found = await mapLimit(entities, LOCATE_CONCURRENCY, async (e) => {
    const own = await client.retrieveEntityPermissions({ type: e.type, value: e.ref }, false);
    if (++done % 1000 === 0) progress(`locating permissions: ${done}/${entities.length} entities`);
    return own.filter((p) => !p.entity).map((p) => toPermission(p, e.ref));
  });
  const located = found.flat();
  permissions.push(...located);

  const placed = new Map<string, number>();
  for (const p of located) placed.set(permissionKey(p), (placed.get(permissionKey(p)) ?? 0) + 1);
  const unplaced: VimPermission[] = [];
  for (const p of unlocated) {
    const k = permissionKey(p);
    const left = placed.get(k) ?? 0;
    if (left > 0) placed.set(k, left - 1);
    else unplaced.push(p);
  }
  warnings.push(
    `the server returned ${unlocated.length} permissions without their entity (a simulator behaviour); ` +
      `${unlocated.length - unplaced.length} were located by reading each entity's own permissions`,
  );
  if (unplaced.length > 0) {
    const list = unplaced
      .map((p) => `${p.group ? 'group' : 'user'} ${p.principal} role ${p.roleId}`)
      .join('; ');
    warnings.push(
      `${unplaced.length} permissions could not be placed on any entity and are missing from this snapshot: ${list}`,
    );
  }
  return permissions;
}

export function comparePermissions(a: Permission, b: Permission): number {
  const key = (p: Permission) => [p.entity, p.principal, p.group ? 'g' : 'u'];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < y[i]!) return -1;
    if (x[i]! > y[i]!) return 1;
  }
  return 0;
}
