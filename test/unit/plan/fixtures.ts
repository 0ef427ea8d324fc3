/** A small inventory shaped like the simulator lab, for the tenant plan unit tests. */
import { Inventory } from '../../../src/model/inventory';
import type { Entity, Permission, Role } from '../../../src/model/snapshot';
import { TenantPolicySchema, type TenantPolicy } from '../../../src/policy/schemas';
import { resolveTenant, type ResolvedTenant } from '../../../src/policy/tenant-resolve';

function e(ref: string, type: string, path: string, parent: string | null): Entity {
  const name = path === '/' ? 'Datacenters' : path.slice(path.lastIndexOf('/') + 1);
  return { ref, type, name, parent, path };
}

export function labEntities(): Entity[] {
  return [
    e('group-d1', 'Folder', '/', null),
    e('datacenter-2', 'Datacenter', '/DC0', 'group-d1'),
    e('group-v3', 'Folder', '/DC0/vm', 'datacenter-2'),
    e('group-h4', 'Folder', '/DC0/host', 'datacenter-2'),
    e('group-s5', 'Folder', '/DC0/datastore', 'datacenter-2'),
    e('group-n6', 'Folder', '/DC0/network', 'datacenter-2'),
    e('domain-c7', 'ClusterComputeResource', '/DC0/host/DC0_C0', 'group-h4'),
    e('resgroup-8', 'ResourcePool', '/DC0/host/DC0_C0/Resources', 'domain-c7'),
    e('host-1', 'HostSystem', '/DC0/host/DC0_C0/DC0_C0_H0', 'domain-c7'),
    e('host-2', 'HostSystem', '/DC0/host/DC0_C0/DC0_C0_H1', 'domain-c7'),
    e('host-3', 'HostSystem', '/DC0/host/DC0_C0/DC0_C0_H2', 'domain-c7'),
    e('domain-s9', 'ComputeResource', '/DC0/host/DC0_H0', 'group-h4'),
    e('host-9', 'HostSystem', '/DC0/host/DC0_H0/DC0_H0', 'domain-s9'),
    e('group-p1', 'StoragePod', '/DC0/datastore/StoragePod0', 'group-s5'),
    e(
      '/tmp/govcsim-DC0-LocalDS_0@folder-5',
      'Datastore',
      '/DC0/datastore/StoragePod0/LocalDS_0',
      'group-p1',
    ),
    e('dvportgroup-11', 'DistributedVirtualPortgroup', '/DC0/network/DC0_DVPG0', 'group-n6'),
    e('group-v20', 'Folder', '/DC0/vm/contoso', 'group-v3'),
    e('group-v21', 'Folder', '/DC0/vm/fabrikam', 'group-v3'),
    e('vm-30', 'VirtualMachine', '/DC0/vm/contoso/contoso-app01', 'group-v20'),
    e('vm-31', 'VirtualMachine', '/DC0/vm/contoso/contoso-db01', 'group-v20'),
    e('vm-32', 'VirtualMachine', '/DC0/vm/contoso/=contoso&<legacy>', 'group-v20'),
    e('vm-33', 'VirtualMachine', '/DC0/vm/contoso/contoso-cs01', 'group-v20'),
    e('vm-40', 'VirtualMachine', '/DC0/vm/fabrikam/fabrikam-web01', 'group-v21'),
    e('vm-41', 'VirtualMachine', '/DC0/vm/fabrikam/fabrikam-db01', 'group-v21'),
    e('vm-42', 'VirtualMachine', '/DC0/vm/fabrikam/fabrikam-cs01', 'group-v21'),
  ];
}

export function labInventory(extra: Entity[] = []): Inventory {
  return new Inventory([...labEntities(), ...extra], 'group-d1');
}

export const ROLES: Role[] = [
  { id: -1, name: 'Admin', system: true, privileges: ['System.Read'] },
  {
    id: -2,
    name: 'ReadOnly',
    system: true,
    privileges: ['System.Anonymous', 'System.Read', 'System.View'],
  },
  { id: -5, name: 'NoAccess', system: true, privileges: [] },
  {
    id: 1001,
    name: 'Azure_Site_Recovery',
    system: false,
    privileges: [
      'System.Anonymous',
      'System.Read',
      'System.View',
      'Datastore.Browse',
      'Task.Create',
    ],
  },
];

export function policy(overrides: Record<string, unknown> = {}): TenantPolicy {
  return TenantPolicySchema.parse({
    tenant: 'contoso',
    mode: 'failback',
    account: { principal: 'VSPHERE.LOCAL\\asr-contoso', group: false },
    objects: {
      datacenters: ['/DC0'],
      hosts: ['/DC0/host/DC0_C0'],
      datastores: ['/DC0/datastore/StoragePod0'],
      networks: ['/DC0/network/DC0_DVPG0'],
      managementServers: ['/DC0/vm/contoso/contoso-cs01'],
      vms: { folders: ['/DC0/vm/contoso'] },
    },
    ...overrides,
  });
}

export function fabrikamPolicy(overrides: Record<string, unknown> = {}): TenantPolicy {
  return policy({
    tenant: 'fabrikam',
    account: { principal: 'VSPHERE.LOCAL\\asr-fabrikam', group: false },
    objects: {
      datacenters: ['/DC0'],
      hosts: ['/DC0/host/DC0_C0'],
      datastores: ['/DC0/datastore/StoragePod0'],
      networks: ['/DC0/network/DC0_DVPG0'],
      managementServers: ['/DC0/vm/fabrikam/fabrikam-cs01'],
      vms: { folders: ['/DC0/vm/fabrikam'] },
    },
    ...overrides,
  });
}

export function resolve(p: TenantPolicy, inventory = labInventory()): ResolvedTenant {
  return resolveTenant(p, inventory, `policies/tenants/${p.tenant}.yaml`);
}

export function perm(
  entity: string,
  principal: string,
  roleId: number,
  propagate = false,
  group = false,
): Permission {
  return { entity, principal, group, roleId, propagate };
}
