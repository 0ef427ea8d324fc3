/**
 * `drperm ls`, `drperm find` and `drperm tenant init`: use cases over one inventory (a live
 * collection or a snapshot file). They take the snapshot and the query and return data; the
 * commands render it.
 */
import { Inventory } from '../model/inventory';
import {
  describeObjects,
  findObjects,
  listChildren,
  type FindQuery,
  type ObjectDetail,
} from '../model/inventory-query';
import { normalizePrincipal } from '../model/principal';
import type { Snapshot } from '../model/snapshot';
import {
  deriveTenant,
  renderTenantYaml,
  type TenantInit,
  type TenantInitInput,
} from '../policy/tenant-init';

export interface ListOptions {
  /** -l: permission counts, and with an account its own grant on each object. */
  long?: boolean;
  account?: { principal: string; group: boolean };
}

function details(
  snapshot: Snapshot,
  entities: Parameters<typeof describeObjects>[0],
  options: ListOptions,
): ObjectDetail[] {
  const account = options.account
    ? { principal: normalizePrincipal(options.account.principal), group: options.account.group }
    : undefined;
  return describeObjects(entities, snapshot.permissions, snapshot.roles, account);
}

/** ls: the children of `path` (default the root folder). */
export function listInventory(
  snapshot: Snapshot,
  path: string | undefined,
  options: ListOptions = {},
): ObjectDetail[] {
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  return details(snapshot, listChildren(inventory, path ?? '/'), options);
}

/** find: the objects at and below the path matching the name glob and the kind. */
export function findInventory(
  snapshot: Snapshot,
  query: FindQuery,
  options: ListOptions = {},
): ObjectDetail[] {
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  return details(snapshot, findObjects(inventory, query), options);
}

export interface InitResult {
  init: TenantInit;
  /** The tenant file, as written. */
  text: string;
}

/** tenant init: the tenant file derived from where the tenant's VMs run. */
export function initTenant(snapshot: Snapshot, input: TenantInitInput): InitResult {
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  const init = deriveTenant(input, inventory);
  return { init, text: renderTenantYaml(init) };
}
