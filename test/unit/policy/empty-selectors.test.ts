import { fabrikamPolicy, labInventory, policy, resolve } from '../plan/fixtures';
import type { Entity } from '../../../src/model/snapshot';

const emptyFolder: Entity = {
  ref: 'group-v99',
  type: 'Folder',
  name: 'newco',
  parent: 'group-v3',
  path: '/DC0/vm/newco',
};

function withVms(vms: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const p = policy(extra);
  return { ...p, objects: { ...p.objects, vms: { folders: [], names: [], paths: [], ...vms } } };
}

describe('VM selectors that match nothing', () => {
  it('refuses a folder without VMs, naming the field and the nearest folders that have VMs', () => {
    const r = resolve(withVms({ folders: ['/DC0/vm/newco'] }), labInventory([emptyFolder]));
    expect(r.problems).toEqual([
      {
        field: 'objects.vms.folders[0]',
        message:
          '/DC0/vm/newco holds no VMs; nearest: /DC0/vm/contoso, /DC0/vm/fabrikam (write allowEmpty: true if the tenant has no VMs yet)',
      },
    ]);
  });

  it('refuses a glob with a typo, naming the nearest VM names', () => {
    const r = resolve(withVms({ names: ['contoso-*', 'contso-app0?'] }));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.field).toBe('objects.vms.names[1]');
    expect(r.problems[0]!.message).toMatch(
      /^"contso-app0\?" matches no VM; nearest: contoso-app01/,
    );
  });

  it('accepts a glob whose VMs an earlier glob already took', () => {
    const r = resolve(withVms({ names: ['contoso-*', 'contoso-app01'] }));
    expect(r.problems).toEqual([]);
  });

  it('matches literal names by lookup and wildcard globs by pattern, as before', () => {
    const r = resolve(withVms({ names: ['contoso-db01', 'fabrikam-w*'] }));
    expect(r.ownedVms.map((v) => v.name).sort()).toEqual([
      'contoso-cs01',
      'contoso-db01',
      'fabrikam-web01',
    ]);
  });

  it('accepts empty selectors with allowEmpty: true', () => {
    const r = resolve(
      withVms({ folders: ['/DC0/vm/newco'], names: ['nothing-*'] }, { allowEmpty: true }),
      labInventory([emptyFolder]),
    );
    expect(r.problems).toEqual([]);
  });

  it('leaves tenants whose selectors match alone', () => {
    expect(resolve(fabrikamPolicy()).problems).toEqual([]);
  });
});
