/**
 * A tenant's part of the inventory, for plans that do not need every VM: every
 * entity except the VMs (datacenters, folders, clusters, hosts, pools, datastores, networks:
 * a few thousand at vCenter's maximum), the VMs below the named folders (one recursive
 * ContainerView each), and the VMs at the named paths (SearchIndex.FindByInventoryPath).
 * Paths are computed as the full collection computes them (withPaths), so a policy resolves
 * against it exactly as against the whole inventory, as far as it reaches. The VMs' placement
 * (host, datastores, networks) is not read: only `tenant init` uses it, from a full collection.
 */
import type { Snapshot } from '../model/snapshot';
import { normalizePath, toSearchIndexPath } from '../model/paths';
import type { Logger } from '../util/log';
import type { VimClient } from './client';
import {
  comparePermissions,
  ENTITY_DECODERS,
  ENTITY_PROPS_UNPLACED,
  snapshotOf,
  toPermission,
  toRawEntity,
  withPaths,
  DEFAULT_PAGE_SIZE,
  type RawEntity,
} from './collect';
import { readPrivilegeCatalogue, readRoles } from './roles';
import { mapLimit } from './semaphore';

/** Every ManagedEntity type but VirtualMachine (subtypes included: clusters, vApps, port groups, datastore clusters). */
export const NON_VM_TYPES = [
  'Folder',
  'Datacenter',
  'ComputeResource',
  'HostSystem',
  'ResourcePool',
  'Datastore',
  'Network',
  'DistributedVirtualSwitch',
];

/** What of the VMs a set of tenant policies reaches. */
export interface InventoryScope {
  /** VM folders (paths as written): every VM below each. */
  vmFolders: readonly string[];
  /** Single VMs (paths as written). */
  vmPaths: readonly string[];
}

export interface ScopedOptions {
  log: Logger;
  progress?: (message: string) => void;
  pageSize?: number;
  /** Parallel FindByInventoryPath look-ups. */
  concurrency?: number;
}

export type ScopedCollection =
  | { snapshot: Snapshot; read: { entities: number; vms: number } }
  /** The server returned permissions without their entity: only the whole inventory can place them. */
  | { unplaced: number };

export async function collectScoped(
  client: VimClient,
  scope: InventoryScope,
  options: ScopedOptions,
): Promise<ScopedCollection> {
  const progress = options.progress ?? (() => undefined);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const collectedAt = new Date().toISOString();
  const rootFolder = client.serviceContent.rootFolder;
  const warnings: string[] = [];

  progress('reading permissions');
  const all = await client.retrieveAllPermissions();
  const unplaced = all.filter((p) => p.entity === undefined).length;
  if (unplaced > 0) return { unplaced };
  const permissions = all.map((p) => toPermission(p, p.entity!.value)).sort(comparePermissions);

  progress('reading roles and privileges');
  const roles = await readRoles(client);
  const catalogue = await readPrivilegeCatalogue(client, roles, (err) =>
    options.log.debug(`privilege descriptions unavailable: ${err.message}`),
  );

  progress('reading the inventory except VMs');
  const raw = new Map<string, RawEntity>();
  const add = (e: RawEntity): void => {
    raw.set(e.ref, e);
  };
  const root = await client.retrieveObject(rootFolder, ['name']);
  add(toRawEntity(root ?? { obj: rootFolder, props: new Map(), missing: [] }));
  await client.viewObjects(
    rootFolder,
    { types: NON_VM_TYPES, propSet: ENTITY_PROPS_UNPLACED, pageSize, decoders: ENTITY_DECODERS },
    (oc) => {
      if (oc.obj.value !== rootFolder.value) add(toRawEntity(oc));
    },
  );
  const pathOptions = { namesEscaped: client.namesEscaped };
  const skeleton = new Map(
    withPaths([...raw.values()], rootFolder.value, [], pathOptions).map((e) => [e.path, e]),
  );

  for (const path of new Set(scope.vmFolders.map(normalizePath))) {
    const folder = skeleton.get(path);
    if (folder?.type !== 'Folder') continue; // the resolver reports it
    progress(`reading the VMs below ${path}`);
    await client.viewObjects(
      { type: 'Folder', value: folder.ref },
      {
        types: ['VirtualMachine'],
        propSet: ENTITY_PROPS_UNPLACED,
        pageSize,
        decoders: ENTITY_DECODERS,
      },
      (oc) => add(toRawEntity(oc)),
    );
  }
  const vmProps = ENTITY_PROPS_UNPLACED.filter(
    (s) => s.type === 'ManagedEntity' || s.type === 'VirtualMachine',
  ).flatMap((s) => [...s.pathSet]);
  await mapLimit(
    [...new Set(scope.vmPaths.map(normalizePath))],
    options.concurrency ?? 8,
    async (p) => {
      const ref = await client.findByInventoryPath(toSearchIndexPath(p));
      if (ref?.type !== 'VirtualMachine') return; // nothing, or not a VM: the resolver reports it
      const oc = await client.retrieveObject(ref, vmProps, ENTITY_DECODERS);
      if (oc) add(toRawEntity(oc));
    },
  );

  const entities = withPaths([...raw.values()], rootFolder.value, warnings, pathOptions);
  return {
    snapshot: snapshotOf(client, {
      collectedAt,
      catalogue,
      roles,
      permissions,
      entities,
      warnings,
    }),
    // Counted once: a VM below a named folder may also be named by its path.
    read: {
      entities: entities.length,
      vms: entities.filter((e) => e.type === 'VirtualMachine').length,
    },
  };
}
