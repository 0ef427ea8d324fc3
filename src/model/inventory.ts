/**
 * In-memory index over a snapshot's entities: lookups by ref and path, children,
 * and the inheritance parents the effective-access engine walks. Pure; built once per run.
 */
import type { Entity } from './snapshot';
import { InputError } from '../util/errors';
import { normalizePath } from './paths';

export const VM_TYPES = new Set(['VirtualMachine']);
export const HOST_TYPES = new Set(['HostSystem']);
export const COMPUTE_TYPES = new Set(['ComputeResource', 'ClusterComputeResource']);
export const DATASTORE_TYPES = new Set(['Datastore', 'StoragePod']);
export const NETWORK_TYPES = new Set([
  'Network',
  'DistributedVirtualPortgroup',
  'OpaqueNetwork',
  'DistributedVirtualSwitch',
  'VmwareDistributedVirtualSwitch',
]);

export class Inventory {
  readonly entities: readonly Entity[];
  private readonly byRef = new Map<string, Entity>();
  private readonly byPath = new Map<string, Entity>();
  private readonly childrenByRef = new Map<string, Entity[]>();
  /** VMs by resource pool and vApps by folder: the second inheritance parent, reversed. */
  private readonly secondaryChildrenByRef = new Map<string, Entity[]>();
  readonly root: Entity;

  constructor(entities: readonly Entity[], rootRef: string) {
    this.entities = entities;
    for (const e of entities) {
      this.byRef.set(e.ref, e);
      this.byPath.set(e.path, e);
    }
    for (const e of entities) {
      const p = e.parent ?? e.parentVApp ?? null;
      if (p === null) continue;
      let list = this.childrenByRef.get(p);
      if (!list) this.childrenByRef.set(p, (list = []));
      list.push(e);
      const second =
        e.type === 'VirtualMachine'
          ? e.resourcePool
          : e.type === 'VirtualApp'
            ? e.parentFolder
            : undefined;
      if (second && second !== p) {
        let seconds = this.secondaryChildrenByRef.get(second);
        if (!seconds) this.secondaryChildrenByRef.set(second, (seconds = []));
        seconds.push(e);
      }
    }
    const root = this.byRef.get(rootRef);
    if (!root)
      throw new InputError(
        `the inventory has no root folder (${rootRef} is not among its ${entities.length} entities)`,
      );
    this.root = root;
  }

  get size(): number {
    return this.entities.length;
  }

  get(ref: string): Entity | undefined {
    return this.byRef.get(ref);
  }

  byInventoryPath(path: string): Entity | undefined {
    return this.byPath.get(normalizePath(path));
  }

  children(ref: string): readonly Entity[] {
    return this.childrenByRef.get(ref) ?? [];
  }

  /** All entities below ref (not including it), depth first. */
  descendants(ref: string): Entity[] {
    const out: Entity[] = [];
    const stack = [...this.children(ref)];
    while (stack.length > 0) {
      const e = stack.pop()!;
      out.push(e);
      stack.push(...this.children(e.ref));
    }
    return out;
  }

  /**
   * Every entity a propagating permission on ref can reach: descendants along both
   * inheritance paths (a resource pool reaches its VMs, although their parent is a folder).
   */
  inheritingDescendants(ref: string): Entity[] {
    const seen = new Set<string>([ref]);
    const out: Entity[] = [];
    const stack = [ref];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      for (const e of [...this.children(cur), ...(this.secondaryChildrenByRef.get(cur) ?? [])]) {
        if (seen.has(e.ref)) continue;
        seen.add(e.ref);
        out.push(e);
        stack.push(e.ref);
      }
    }
    return out;
  }

  /** The primary parent (folder chain; vApp for VMs inside a vApp). */
  primaryParent(e: Entity): Entity | undefined {
    const ref = e.parent ?? e.parentVApp ?? null;
    return ref === null ? undefined : this.byRef.get(ref);
  }

  /**
   * Every parent a permission can be inherited from. VMs inherit from their folder and
   * their resource pool; vApps from their parent pool and their folder.
   */
  inheritanceParents(e: Entity): Entity[] {
    const refs = new Set<string>();
    const primary = e.parent ?? e.parentVApp ?? null;
    if (primary !== null) refs.add(primary);
    if (e.type === 'VirtualMachine' && e.resourcePool) refs.add(e.resourcePool);
    if (e.type === 'VirtualApp' && e.parentFolder) refs.add(e.parentFolder);
    return [...refs].map((r) => this.byRef.get(r)).filter((x): x is Entity => x !== undefined);
  }

  /**
   * Objects that cannot carry permissions and always inherit from their parent,
   * whatever the propagate flag: a datacenter's vm/host/datastore/network folders,
   * a compute resource's root resource pool, and the host of a standalone compute resource.
   */
  isForcedInheritance(e: Entity): boolean {
    const parent = this.primaryParent(e);
    if (!parent) return false;
    if (e.type === 'Folder' && parent.type === 'Datacenter') return true;
    if (e.type === 'ResourcePool' && COMPUTE_TYPES.has(parent.type)) return true;
    if (e.type === 'HostSystem' && parent.type === 'ComputeResource') return true;
    return false;
  }

  /** The nearest object up the primary chain that can carry permissions itself. */
  permissionCarrier(e: Entity): Entity {
    let cur = e;
    while (this.isForcedInheritance(cur)) cur = this.primaryParent(cur)!;
    return cur;
  }

  /** Nearest ancestor (or self) of the given type, following the primary chain. */
  ancestorOfType(e: Entity, type: string): Entity | undefined {
    let cur: Entity | undefined = e;
    while (cur && cur.type !== type) cur = this.primaryParent(cur);
    return cur;
  }

  ofType(...types: string[]): Entity[] {
    const set = new Set(types);
    return this.entities.filter((e) => set.has(e.type));
  }
}
