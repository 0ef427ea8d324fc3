import { Inventory } from '../../../src/model/inventory';
import {
  describeObjects,
  findObjects,
  listChildren,
  parseObjectKind,
} from '../../../src/model/inventory-query';
import { SnapshotBuilder, ROLE } from '../audit/snapshot-builder';

function lab() {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const contoso = b.folder(dc.vmFolder, 'contoso');
  const sub = b.folder(contoso, 'db');
  const { cluster, rootPool } = b.cluster(dc, 'DC0_C0');
  const h0 = b.host(cluster, 'DC0_C0_H0');
  const pool = b.pool(rootPool, 'contoso-rp');
  const app = b.vm(contoso, pool, 'contoso-app01');
  const db = b.vm(sub, pool, 'contoso-db01');
  const other = b.vm(dc.vmFolder, rootPool, 'fabrikam-web01');
  const ds = b.datastore(dc, 'LocalDS_0');
  const net = b.network(dc, 'VM Network');
  const s = b.build();
  return {
    b,
    s,
    inv: new Inventory(s.entities, s.rootFolder),
    dc,
    contoso,
    sub,
    cluster,
    h0,
    pool,
    app,
    db,
    other,
    ds,
    net,
  };
}

describe('listChildren (ls)', () => {
  it("lists the datacenters under the root by default, and a folder's children by path", () => {
    const { inv } = lab();
    expect(listChildren(inv).map((e) => e.path)).toEqual(['/DC0']);
    expect(listChildren(inv, '/DC0').map((e) => `${e.path} ${e.type}`)).toEqual([
      '/DC0/datastore Folder',
      '/DC0/host Folder',
      '/DC0/network Folder',
      '/DC0/vm Folder',
    ]);
    expect(listChildren(inv, '/DC0/vm/contoso/').map((e) => e.name)).toEqual([
      'contoso-app01',
      'db',
    ]);
  });

  it('lists an object without children as itself, as govc does', () => {
    const { inv, app } = lab();
    expect(listChildren(inv, app.path)).toEqual([app]);
  });

  it('lists an empty folder as empty', () => {
    const { b } = lab();
    const s = b.build();
    const empty = s.entities.find((e) => e.path === '/DC0/network')!;
    expect(
      listChildren(new Inventory(s.entities, s.rootFolder), empty.path).map((e) => e.name),
    ).toEqual(['VM Network']);
  });

  it('refuses a path that does not exist, naming the nearest ones', () => {
    const { inv } = lab();
    expect(() => listChildren(inv, '/DC0/vm/contso')).toThrow(
      'PATH /DC0/vm/contso does not exist in the inventory; nearest: /DC0/vm/contoso',
    );
  });
});

describe('findObjects (find)', () => {
  it('finds by name glob below a path, including subfolders', () => {
    const { inv } = lab();
    expect(findObjects(inv, { path: '/DC0/vm', name: 'contoso-*' }).map((e) => e.name)).toEqual([
      'contoso-app01',
      'contoso-db01',
    ]);
  });

  it('filters by kind, with govc short names', () => {
    const { inv } = lab();
    expect(findObjects(inv, { kind: 'vm' }).map((e) => e.name)).toEqual([
      'contoso-app01',
      'contoso-db01',
      'fabrikam-web01',
    ]);
    expect(findObjects(inv, { kind: 'cluster' }).map((e) => e.path)).toEqual(['/DC0/host/DC0_C0']);
    expect(findObjects(inv, { kind: 'pool', name: 'contoso*' }).map((e) => e.name)).toEqual([
      'contoso-rp',
    ]);
    expect(findObjects(inv, { kind: 'network' }).map((e) => e.name)).toEqual(['VM Network']);
    expect(findObjects(inv, { kind: 'folder', path: '/DC0/vm' }).map((e) => e.path)).toEqual([
      '/DC0/vm',
      '/DC0/vm/contoso',
      '/DC0/vm/contoso/db',
    ]);
  });

  it('refuses an unknown kind with the nearest one', () => {
    expect(() => parseObjectKind('vms')).toThrow(
      '--type must be one of vm, host, cluster, datastore, network, folder, pool, got "vms"; did you mean "vm"?',
    );
  });
});

describe('describeObjects (ls -l)', () => {
  it("counts permissions per object and shows the account's own grant", () => {
    const { b, inv, app, db } = lab();
    b.permit(app, 'VSPHERE.LOCAL\\asr-contoso', ROLE.ReadOnly);
    b.permit(app, 'VSPHERE.LOCAL\\someone-else', ROLE.Admin, { propagate: true });
    b.permit(db, 'VSPHERE.LOCAL\\ASR-CONTOSO', ROLE.ReadOnly, { group: true });
    const s = b.build();
    const rows = describeObjects(
      findObjects(inv, { kind: 'vm', name: 'contoso-*' }),
      s.permissions,
      s.roles,
      {
        principal: 'asr-contoso@vsphere.local',
        group: false,
      },
    );
    expect(rows.map((r) => [r.name, r.permissions, r.account])).toEqual([
      ['contoso-app01', 2, { roleName: 'ReadOnly', propagate: false }],
      // A group of the same name is another principal.
      ['contoso-db01', 1, null],
    ]);
  });

  it('leaves the account column out without an account', () => {
    const { s, inv } = lab();
    expect(describeObjects(listChildren(inv), s.permissions, s.roles)[0]).not.toHaveProperty(
      'account',
    );
  });
});
