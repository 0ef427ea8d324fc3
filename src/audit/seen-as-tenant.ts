/**
 * "Seen as tenant": what a tenant's own vCenter session discovers, compared with its policy.
 * Microsoft's guide ends onboarding with "verify that only the tenant's VMs are displayed in
 * Replicate > Select virtual machines"; this is that check, object by object. Pure: the
 * administrator's inventory, the resolved tenant and the session's discovery in, data out.
 *
 * - a VM of another tenant or of nobody that the session sees: discover-foreign-vm (critical);
 * - a tenant VM or management server it does not see: discover-missing-vm (high), "not
 *   discoverable in the Azure portal";
 * - a shared object of the guide's table (vCenter root, datacenter, hosts and clusters,
 *   datastores and datastore clusters, networks) it does not see: discover-missing-shared (high).
 */
import type { Inventory } from '../model/inventory';
import { COMPUTE_TYPES, DATASTORE_TYPES, HOST_TYPES, NETWORK_TYPES } from '../model/inventory';
import type { Entity } from '../model/snapshot';
import { SHARED_GRANT_KINDS, type GrantKind, type ResolvedTenant } from '../policy/tenant-resolve';
import { finding } from './context';
import { entityRef, type EntityRef } from '../model/entity';
import {
  comparePaths,
  grantingPermissions,
  type AccessModel,
  type ResolvedAccess,
} from './effective-access';
import type { Finding } from './types';

/** What the tenant's session returned (see src/vsphere/discovery.ts). */
export interface SessionDiscovery {
  rootVisible: boolean;
  objects: ReadonlyArray<{
    ref: string;
    type: string;
    name: string;
    parent: string | null;
    resourcePool?: string | null;
    readable: boolean;
  }>;
}

export type SeenKind =
  | 'vm'
  | 'host'
  | 'cluster'
  | 'datastore'
  | 'datastoreCluster'
  | 'network'
  | 'datacenter'
  | 'folder'
  | 'resourcePool'
  | 'other';

export interface SeenObject {
  kind: SeenKind;
  entity: EntityRef;
  /** VMs: the folder and resource pool paths. */
  folder?: string;
  resourcePool?: string;
  /** VMs: tenant owning it by the policies, null when none does. */
  owner?: string | null;
  /** VMs: another tenant's or nobody's. */
  foreign?: boolean;
  /** False when the session may see the object but not read its properties. */
  readable: boolean;
}

export interface SeenAsTenantCounts {
  vms: number;
  ownVms: number;
  foreignVms: number;
  hosts: number;
  clusters: number;
  datastores: number;
  datastoreClusters: number;
  networks: number;
}

export interface SeenAsTenant {
  tenant: string;
  /** Fleet audits: the vCenter (fleet-file name) the tenant's session logged in to. */
  vcenter?: string;
  principal: string;
  /** `exact`: sees its own VMs, management servers and shared objects, and no foreign VM. */
  status: 'exact' | 'differs' | 'not discovered';
  /** Why it was not discovered (group account, login refused, ...); never a password. */
  reason?: string;
  rootVisible: boolean;
  counts: SeenAsTenantCounts;
  /** What the session sees, VMs first, by kind and path (folders and pools left out). */
  objects: SeenObject[];
  /** Tenant VMs and management servers the session does not see. */
  missingVms: EntityRef[];
  /** Shared objects of the guide's table the session does not see. */
  missingShared: Array<{ kind: GrantKind; entity: EntityRef }>;
  findings: Finding[];
}

export interface SeenAsTenantInput {
  /** Instance UUID of the vCenter (every EntityRef carries it). */
  vcenter: string;
  inventory: Inventory;
  tenant: ResolvedTenant;
  /** VM ref -> tenants whose policies own it. */
  owners: ReadonlyMap<string, readonly string[]>;
  discovery: SessionDiscovery;
  /** drperm's computed access of the tenant account, for evidence on foreign VMs. */
  access?: { model: AccessModel; resolved: ReadonlyMap<string, ResolvedAccess> };
}

/**
 * Kinds shown in the per-tenant table, in its order (folders and pools appear as VM columns
 * instead).
 */
const KIND_ORDER: readonly SeenKind[] = [
  'vm',
  'datacenter',
  'cluster',
  'host',
  'datastoreCluster',
  'datastore',
  'network',
];
const SHOWN: ReadonlySet<SeenKind> = new Set(KIND_ORDER);

export function seenKind(type: string): SeenKind {
  if (type === 'VirtualMachine') return 'vm';
  if (HOST_TYPES.has(type)) return 'host';
  if (COMPUTE_TYPES.has(type)) return 'cluster';
  if (type === 'StoragePod') return 'datastoreCluster';
  if (DATASTORE_TYPES.has(type)) return 'datastore';
  if (NETWORK_TYPES.has(type)) return 'network';
  if (type === 'Datacenter') return 'datacenter';
  if (type === 'Folder') return 'folder';
  if (type === 'ResourcePool' || type === 'VirtualApp') return 'resourcePool';
  return 'other';
}

const REMEDIATION_FOREIGN =
  "remove the permission that lets this account see the VM (see the evidence; a propagating grant on a shared folder or pool is the usual cause), then run 'drperm tenant discover' again";
const REMEDIATION_MISSING_VM =
  "give the account the tenant role on the VM without propagation ('drperm tenant apply'), then run 'drperm tenant discover' again";
const REMEDIATION_MISSING_SHARED =
  "grant the account the object of the guide's table without propagation ('drperm tenant apply'); ASR cannot discover or protect VMs without it";

export function seenAsTenant(input: SeenAsTenantInput): SeenAsTenant {
  const { inventory, tenant, owners, discovery } = input;
  const toEntityRef = (e: Pick<Entity, 'ref' | 'type' | 'path'>) => entityRef(input.vcenter, e);
  const name = tenant.policy.tenant;
  const principal = tenant.principal;
  const seen = new Map(discovery.objects.map((o) => [o.ref, o]));
  const pathOf = (ref: string | null | undefined): string | undefined =>
    ref ? inventory.get(ref)?.path : undefined;

  const objects: SeenObject[] = [];
  for (const o of discovery.objects) {
    const kind = seenKind(o.type);
    if (!SHOWN.has(kind)) continue;
    const known = inventory.get(o.ref);
    const entity: EntityRef = known
      ? toEntityRef(known)
      : toEntityRef({ ref: o.ref, type: o.type, path: `(not in the snapshot) ${o.name || o.ref}` });
    const obj: SeenObject = { kind, entity, readable: o.readable };
    if (kind === 'vm') {
      const folder = pathOf(known?.parent ?? o.parent);
      const pool = pathOf(known?.resourcePool ?? o.resourcePool);
      if (folder !== undefined) obj.folder = folder;
      if (pool !== undefined) obj.resourcePool = pool;
      const owning = owners.get(o.ref) ?? [];
      obj.owner = owning.length > 0 ? owning.join(', ') : null;
      obj.foreign = !owning.includes(name);
    }
    objects.push(obj);
  }
  objects.sort(
    (a, b) =>
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
      comparePaths(a.entity.path, b.entity.path),
  );

  const findings: Finding[] = [];
  for (const vm of objects) {
    if (vm.kind !== 'vm' || vm.foreign !== true) continue;
    const whose = vm.owner === null ? "nobody's" : `${vm.owner}'s`;
    const ev = evidenceFor(input, vm.entity.moref);
    findings.push(
      finding('discover-foreign-vm', {
        tenant: name,
        principal,
        entity: vm.entity,
        message: `${principal}'s own session discovers ${whose} VM ${vm.entity.path}: it would be listed in the Azure portal's Replicate > Select virtual machines`,
        evidence: ev.evidence,
        details: ev.details,
        remediation: REMEDIATION_FOREIGN,
      }),
    );
  }

  const missingVms: EntityRef[] = [];
  for (const vm of [...tenant.ownedVms].sort((a, b) => comparePaths(a.path, b.path))) {
    if (seen.has(vm.ref)) continue;
    const ref = toEntityRef(vm);
    missingVms.push(ref);
    findings.push(
      finding('discover-missing-vm', {
        tenant: name,
        principal,
        entity: ref,
        message: `${principal}'s own session does not see ${ref.path}: the VM is not discoverable in the Azure portal`,
        evidence: [],
        remediation: REMEDIATION_MISSING_VM,
      }),
    );
  }

  const missingShared: SeenAsTenant['missingShared'] = [];
  for (const g of tenant.grants) {
    if (!SHARED_GRANT_KINDS.has(g.kind)) continue;
    const visible = g.kind === 'vcenter' ? discovery.rootVisible : seen.has(g.entity.ref);
    if (visible) continue;
    const ref = toEntityRef(g.entity);
    missingShared.push({ kind: g.kind, entity: ref });
    findings.push(
      finding('discover-missing-shared', {
        tenant: name,
        principal,
        entity: ref,
        message: `${principal}'s own session does not see ${ref.path} (${g.kind}, ${g.source}), which the guide's object table gives every tenant account`,
        evidence: [],
        remediation: REMEDIATION_MISSING_SHARED,
      }),
    );
  }

  const counts = countSeen(objects);
  return {
    tenant: name,
    principal,
    status: findings.length === 0 ? 'exact' : 'differs',
    rootVisible: discovery.rootVisible,
    counts,
    objects,
    missingVms,
    missingShared,
    findings,
  };
}

/** The tenant could not be discovered at all (a group account, a refused login, ...). */
export function notDiscovered(tenant: ResolvedTenant, reason: string): SeenAsTenant {
  return {
    tenant: tenant.policy.tenant,
    principal: tenant.principal,
    status: 'not discovered',
    reason,
    rootVisible: false,
    counts: countSeen([]),
    objects: [],
    missingVms: [],
    missingShared: [],
    findings: [],
  };
}

function countSeen(objects: readonly SeenObject[]): SeenAsTenantCounts {
  const n = (kind: SeenKind) => objects.filter((o) => o.kind === kind).length;
  const vms = objects.filter((o) => o.kind === 'vm');
  return {
    vms: vms.length,
    ownVms: vms.filter((v) => v.foreign === false).length,
    foreignVms: vms.filter((v) => v.foreign === true).length,
    hosts: n('host'),
    clusters: n('cluster'),
    datastores: n('datastore'),
    datastoreClusters: n('datastoreCluster'),
    networks: n('network'),
  };
}

function evidenceFor(
  input: SeenAsTenantInput,
  ref: string,
): { evidence: Finding['evidence']; details: string[] } {
  if (!input.access) return { evidence: [], details: [] };
  const access = input.access.resolved.get(ref);
  const granting = access ? grantingPermissions(input.access.model, access) : [];
  if (granting.length > 0) {
    return { evidence: granting.map((p) => input.access!.model.evidence(p)), details: [] };
  }
  return {
    evidence: [],
    details: [
      'drperm computes no access to this VM from the permissions: the server shows the session more than its permissions grant (the plain govmomi simulator shows every session everything)',
    ],
  };
}

/** The VMs the tenant's policies own, by ref: for `owners` outside an audit. */
export function ownersOf(tenants: readonly ResolvedTenant[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const t of tenants) {
    for (const vm of t.ownedVms as Entity[]) {
      const list = owners.get(vm.ref) ?? [];
      if (!list.includes(t.policy.tenant)) list.push(t.policy.tenant);
      owners.set(vm.ref, list);
    }
  }
  return owners;
}
