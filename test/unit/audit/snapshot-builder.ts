/** Builds small, valid snapshots by hand for the audit's unit tests. */
import { joinPath } from '../../../src/model/paths';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  type Entity,
  type Permission,
  type Role,
  type Snapshot,
} from '../../../src/model/snapshot';

export const READ_ONLY = ['System.Anonymous', 'System.Read', 'System.View'];
export const ROLE = { NoAccess: -5, Anonymous: -4, View: -3, ReadOnly: -2, Admin: -1 } as const;

export interface Datacenter {
  dc: Entity;
  vmFolder: Entity;
  hostFolder: Entity;
  datastoreFolder: Entity;
  networkFolder: Entity;
}

export class SnapshotBuilder {
  readonly entities: Entity[] = [];
  readonly permissions: Permission[] = [];
  readonly roles: Role[] = [
    { id: ROLE.NoAccess, name: 'NoAccess', system: true, privileges: [] },
    { id: ROLE.Anonymous, name: 'Anonymous', system: true, privileges: ['System.Anonymous'] },
    { id: ROLE.View, name: 'View', system: true, privileges: ['System.Anonymous', 'System.View'] },
    { id: ROLE.ReadOnly, name: 'ReadOnly', system: true, privileges: [...READ_ONLY] },
    { id: ROLE.Admin, name: 'Admin', system: true, privileges: [...READ_ONLY, 'Global.Settings'] },
  ];
  readonly root: Entity;
  private next = 1;
  private nextRole = 10;

  constructor() {
    this.root = this.add('Folder', 'Datacenters', null, { path: '/' });
  }

  private add(
    type: string,
    name: string,
    parent: Entity | null,
    extra: Partial<Entity> = {},
  ): Entity {
    const e: Entity = {
      ref: `${type.toLowerCase()}-${this.next++}`,
      type,
      name,
      parent: parent?.ref ?? null,
      path: parent ? joinPath(parent.path, name) : '/',
      ...extra,
    };
    this.entities.push(e);
    return e;
  }

  datacenter(name: string): Datacenter {
    const dc = this.add('Datacenter', name, this.root);
    return {
      dc,
      vmFolder: this.add('Folder', 'vm', dc),
      hostFolder: this.add('Folder', 'host', dc),
      datastoreFolder: this.add('Folder', 'datastore', dc),
      networkFolder: this.add('Folder', 'network', dc),
    };
  }

  folder(parent: Entity, name: string): Entity {
    return this.add('Folder', name, parent);
  }

  cluster(dc: Datacenter, name: string): { cluster: Entity; rootPool: Entity } {
    const cluster = this.add('ClusterComputeResource', name, dc.hostFolder);
    return { cluster, rootPool: this.add('ResourcePool', 'Resources', cluster) };
  }

  /** A standalone host: a ComputeResource with its root pool and its one host. */
  standaloneHost(
    dc: Datacenter,
    name: string,
  ): { compute: Entity; rootPool: Entity; host: Entity } {
    const compute = this.add('ComputeResource', name, dc.hostFolder);
    return {
      compute,
      rootPool: this.add('ResourcePool', 'Resources', compute),
      host: this.add('HostSystem', name, compute),
    };
  }

  host(parent: Entity, name: string): Entity {
    return this.add('HostSystem', name, parent);
  }

  pool(parent: Entity, name: string): Entity {
    return this.add('ResourcePool', name, parent);
  }

  datastore(dc: Datacenter, name: string): Entity {
    return this.add('Datastore', name, dc.datastoreFolder);
  }

  network(dc: Datacenter, name: string): Entity {
    return this.add('Network', name, dc.networkFolder);
  }

  vm(folder: Entity, pool: Entity, name: string): Entity {
    return this.add('VirtualMachine', name, folder, { resourcePool: pool.ref });
  }

  /** A vApp: its parent is a resource pool, its second inheritance parent a VM folder. */
  vApp(folder: Entity, pool: Entity, name: string): Entity {
    return this.add('VirtualApp', name, pool, { parentFolder: folder.ref });
  }

  /** A VM inside a vApp: no folder parent; the vApp is both its parent and its pool. */
  vmInVApp(vApp: Entity, name: string): Entity {
    const vm = this.add('VirtualMachine', name, vApp, {
      parentVApp: vApp.ref,
      resourcePool: vApp.ref,
    });
    vm.parent = null;
    return vm;
  }

  role(name: string, privileges: string[]): number {
    const id = this.nextRole++;
    this.roles.push({ id, name, system: false, privileges: [...READ_ONLY, ...privileges] });
    return id;
  }

  permit(
    entity: Entity,
    principal: string,
    roleId: number,
    options: { group?: boolean; propagate?: boolean } = {},
  ): Permission {
    const p: Permission = {
      entity: entity.ref,
      principal,
      group: options.group ?? false,
      roleId,
      propagate: options.propagate ?? false,
    };
    this.permissions.push(p);
    return p;
  }

  build(): Snapshot {
    return {
      format: SNAPSHOT_FORMAT,
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      tool: { name: 'drperm', version: '0.0.0-test' },
      collectedAt: '2025-01-02T03:04:05.000Z',
      source: { url: 'https://vcenter.test/sdk', username: 'auditor@vsphere.local' },
      vcenter: {
        name: 'VMware vCenter Server',
        fullName: 'VMware vCenter Server 8.0.0 build-1',
        instanceUuid: '00000000-0000-0000-0000-000000000001',
        apiType: 'VirtualCenter',
        apiVersion: '8.0.0.0',
        version: '8.0.0',
        build: '1',
      },
      rootFolder: this.root.ref,
      privilegeSource: 'privilegeList',
      privileges: [],
      roles: this.roles,
      permissions: this.permissions,
      entities: this.entities,
      warnings: [],
    };
  }
}
