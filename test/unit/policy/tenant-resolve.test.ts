import { Inventory } from '../../../src/model/inventory';
import { joinPath } from '../../../src/model/paths';
import type { Entity } from '../../../src/model/snapshot';
import { TenantPolicySchema, type TenantPolicy } from '../../../src/policy/schemas';
import { findTenantConflicts, resolveTenant } from '../../../src/policy/tenant-resolve';

/** A small inventory shaped like the lab: one datacenter, a cluster, a datastore cluster, two tenant folders. */
function labInventory(): Inventory {
  const entities: Entity[] = [];
  const byRef = new Map<string, Entity>();
  const add = (
    ref: string,
    type: string,
    name: string,
    parent: string | null,
    extra: Partial<Entity> = {},
  ) => {
    const p = parent === null ? undefined : byRef.get(parent);
    const e: Entity = { ref, type, name, parent, path: p ? joinPath(p.path, name) : '/', ...extra };
    entities.push(e);
    byRef.set(ref, e);
    return e;
  };
  add('group-d1', 'Folder', 'Datacenters', null);
  add('dc-1', 'Datacenter', 'DC0', 'group-d1');
  add('group-v1', 'Folder', 'vm', 'dc-1');
  add('group-h1', 'Folder', 'host', 'dc-1');
  add('group-s1', 'Folder', 'datastore', 'dc-1');
  add('group-n1', 'Folder', 'network', 'dc-1');
  add('domain-c1', 'ClusterComputeResource', 'DC0_C0', 'group-h1');
  add('host-1', 'HostSystem', 'DC0_C0_H0', 'domain-c1');
  add('host-2', 'HostSystem', 'DC0_C0_H1', 'domain-c1');
  add('resgroup-1', 'ResourcePool', 'Resources', 'domain-c1');
  add('resgroup-2', 'ResourcePool', 'contoso-rp', 'resgroup-1');
  add('domain-s1', 'ComputeResource', 'DC0_H0', 'group-h1');
  add('host-3', 'HostSystem', 'DC0_H0', 'domain-s1');
  add('pod-1', 'StoragePod', 'StoragePod0', 'group-s1');
  add('/tmp/ds@a', 'Datastore', 'LocalDS_0', 'pod-1');
  add('/tmp/ds@b', 'Datastore', 'LocalDS_1', 'pod-1');
  add('/tmp/ds@c', 'Datastore', 'LocalDS_2', 'group-s1');
  add('dvportgroup-1', 'DistributedVirtualPortgroup', 'DC0_DVPG0', 'group-n1');
  add('group-v2', 'Folder', 'contoso', 'group-v1');
  add('group-v3', 'Folder', 'fabrikam', 'group-v1');
  add('group-v4', 'Folder', 'archive', 'group-v2');
  add('vm-1', 'VirtualMachine', 'contoso-app01', 'group-v2', { resourcePool: 'resgroup-2' });
  add('vm-2', 'VirtualMachine', 'contoso-cs01', 'group-v2', { resourcePool: 'resgroup-2' });
  add('vm-3', 'VirtualMachine', '=contoso&<legacy>', 'group-v4', { resourcePool: 'resgroup-2' });
  add('vm-4', 'VirtualMachine', 'fabrikam-web01', 'group-v3', { resourcePool: 'resgroup-1' });
  add('vm-5', 'VirtualMachine', 'contoso-stray', 'group-v3', { resourcePool: 'resgroup-1' });
  return new Inventory(entities, 'group-d1');
}

function policy(overrides: Record<string, unknown>): TenantPolicy {
  return TenantPolicySchema.parse({
    tenant: 'contoso',
    mode: 'failback',
    account: { principal: 'VSPHERE.LOCAL\\asr-contoso' },
    objects: {},
    ...overrides,
  });
}

describe('resolveTenant', () => {
  const inv = labInventory();

  it('grants Read-only on the vCenter root and the tenant role on every named object', () => {
    const t = resolveTenant(
      policy({
        objects: {
          datacenters: ['/DC0'],
          hosts: ['/DC0/host/DC0_C0'],
          datastores: ['/DC0/datastore/StoragePod0'],
          networks: ['/DC0/network/DC0_DVPG0'],
          managementServers: ['/DC0/vm/contoso/contoso-cs01'],
          vms: { folders: ['/DC0/vm/contoso'] },
        },
      }),
      inv,
    );
    expect(t.problems).toEqual([]);
    const byRef = new Map(t.grants.map((g) => [g.entity.ref, g]));
    expect(byRef.get('group-d1')).toMatchObject({ kind: 'vcenter', roleName: 'ReadOnly' });
    expect(byRef.get('dc-1')).toMatchObject({
      kind: 'datacenter',
      roleName: 'Azure_Site_Recovery',
    });
    // A cluster means the cluster and each of its hosts; a datastore cluster means it and each member.
    expect(['domain-c1', 'host-1', 'host-2'].map((r) => byRef.get(r)?.kind)).toEqual([
      'cluster',
      'host',
      'host',
    ]);
    expect(['pod-1', '/tmp/ds@a', '/tmp/ds@b'].map((r) => byRef.get(r)?.kind)).toEqual([
      'datastoreCluster',
      'datastore',
      'datastore',
    ]);
    expect(byRef.has('/tmp/ds@c')).toBe(false);
    expect(byRef.get('vm-2')?.kind).toBe('managementServer');
    // Folder selectors include subfolders; the folder itself gets no grant.
    expect(t.ownedVms.map((v) => v.ref).sort()).toEqual(['vm-1', 'vm-2', 'vm-3']);
    expect(byRef.has('group-v2')).toBe(false);
  });

  it('uses Read-only everywhere in failover-only mode', () => {
    const t = resolveTenant(
      policy({ mode: 'failover-only', objects: { datacenters: ['/DC0'] } }),
      inv,
    );
    expect(t.roleName).toBe('ReadOnly');
    expect(t.grants.every((g) => g.roleName === 'ReadOnly')).toBe(true);
  });

  it('honours a custom role name (the AVS variant)', () => {
    const t = resolveTenant(
      policy({ role: 'Azure_Site_Recovery_AVS', objects: { datacenters: ['/DC0'] } }),
      inv,
    );
    expect(t.grants.find((g) => g.kind === 'datacenter')?.roleName).toBe('Azure_Site_Recovery_AVS');
  });

  it('omits the vCenter root grant when vcenterReadOnly is false', () => {
    const t = resolveTenant(
      policy({ vcenterReadOnly: false, objects: { datacenters: ['/DC0'] } }),
      inv,
    );
    expect(t.grants.some((g) => g.kind === 'vcenter')).toBe(false);
  });

  it('matches VM name globs across the inventory, case-sensitively, and explicit paths', () => {
    const t = resolveTenant(
      policy({
        objects: {
          vms: { names: ['contoso-*', 'CONTOSO*'], paths: ['/DC0/vm/fabrikam/fabrikam-web01'] },
        },
      }),
      inv,
    );
    expect(t.ownedVms.map((v) => v.name).sort()).toEqual([
      'contoso-app01',
      'contoso-cs01',
      'contoso-stray',
      'fabrikam-web01',
    ]);
  });

  it('moves a grant on an object that always inherits to the object it inherits from, and says so', () => {
    const t = resolveTenant(
      policy({ vcenterReadOnly: false, objects: { hosts: ['/DC0/host/DC0_H0/DC0_H0'] } }),
      inv,
    );
    expect(t.grants.map((g) => g.entity.ref)).toEqual(['domain-s1']);
    expect(t.notes.join('\n')).toMatch(
      /DC0_H0\/DC0_H0 always inherits .* from \/DC0\/host\/DC0_H0/,
    );
  });

  it('reports paths that resolve to nothing, with the nearest paths of the right kind', () => {
    const t = resolveTenant(
      policy({ objects: { datacenters: ['/DC1'], hosts: ['/DC0/host/DC0_C1'] } }),
      inv,
    );
    expect(t.problems).toEqual([
      {
        field: 'objects.datacenters[0]',
        message: expect.stringMatching(/\/DC1 does not exist.*nearest: \/DC0/),
      },
      { field: 'objects.hosts[0]', message: expect.stringMatching(/nearest: \/DC0\/host\/DC0_C0/) },
    ]);
  });

  it('reports paths that resolve to the wrong kind of object', () => {
    const t = resolveTenant(policy({ objects: { datacenters: ['/DC0/vm/contoso'] } }), inv);
    expect(t.problems).toEqual([
      {
        field: 'objects.datacenters[0]',
        message: '/DC0/vm/contoso is a Folder, expected a datacenter',
      },
    ]);
  });
});

describe('findTenantConflicts', () => {
  const inv = labInventory();

  it('finds a VM claimed by two tenants and an account shared by two tenants', () => {
    const contoso = resolveTenant(policy({ objects: { vms: { names: ['contoso-*'] } } }), inv);
    const fabrikam = resolveTenant(
      policy({
        tenant: 'fabrikam',
        account: { principal: 'asr-contoso@vsphere.local' },
        objects: { vms: { folders: ['/DC0/vm/fabrikam'] } },
      }),
      inv,
    );
    const conflicts = findTenantConflicts([contoso, fabrikam]);
    expect(conflicts.map((c) => c.kind).sort()).toEqual(['shared-account', 'vm-claimed-twice']);
    expect(conflicts.find((c) => c.kind === 'vm-claimed-twice')?.entity?.name).toBe(
      'contoso-stray',
    );
  });

  it('finds nothing for two well-separated tenants', () => {
    const contoso = resolveTenant(
      policy({ objects: { vms: { folders: ['/DC0/vm/contoso'] } } }),
      inv,
    );
    const fabrikam = resolveTenant(
      policy({
        tenant: 'fabrikam',
        account: { principal: 'VSPHERE.LOCAL\\asr-fabrikam' },
        objects: { vms: { folders: ['/DC0/vm/fabrikam'] } },
      }),
      inv,
    );
    expect(findTenantConflicts([contoso, fabrikam])).toEqual([]);
  });
});

describe('resolveTenant notes', () => {
  it('says which objects always inherit the grant of a datacenter or a cluster', () => {
    const t = resolveTenant(
      policy({
        vcenterReadOnly: false,
        objects: { datacenters: ['/DC0'], hosts: ['/DC0/host/DC0_C0'] },
      }),
      labInventory(),
    );
    expect(t.notes).toEqual([
      '/DC0/vm, /DC0/host, /DC0/datastore, /DC0/network always inherit the permission on /DC0 and are not set directly',
      '/DC0/host/DC0_C0/Resources always inherits the permission on /DC0/host/DC0_C0 and is not set directly',
    ]);
  });
});
