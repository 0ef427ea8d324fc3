import { Inventory } from '../../../src/model/inventory';
import type { Entity } from '../../../src/model/snapshot';

const e = (
  ref: string,
  type: string,
  parent: string | null,
  extra: Partial<Entity> = {},
): Entity => ({
  ref,
  type,
  name: ref,
  parent,
  path: `/${ref}`,
  ...extra,
});

// A VM's parent is its folder; its resource pool is the second inheritance parent.
const inventory = new Inventory(
  [
    e('root', 'Folder', null),
    e('dc', 'Datacenter', 'root'),
    e('vmfolder', 'Folder', 'dc'),
    e('hostfolder', 'Folder', 'dc'),
    e('cluster', 'ClusterComputeResource', 'hostfolder'),
    e('rootpool', 'ResourcePool', 'cluster'),
    e('pool-a', 'ResourcePool', 'rootpool'),
    e('pool-a1', 'ResourcePool', 'pool-a'),
    e('folder-a', 'Folder', 'vmfolder'),
    e('vm-1', 'VirtualMachine', 'folder-a', { resourcePool: 'pool-a1' }),
    e('vm-2', 'VirtualMachine', 'folder-a', { resourcePool: 'rootpool' }),
    e('vapp', 'VirtualApp', 'pool-a', { parentFolder: 'folder-a' }),
    e('vm-3', 'VirtualMachine', null, { parentVApp: 'vapp', resourcePool: 'vapp' }),
  ],
  'root',
);

const refs = (list: Entity[]) => list.map((x) => x.ref).sort();

describe('Inventory.inheritingDescendants', () => {
  it('reaches VMs through their resource pool although their parent is a folder', () => {
    expect(refs(inventory.inheritingDescendants('pool-a'))).toEqual([
      'pool-a1',
      'vapp',
      'vm-1',
      'vm-3',
    ]);
    expect(refs(inventory.descendants('pool-a'))).toEqual(['pool-a1', 'vapp', 'vm-3']);
  });

  it('reaches vApps through their folder, and each entity once', () => {
    expect(refs(inventory.inheritingDescendants('folder-a'))).toEqual([
      'vapp',
      'vm-1',
      'vm-2',
      'vm-3',
    ]);
  });

  it('reaches everything below the cluster along both paths', () => {
    expect(refs(inventory.inheritingDescendants('cluster'))).toEqual([
      'pool-a',
      'pool-a1',
      'rootpool',
      'vapp',
      'vm-1',
      'vm-2',
      'vm-3',
    ]);
  });
});

describe('Inventory.inheritanceParents', () => {
  it('gives a VM its folder and its resource pool, and a vApp its pool and its folder', () => {
    expect(refs(inventory.inheritanceParents(inventory.get('vm-1')!))).toEqual([
      'folder-a',
      'pool-a1',
    ]);
    expect(refs(inventory.inheritanceParents(inventory.get('vapp')!))).toEqual([
      'folder-a',
      'pool-a',
    ]);
  });
});
