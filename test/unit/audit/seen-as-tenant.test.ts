/** The "Seen as tenant" comparison: what a tenant's own session discovers against its policy. */
import { AccessModel, resolveAccess } from '../../../src/audit/effective-access';
import { resolvePrincipals } from '../../../src/audit/principals';
import {
  ownersOf,
  seenAsTenant,
  seenKind,
  type SessionDiscovery,
} from '../../../src/audit/seen-as-tenant';
import type { Entity } from '../../../src/model/snapshot';
import { ROLE } from './snapshot-builder';

const VCENTER = '00000000-0000-0000-0000-000000000001';
import { CONTOSO, twoTenants } from './two-tenants';

/** A session that sees exactly these entities, all readable. */
function sees(entities: Entity[], rootVisible = true): SessionDiscovery {
  return {
    rootVisible,
    objects: entities.map((e) => ({
      ref: e.ref,
      type: e.type,
      name: e.name,
      parent: e.parent,
      ...(e.type === 'VirtualMachine' ? { resourcePool: e.resourcePool ?? null } : {}),
      readable: true,
    })),
  };
}

function setup() {
  const w = twoTenants();
  w.apply(w.contoso);
  w.apply(w.fabrikam);
  const snapshot = w.b.build();
  const model = new AccessModel(snapshot);
  const owners = ownersOf([w.contoso, w.fabrikam]);
  const exact = [w.dc.dc, w.cluster, w.host, w.ds, w.net, w.c1, w.c2];
  return { ...w, snapshot, model, owners, exact };
}

describe('seenAsTenant', () => {
  it('is exact when the session sees its VMs and the shared objects of the table, and nothing foreign', () => {
    const s = setup();
    const r = seenAsTenant({
      vcenter: VCENTER,
      inventory: s.model.inventory,
      tenant: s.contoso,
      owners: s.owners,
      discovery: sees([...s.exact, s.cFolder, s.rootPool]),
    });
    expect(r.status).toBe('exact');
    expect(r.findings).toEqual([]);
    expect(r.counts).toEqual({
      vms: 2,
      ownVms: 2,
      foreignVms: 0,
      hosts: 1,
      clusters: 1,
      datastores: 1,
      datastoreClusters: 0,
      networks: 1,
    });
    // Folders and pools are not rows of their own; VMs carry their paths.
    expect(r.objects.map((o) => o.kind)).toEqual([
      'vm',
      'vm',
      'datacenter',
      'cluster',
      'host',
      'datastore',
      'network',
    ]);
    expect(r.objects[0]).toMatchObject({
      entity: { path: '/DC0/vm/contoso/contoso-1' },
      folder: '/DC0/vm/contoso',
      resourcePool: s.rootPool.path,
      owner: 'contoso',
      foreign: false,
    });
  });

  it("names another tenant's VM and nobody's VM as critical, with drperm's granting permission as evidence", () => {
    const s = setup();
    s.b.permit(s.fFolder, CONTOSO, ROLE.ReadOnly, { propagate: true });
    const snapshot = s.b.build();
    const model = new AccessModel(snapshot);
    const resolved = resolveAccess(model, resolvePrincipals(CONTOSO));
    const r = seenAsTenant({
      vcenter: VCENTER,
      inventory: model.inventory,
      tenant: s.contoso,
      owners: s.owners,
      discovery: sees([...s.exact, s.f1, s.partner]),
      access: { model, resolved },
    });
    expect(r.status).toBe('differs');
    const foreign = r.findings.filter((f) => f.rule === 'discover-foreign-vm');
    expect(foreign.map((f) => [f.severity, f.entity!.path])).toEqual([
      ['critical', '/DC0/vm/fabrikam/fabrikam-1'],
      ['critical', '/DC0/vm/partner-dns'],
    ]);
    expect(foreign[0]!.message).toContain("fabrikam's VM");
    expect(foreign[1]!.message).toContain("nobody's VM");
    expect(foreign[0]!.evidence.map((e) => [e.entity.path, e.propagate])).toEqual([
      ['/DC0/vm/fabrikam', true],
    ]);
    // The partner VM is reached by no permission: the server shows more than it grants.
    expect(foreign[1]!.evidence).toEqual([]);
    expect(foreign[1]!.details![0]).toContain('drperm computes no access');
    expect(r.counts.foreignVms).toBe(2);
  });

  it('reports tenant VMs and shared objects the session does not see as high', () => {
    const s = setup();
    const r = seenAsTenant({
      vcenter: VCENTER,
      inventory: s.model.inventory,
      tenant: s.contoso,
      owners: s.owners,
      discovery: sees([s.dc.dc, s.cluster, s.host, s.net, s.c1], false),
    });
    expect(r.findings.map((f) => [f.rule, f.severity, f.entity!.path])).toEqual([
      ['discover-missing-vm', 'high', '/DC0/vm/contoso/contoso-2'],
      ['discover-missing-shared', 'high', '/'],
      ['discover-missing-shared', 'high', s.ds.path],
    ]);
    expect(r.findings[0]!.message).toContain('not discoverable in the Azure portal');
    expect(r.missingVms.map((v) => v.path)).toEqual(['/DC0/vm/contoso/contoso-2']);
    expect(r.missingShared.map((m) => m.kind)).toEqual(['vcenter', 'datastore']);
  });

  it('keeps objects the snapshot does not know, marked as such, and counts an unknown VM as foreign', () => {
    const s = setup();
    const discovery = sees(s.exact);
    discovery.objects = [
      ...discovery.objects,
      { ref: 'vm-new', type: 'VirtualMachine', name: 'new', parent: null, readable: true },
    ];
    const r = seenAsTenant({
      vcenter: VCENTER,
      inventory: s.model.inventory,
      tenant: s.contoso,
      owners: s.owners,
      discovery,
    });
    expect(r.findings.map((f) => [f.rule, f.entity!.path])).toEqual([
      ['discover-foreign-vm', '(not in the snapshot) new'],
    ]);
  });
});

describe('seenKind', () => {
  it.each([
    ['VirtualMachine', 'vm'],
    ['HostSystem', 'host'],
    ['ClusterComputeResource', 'cluster'],
    ['ComputeResource', 'cluster'],
    ['StoragePod', 'datastoreCluster'],
    ['Datastore', 'datastore'],
    ['DistributedVirtualPortgroup', 'network'],
    ['Datacenter', 'datacenter'],
    ['Folder', 'folder'],
    ['ResourcePool', 'resourcePool'],
    ['Alarm', 'other'],
  ])('%s is %s', (type, kind) => expect(seenKind(type)).toBe(kind));
});
