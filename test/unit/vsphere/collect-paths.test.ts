import { escapePathName } from '../../../src/model/paths';
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

  it('on a server that returns raw names (the simulator), escapes / and % and \\ in them; paths go through vApps', () => {
    const warnings: string[] = [];
    const byRef = new Map(
      withPaths(raw, 'group-d1', warnings, { namesEscaped: false }).map((e) => [e.ref, e.path]),
    );
    expect(byRef.get('group-d1')).toBe('/');
    expect(byRef.get('vm-1')).toBe('/DC0/vm/a%2fb%25c/=x&<y>');
    expect(byRef.get('vm-2')).toBe('/DC0/Resources/app/in-app');
    expect(byRef.get('lost')).toBe('/lost');
    expect(warnings).toEqual([
      expect.stringContaining('1 entities have a parent outside the collected inventory'),
    ]);
  });

  it("on vCenter, takes the escaped names as they come: paths equal govc's, nothing escaped twice", () => {
    // As vCenter returns them: "a/b%c" is a%2fb%25c, "x\\y" is x%5cy; a snapshot named
    // "10/24" under a folder is "10%2f24" (govc prints the same).
    const escaped = raw.map((e) =>
      e.ref === 'tf'
        ? { ...e, name: 'a%2fb%25c' }
        : e.ref === 'vm-1'
          ? { ...e, name: 'x%5cy 10%2f24 100%25' }
          : e,
    );
    const warnings: string[] = [];
    const byRef = new Map(withPaths(escaped, 'group-d1', warnings).map((e) => [e.ref, e.path]));
    expect(byRef.get('tf')).toBe('/DC0/vm/a%2fb%25c');
    expect(byRef.get('vm-1')).toBe('/DC0/vm/a%2fb%25c/x%5cy 10%2f24 100%25');
    const explicit = withPaths(escaped, 'group-d1', [], { namesEscaped: true });
    expect(explicit.find((e) => e.ref === 'vm-1')!.path).toBe(byRef.get('vm-1'));
  });

  it('escapes a raw name as vCenter would', () => {
    expect(escapePathName('a/b%c\\d')).toBe('a%2fb%25c%5cd');
    expect(escapePathName('%2f')).toBe('%252f');
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
