/**
 * How every layer refers to a managed entity. A managed object id (moref, e.g. `vm-42`) is
 * unique only within one vCenter, so a reference carries the vCenter's instance UUID
 * (ServiceContent.about.instanceUuid) too: entities of a second vCenter in the same run stay
 * apart. A snapshot holds one vCenter, so its entities store only their moref (`ref`) and
 * take the vCenter from `snapshot.vcenter.instanceUuid`.
 */
import type { Entity } from './snapshot';

export interface EntityId {
  /** Instance UUID of the vCenter the entity belongs to. */
  vcenter: string;
  /** Managed object id: opaque (may contain `/` or `@`). */
  moref: string;
}

/** An entity reference as reports and plans show it: its id, vSphere type and inventory path. */
export interface EntityRef extends EntityId {
  type: string;
  path: string;
}

/** One string per entity across vCenters, for maps and sets. */
export function entityKey(id: EntityId): string {
  return `${id.vcenter}/${id.moref}`;
}

export function entityRef(vcenter: string, e: Pick<Entity, 'ref' | 'type' | 'path'>): EntityRef {
  return { vcenter, moref: e.ref, type: e.type, path: e.path };
}
