/**
 * `drperm tenant init`: a tenant file derived from where the tenant's VMs run. The guide's
 * object table (README "Onboarding a tenant") needs, besides the VMs and management servers,
 * the shared objects they use: their datacenter, the hosts and clusters they run on, the
 * datastores (or datastore clusters) and networks they use. Those are read from each VM's
 * runtime.host, datastore and network properties, and every entry of the file says why it is
 * there. Pure: inventory in, policy text out.
 */
import { stringify } from 'yaml';
import { COMPUTE_TYPES, type Inventory } from '../model/inventory';
import { normalizePrincipal } from '../model/principal';
import type { Entity } from '../model/snapshot';
import { entityAt } from '../model/inventory-query';
import { InputError } from '../util/errors';
import { escapeControl, firstControl } from '../util/escape';
import { TenantPolicySchema, type TenantMode, type TenantPolicy } from './schemas';

export interface TenantInitInput {
  name: string;
  principal: string;
  group?: boolean;
  vmFolder: string;
  pool?: string;
  managementServers?: readonly string[];
  mode?: TenantMode;
  /** Where the inventory came from (a vCenter URL or a snapshot file), for the header. */
  source?: string;
}

/** One list entry and why it is in the file. */
export interface DerivedEntry {
  path: string;
  why: string;
}

export interface TenantInit {
  name: string;
  mode: TenantMode;
  principal: string;
  group: boolean;
  source?: string;
  datacenters: DerivedEntry[];
  hosts: DerivedEntry[];
  datastores: DerivedEntry[];
  networks: DerivedEntry[];
  managementServers: DerivedEntry[];
  folders: DerivedEntry[];
  vmPaths: DerivedEntry[];
  /** Written when no VM exists yet (the shared objects then come from the pool alone). */
  allowEmpty: boolean;
  /** VMs found, for the summary. */
  vmCount: number;
  warnings: string[];
}

const CLUSTER = 'cluster (with each of its hosts)';

/** Collects the VMs that explain one entry, named in its comment. */
class Reasons {
  private readonly byPath = new Map<string, { kind: string; vms: string[]; extra: string[] }>();

  add(path: string, kind: string, vm?: string, extra?: string): void {
    let r = this.byPath.get(path);
    if (!r) this.byPath.set(path, (r = { kind, vms: [], extra: [] }));
    if (vm !== undefined && !r.vms.includes(vm)) r.vms.push(vm);
    if (extra !== undefined && !r.extra.includes(extra)) r.extra.push(extra);
  }

  entries(verb: string): DerivedEntry[] {
    return [...this.byPath.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, r]) => {
        const parts = [...r.extra];
        if (r.vms.length > 0) parts.push(`${verb} ${names([...r.vms].sort())}`);
        return { path, why: `${r.kind}: ${parts.join('; ')}` };
      });
  }
}

function names(list: readonly string[]): string {
  const shown = list.slice(0, 3).join(', ');
  return list.length > 3 ? `${shown} and ${list.length - 3} more` : shown;
}

export function deriveTenant(input: TenantInitInput, inventory: Inventory): TenantInit {
  const warnings: string[] = [];
  const principal = normalizePrincipal(input.principal);
  const control = firstControl(principal);
  if (control) {
    throw new InputError(
      `--account "${escapeControl(principal)}" holds a control character (${control.escaped})`,
    );
  }
  if (!/^[^\\]+\\[^\\]+$/.test(principal)) {
    throw new InputError(
      `--account "${principal}" is not a vCenter principal; write it as DOMAIN\\name (e.g. VSPHERE.LOCAL\\asr-${input.name})`,
    );
  }
  const folder = entityAt(inventory, input.vmFolder, '--vm-folder');
  if (folder.type !== 'Folder') {
    throw new InputError(`--vm-folder ${input.vmFolder} is a ${folder.type}, not a VM folder`);
  }
  const folderVms = inventory.descendants(folder.ref).filter((e) => e.type === 'VirtualMachine');
  const pool = input.pool === undefined ? undefined : entityAt(inventory, input.pool, '--pool');
  if (pool && pool.type !== 'ResourcePool' && pool.type !== 'VirtualApp') {
    throw new InputError(`--pool ${input.pool} is a ${pool.type}, not a resource pool or vApp`);
  }
  const managementServers = (input.managementServers ?? []).map((p) => {
    const ms = entityAt(inventory, p, '--management-server');
    if (ms.type !== 'VirtualMachine')
      throw new InputError(`--management-server ${p} is a ${ms.type}, not a virtual machine`);
    return ms;
  });

  const inFolder = new Set(folderVms.map((v) => v.ref));
  const poolVms = pool ? vmsInPool(inventory, pool).filter((v) => !inFolder.has(v.ref)) : [];
  const placed = unique([...folderVms, ...poolVms, ...managementServers]);
  if (placed.length === 0 && !pool) {
    throw new InputError(
      `--vm-folder ${folder.path} holds no VMs, so nothing tells where the tenant runs; give --pool (the tenant's resource pool), or --management-server`,
    );
  }

  const datacenters = new Reasons();
  const hosts = new Reasons();
  const datastores = new Reasons();
  const networks = new Reasons();
  const dcOfFolder = inventory.ancestorOfType(folder, 'Datacenter');
  if (dcOfFolder) datacenters.add(dcOfFolder.path, 'datacenter', undefined, `holds ${folder.path}`);

  if (pool) {
    const compute = ancestorIn(inventory, pool, COMPUTE_TYPES);
    if (compute) {
      hosts.add(
        compute.path,
        compute.type === 'ClusterComputeResource' ? CLUSTER : 'standalone host',
        undefined,
        `holds the tenant's resource pool ${pool.path}`,
      );
      const dc = inventory.ancestorOfType(compute, 'Datacenter');
      if (dc) datacenters.add(dc.path, 'datacenter', undefined, `holds ${pool.path}`);
    }
  }

  let unplaced = 0;
  for (const vm of placed) {
    const dc = inventory.ancestorOfType(vm, 'Datacenter');
    if (dc) datacenters.add(dc.path, 'datacenter', vm.name);
    if (vm.host === undefined && vm.datastores === undefined && vm.networks === undefined) {
      unplaced++;
      continue;
    }
    const host = vm.host ? inventory.get(vm.host) : undefined;
    const compute = host ? inventory.primaryParent(host) : undefined;
    if (host && compute?.type === 'ClusterComputeResource') {
      hosts.add(compute.path, CLUSTER, vm.name);
    } else if (host && compute?.type === 'ComputeResource') {
      hosts.add(compute.path, 'standalone host', vm.name);
    } else if (host) {
      hosts.add(host.path, 'host', vm.name);
    }
    for (const ref of vm.datastores ?? []) {
      const ds = inventory.get(ref);
      if (!ds) continue;
      const parent = inventory.primaryParent(ds);
      if (parent?.type === 'StoragePod') {
        datastores.add(
          parent.path,
          'datastore cluster (with each member datastore)',
          vm.name,
          `member ${ds.name}`,
        );
      } else {
        datastores.add(ds.path, 'datastore', vm.name);
      }
    }
    for (const ref of vm.networks ?? []) {
      const net = inventory.get(ref);
      if (net) networks.add(net.path, 'network', vm.name);
    }
  }
  if (unplaced > 0) {
    warnings.push(
      `${unplaced} VM(s) have no placement data (runtime.host, datastore, network): the inventory comes from an older snapshot; collect again for a complete file`,
    );
  }

  const msEntries = managementServers.map((ms) => ({
    path: ms.path,
    why: `management server (configuration, process or master target server), given with --management-server`,
  }));
  const folderEntry = {
    path: folder.path,
    why:
      folderVms.length > 0
        ? `the tenant's VM folder: its ${folderVms.length} VM(s) and every VM added to it or its subfolders later`
        : `the tenant's VM folder (no VMs yet): every VM added to it or its subfolders`,
  };
  const vmPaths = poolVms.map((vm) => ({
    path: vm.path,
    why: `runs in the tenant's resource pool ${pool!.path} but is outside ${folder.path}`,
  }));

  const result: TenantInit = {
    name: input.name,
    mode: input.mode ?? 'failback',
    principal,
    group: input.group === true,
    ...(input.source === undefined ? {} : { source: input.source }),
    datacenters: datacenters.entries('VMs running there:'),
    hosts: hosts.entries('runs'),
    datastores: datastores.entries('used by'),
    networks: networks.entries('used by'),
    managementServers: msEntries,
    folders: [folderEntry],
    vmPaths,
    allowEmpty: folderVms.length + poolVms.length === 0,
    vmCount: folderVms.length + poolVms.length,
    warnings,
  };
  // The file must load as written: validate it with the schema tenant files are read with.
  TenantPolicySchema.parse(toPolicy(result));
  return result;
}

/** The policy the file describes (what loading it gives). */
export function toPolicy(init: TenantInit): TenantPolicy {
  const paths = (list: readonly DerivedEntry[]) => list.map((e) => e.path);
  return {
    tenant: init.name,
    mode: init.mode,
    account: { principal: init.principal, group: init.group },
    vcenterReadOnly: true,
    ...(init.allowEmpty ? { allowEmpty: true } : {}),
    objects: {
      datacenters: paths(init.datacenters),
      hosts: paths(init.hosts),
      datastores: paths(init.datastores),
      networks: paths(init.networks),
      managementServers: paths(init.managementServers),
      vms: { folders: paths(init.folders), names: [], paths: paths(init.vmPaths) },
    },
  };
}

/** The tenant file: YAML with one comment per entry saying why it is there. */
export function renderTenantYaml(init: TenantInit): string {
  const lines: string[] = [
    `# Tenant ${init.name}, written by drperm tenant init${init.source ? ` from ${comment(init.source)}` : ''}.`,
    "# Shared objects come from where the tenant's VMs run; review, then: drperm tenant plan --tenant DIR/",
    `tenant: ${scalar(init.name)}`,
    `mode: ${init.mode} # ${init.mode === 'failback' ? 'the Azure_Site_Recovery role' : 'Read-only: replication and failover, no failback'}`,
    'account:',
    `  principal: ${scalar(init.principal)}`,
    `  group: ${String(init.group)}`,
    'vcenterReadOnly: true # Read-only on the vCenter root folder, not propagated',
  ];
  if (init.allowEmpty)
    lines.push('allowEmpty: true # no VMs yet: the VM selectors may match nothing for now');
  lines.push('objects: # every grant is made without propagation');
  const list = (indent: string, key: string, entries: readonly DerivedEntry[]) => {
    if (entries.length === 0) {
      lines.push(`${indent}${key}: []`);
      return;
    }
    lines.push(`${indent}${key}:`);
    for (const e of entries) lines.push(`${indent}  - ${scalar(e.path)} # ${comment(e.why)}`);
  };
  list('  ', 'datacenters', init.datacenters);
  list('  ', 'hosts', init.hosts);
  list('  ', 'datastores', init.datastores);
  list('  ', 'networks', init.networks);
  list('  ', 'managementServers', init.managementServers);
  lines.push('  vms:');
  list('    ', 'folders', init.folders);
  list('    ', 'paths', init.vmPaths);
  return lines.join('\n') + '\n';
}

/** A YAML scalar on one line, quoted when YAML needs it. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** Comment text: a newline in a VM name must not end the comment and start YAML. */
function comment(text: string): string {
  return escapeControl(text);
}

function unique(list: readonly Entity[]): Entity[] {
  return [...new Map(list.map((e) => [e.ref, e])).values()];
}

function ancestorIn(
  inventory: Inventory,
  e: Entity,
  types: ReadonlySet<string>,
): Entity | undefined {
  let cur = inventory.primaryParent(e);
  while (cur && !types.has(cur.type)) cur = inventory.primaryParent(cur);
  return cur;
}

/** VMs whose resource pool is `pool` or one of the pools and vApps below it. */
function vmsInPool(inventory: Inventory, pool: Entity): Entity[] {
  const pools = new Set([pool.ref]);
  for (const d of inventory.descendants(pool.ref))
    if (d.type === 'ResourcePool' || d.type === 'VirtualApp') pools.add(d.ref);
  return inventory
    .ofType('VirtualMachine')
    .filter(
      (vm) =>
        (typeof vm.resourcePool === 'string' && pools.has(vm.resourcePool)) ||
        (typeof vm.parentVApp === 'string' && pools.has(vm.parentVApp)),
    );
}
