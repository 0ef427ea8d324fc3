import { withPaths } from '../../../src/vsphere/collect';
import { fromPrivilegeId } from '../../../src/vsphere/roles';

describe('collector paths', () => {
  const raw = [
    { ref: 'group-d1', type: 'Folder', name: 'Datacenters', parent: null },
    { ref: 'dc', type: 'Datacenter', name: 'DC0', parent: 'group-d1' },
    { ref: 'vmf', type: 'Folder', name: 'vm', parent: 'dc' },
    { ref: 'tf', type: 'Folder', name: 'a/b%c', parent: 'vmf' },
    {
      ref: 'vm-1',
      type: 'VirtualMachine',
      name: '=x&<y>',
      parent: 'tf',
      resourcePool: 'rp',
      parentVApp: null,
    },
    { ref: 'vapp', type: 'VirtualApp', name: 'app', parent: 'rp', parentFolder: 'vmf' },
    { ref: 'rp', type: 'ResourcePool', name: 'Resources', parent: 'dc' },
    {
      ref: 'vm-2',
      type: 'VirtualMachine',
      name: 'in-app',
      parent: null,
      resourcePool: null,
      parentVApp: 'vapp',
    },
    { ref: 'lost', type: 'Folder', name: 'lost', parent: 'gone' },
  ];

  it('builds govc paths from the root, escaping / and % in names, through vApps', () => {
    const warnings: string[] = [];
    const byRef = new Map(withPaths(raw, 'group-d1', warnings).map((e) => [e.ref, e.path]));
    expect(byRef.get('group-d1')).toBe('/');
    expect(byRef.get('vm-1')).toBe('/DC0/vm/a%2fb%25c/=x&<y>');
    expect(byRef.get('vm-2')).toBe('/DC0/Resources/app/in-app');
    expect(byRef.get('lost')).toBe('/lost');
    expect(warnings).toEqual([
      expect.stringContaining('1 entities have a parent outside the collected inventory'),
    ]);
  });

  it('splits privilege ids into group and name', () => {
    expect(fromPrivilegeId('VirtualMachine.Config.Rename')).toEqual({
      id: 'VirtualMachine.Config.Rename',
      group: 'VirtualMachine.Config',
      name: 'Rename',
      onParent: false,
    });
  });
});
