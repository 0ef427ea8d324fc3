/**
 * Resolves a tenant policy against an inventory: which objects must carry the
 * tenant account's permission (README "Onboarding a tenant") and which VMs the tenant
 * owns. Pure: the plan engine and the audit both start from this, so they agree
 * on what a policy means.
 */
import type { Entity } from '../model/snapshot';
import {
  type Inventory,
  COMPUTE_TYPES,
  DATASTORE_TYPES,
  NETWORK_TYPES,
  HOST_TYPES,
} from '../model/inventory';
import { normalizePath } from '../model/paths';
import { principalKey } from '../model/principal';
import { globToRegExp } from '../util/glob';
import { nearest } from '../util/suggest';
import type { TenantPolicy } from './schemas';

export type GrantKind =
  | 'vcenter'
  | 'datacenter'
  | 'cluster'
  | 'host'
  | 'datastoreCluster'
  | 'datastore'
  | 'network'
  | 'managementServer'
  | 'vm';

/** The shared objects of the guide's table: every kind but the tenant's VMs and management servers. */
export const SHARED_GRANT_KINDS: ReadonlySet<GrantKind> = new Set<GrantKind>([
  'vcenter',
  'datacenter',
  'cluster',
  'host',
  'datastoreCluster',
  'datastore',
  'network',
]);

export interface TenantGrant {
  entity: Entity;
  kind: GrantKind;
  roleName: string;
  /** Policy field that named it, e.g. `objects.hosts[0]`. */
  source: string;
}

export interface ResolvedTenant {
  policy: TenantPolicy;
  file?: string;
  principal: string;
  group: boolean;
  /** Role on every object except the vCenter root (which gets Read-only). */
  roleName: string;
  /** Every object that must carry the account's permission, always with propagate = false. */
  grants: TenantGrant[];
  /** Tenant VMs and management servers. */
  ownedVms: Entity[];
  /** Objects that always inherit and are therefore not set directly, and similar remarks. */
  notes: string[];
  /** Paths resolving to nothing or to the wrong kind of object. */
  problems: Array<{ field: string; message: string }>;
}

export interface TenantConflict {
  kind: 'vm-claimed-twice' | 'shared-account';
  message: string;
  tenants: string[];
  entity?: Entity;
}

/** The built-in Read-only role's name in vCenter's roleList (id -2). */
export const READ_ONLY_ROLE = 'ReadOnly';
export const DEFAULT_FAILBACK_ROLE = 'Azure_Site_Recovery';

export function tenantRoleName(policy: TenantPolicy): string {
  return policy.mode === 'failover-only' ? READ_ONLY_ROLE : (policy.role ?? DEFAULT_FAILBACK_ROLE);
}

const MAX_SUGGESTED_PROBLEMS = 20;
const DATACENTER_TYPES = new Set(['Datacenter']);
const VM_TYPES = new Set(['VirtualMachine']);
const FOLDER_TYPES = new Set(['Folder']);

const KIND_LABEL: Record<string, string> = {
  Datacenter: 'a datacenter',
  host: 'a cluster, a standalone host or a host',
  datastore: 'a datastore or a datastore cluster',
  network: 'a network or a port group',
  VirtualMachine: 'a virtual machine',
  Folder: 'a folder',
};

class TenantResolver {
  private readonly grants = new Map<string, TenantGrant>();
  private readonly owned = new Map<string, Entity>();
  readonly notes: string[] = [];
  readonly problems: Array<{ field: string; message: string }> = [];

  constructor(
    private readonly inventory: Inventory,
    private readonly roleName: string,
  ) {}

  result(policy: TenantPolicy, file: string | undefined): ResolvedTenant {
    this.noteForcedChildren();
    return {
      policy,
      ...(file === undefined ? {} : { file }),
      principal: policy.account.principal,
      group: policy.account.group,
      roleName: this.roleName,
      grants: [...this.grants.values()],
      ownedVms: [...this.owned.values()],
      notes: this.notes,
      problems: this.problems,
    };
  }

  grant(entity: Entity, kind: GrantKind, source: string, roleName = this.roleName): void {
    if (this.inventory.isForcedInheritance(entity)) {
      const carrier = this.inventory.permissionCarrier(entity);
      this.notes.push(
        `${entity.path} always inherits its permissions from ${carrier.path}; the grant is set there (${source})`,
      );
      entity = carrier;
    }
    if (!this.grants.has(entity.ref))
      this.grants.set(entity.ref, { entity, kind, roleName, source });
  }

  /**
   * Seed 001's table names the datacenter and the cluster; their vm/host/datastore/network
   * folders, root resource pool and standalone host cannot carry permissions and take the
   * parent's grant as their own. The plan says so instead of trying to set them.
   */
  private noteForcedChildren(): void {
    for (const { entity } of this.grants.values()) {
      const inheriting = this.inventory
        .children(entity.ref)
        .filter((c) => this.inventory.isForcedInheritance(c));
      if (inheriting.length === 0) continue;
      this.notes.push(
        `${inheriting.map((c) => c.path).join(', ')} always inherit${inheriting.length === 1 ? 's' : ''} the permission on ${entity.path} and ${inheriting.length === 1 ? 'is' : 'are'} not set directly`,
      );
    }
  }

  /**
   * Nearest names for the first problems only: a file with thousands of wrong paths is
   * refused in seconds, and nobody reads the thousandth suggestion.
   */
  suggest(input: string, candidates: readonly string[]): string[] {
    return this.problems.length < MAX_SUGGESTED_PROBLEMS ? nearest(input, candidates, 3) : [];
  }

  /** A selector that matches no VM: refused unless the policy says allowEmpty. */
  empty(field: string, message: string, near: readonly string[]): void {
    this.problems.push({
      field,
      message: `${message}${near.length > 0 ? `; nearest: ${near.join(', ')}` : ''} (write allowEmpty: true if the tenant has no VMs yet)`,
    });
  }

  own(vm: Entity): void {
    this.owned.set(vm.ref, vm);
  }

  /** Finds `path`; records a problem (with the nearest paths of the wanted kind) when absent or of another type. */
  lookup(path: string, field: string, types: Set<string>, kindLabel: string): Entity | undefined {
    const entity = this.inventory.byInventoryPath(path);
    if (!entity) {
      const candidates = this.inventory.entities
        .filter((e) => types.has(e.type))
        .map((e) => e.path);
      const near = this.suggest(normalizePath(path), candidates);
      this.problems.push({
        field,
        message: `${path} does not exist in the inventory${near.length > 0 ? `; nearest: ${near.join(', ')}` : ''}`,
      });
      return undefined;
    }
    if (!types.has(entity.type)) {
      this.problems.push({
        field,
        message: `${path} is a ${entity.type}, expected ${kindLabel}`,
      });
      return undefined;
    }
    return entity;
  }
}

export function resolveTenant(
  policy: TenantPolicy,
  inventory: Inventory,
  file?: string,
): ResolvedTenant {
  const roleName = tenantRoleName(policy);
  const r = new TenantResolver(inventory, roleName);
  const o = policy.objects;

  if (policy.vcenterReadOnly) r.grant(inventory.root, 'vcenter', 'vcenterReadOnly', READ_ONLY_ROLE);

  o.datacenters.forEach((path, i) => {
    const e = r.lookup(path, `objects.datacenters[${i}]`, DATACENTER_TYPES, KIND_LABEL.Datacenter!);
    if (e) r.grant(e, 'datacenter', `objects.datacenters[${i}]`);
  });

  const hostTypes = new Set([...COMPUTE_TYPES, ...HOST_TYPES]);
  o.hosts.forEach((path, i) => {
    const field = `objects.hosts[${i}]`;
    const e = r.lookup(path, field, hostTypes, KIND_LABEL.host!);
    if (!e) return;
    if (e.type === 'ClusterComputeResource') {
      // A cluster means the cluster and each of its hosts (ASR asks for the permission on both).
      r.grant(e, 'cluster', field);
      for (const h of inventory.children(e.ref))
        if (HOST_TYPES.has(h.type)) r.grant(h, 'host', field);
    } else {
      // A standalone host's permissions live on its ComputeResource (the host always inherits).
      r.grant(e, 'host', field);
    }
  });

  o.datastores.forEach((path, i) => {
    const field = `objects.datastores[${i}]`;
    const e = r.lookup(path, field, DATASTORE_TYPES, KIND_LABEL.datastore!);
    if (!e) return;
    if (e.type === 'StoragePod') {
      r.grant(e, 'datastoreCluster', field);
      for (const d of inventory.children(e.ref))
        if (d.type === 'Datastore') r.grant(d, 'datastore', field);
    } else {
      r.grant(e, 'datastore', field);
    }
  });

  o.networks.forEach((path, i) => {
    const field = `objects.networks[${i}]`;
    const e = r.lookup(path, field, NETWORK_TYPES, KIND_LABEL.network!);
    if (e) r.grant(e, 'network', field);
  });

  o.managementServers.forEach((path, i) => {
    const field = `objects.managementServers[${i}]`;
    const e = r.lookup(path, field, VM_TYPES, KIND_LABEL.VirtualMachine!);
    if (!e) return;
    r.grant(e, 'managementServer', field);
    r.own(e);
  });

  o.vms.folders.forEach((path, i) => {
    const field = `objects.vms.folders[${i}]`;
    const folder = r.lookup(path, field, FOLDER_TYPES, KIND_LABEL.Folder!);
    if (!folder) return;
    // Subfolders included; the folder itself gets no grant (that would be a propagating risk or useless).
    let found = 0;
    for (const vm of inventory.descendants(folder.ref)) {
      if (vm.type === 'VirtualMachine') {
        r.grant(vm, 'vm', field);
        r.own(vm);
        found++;
      }
    }
    if (found === 0 && policy.allowEmpty !== true) {
      const withVms = new Set(
        inventory
          .ofType('VirtualMachine')
          .map((vm) => inventory.primaryParent(vm))
          .filter((f): f is Entity => f?.type === 'Folder')
          .map((f) => f.path),
      );
      r.empty(field, `${folder.path} holds no VMs`, r.suggest(folder.path, [...withVms]));
    }
  });

  if (o.vms.names.length > 0) {
    resolveNameGlobs(
      r,
      o.vms.names,
      inventory.ofType('VirtualMachine'),
      policy.allowEmpty === true,
    );
  }

  o.vms.paths.forEach((path, i) => {
    const field = `objects.vms.paths[${i}]`;
    const vm = r.lookup(path, field, VM_TYPES, KIND_LABEL.VirtualMachine!);
    if (!vm) return;
    r.grant(vm, 'vm', field);
    r.own(vm);
  });

  return r.result(policy, file);
}

/**
 * VMs matched by name globs. Globs without a wildcard are looked up by name; only the others
 * are tested against every VM (the schema bounds how many there are).
 */
function resolveNameGlobs(
  r: TenantResolver,
  globs: readonly string[],
  vms: readonly Entity[],
  allowEmpty: boolean,
): void {
  const literal = new Map<string, number>();
  const patterns: Array<{ re: RegExp; index: number }> = [];
  globs.forEach((g, i) => {
    if (/[*?]/.test(g)) patterns.push({ re: globToRegExp(g), index: i });
    else if (!literal.has(g)) literal.set(g, i);
  });
  const matched = new Set<number>();
  for (const vm of vms) {
    const lit = literal.get(vm.name);
    const index = lit ?? patterns.find((p) => p.re.test(vm.name))?.index;
    if (index === undefined) continue;
    matched.add(index);
    r.grant(vm, 'vm', `objects.vms.names[${index}]`);
    r.own(vm);
  }
  if (allowEmpty) return;
  const names = vms.map((v) => v.name);
  globs.forEach((g, i) => {
    if (matched.has(i)) return;
    // A VM matched by an earlier glob counts as matched by this one too.
    const re = globToRegExp(g);
    if (vms.some((vm) => re.test(vm.name))) return;
    r.empty(`objects.vms.names[${i}]`, `"${g}" matches no VM`, r.suggest(g, names));
  });
}

/** Conflicts across tenants that make any plan unsafe: a VM owned twice, an account shared. */
export function findTenantConflicts(tenants: readonly ResolvedTenant[]): TenantConflict[] {
  const conflicts: TenantConflict[] = [];

  const byAccount = new Map<string, ResolvedTenant[]>();
  for (const t of tenants) {
    const key = principalKey({ name: t.principal, group: t.group });
    byAccount.set(key, [...(byAccount.get(key) ?? []), t]);
  }
  for (const group of byAccount.values()) {
    if (group.length < 2) continue;
    const names = group.map((t) => t.policy.tenant);
    conflicts.push({
      kind: 'shared-account',
      tenants: names,
      message: `tenants ${names.join(' and ')} share the account ${group[0]!.principal}; each tenant needs its own vCenter account`,
    });
  }

  const owners = new Map<string, { vm: Entity; tenants: string[] }>();
  for (const t of tenants) {
    for (const vm of t.ownedVms) {
      const entry = owners.get(vm.ref) ?? { vm, tenants: [] };
      entry.tenants.push(t.policy.tenant);
      owners.set(vm.ref, entry);
    }
  }
  for (const { vm, tenants: names } of owners.values()) {
    if (names.length < 2) continue;
    conflicts.push({
      kind: 'vm-claimed-twice',
      tenants: names,
      entity: vm,
      message: `VM ${vm.path} is claimed by the selectors of tenants ${names.join(' and ')}`,
    });
  }
  return conflicts;
}
