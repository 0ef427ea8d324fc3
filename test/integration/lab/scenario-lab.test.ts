// The `lab` scenario builds what test/sim/scenarios/lab.yaml says, seen over raw SOAP.
import { sharedLab } from '../../helpers/lab';
import { byName, retrieveAll } from './inventory-query';
import type { ObjectProps } from './soap-session';
import { SoapSession, refId, text } from './soap-session';

let session: SoapSession;

beforeAll(async () => {
  session = new SoapSession(sharedLab());
  await session.login();
});

afterAll(async () => {
  await session.logout();
});

function names(objects: ObjectProps[]): string[] {
  return objects.map((o) => text(o.props['name'])).sort();
}

describe('lab scenario inventory', () => {
  it('has the tenant, management, unowned and escaped-name VMs', async () => {
    const vms = await retrieveAll(session, 'VirtualMachine', ['name']);
    expect(names(vms)).toEqual(
      [
        '=contoso&<legacy>',
        'contoso-app01',
        'contoso-cs01',
        'contoso-db01',
        'fabrikam-cs01',
        'fabrikam-db01',
        'fabrikam-web01',
        'unowned-vm01',
      ].sort(),
    );
  });

  it('gives every tenant VM two parents: its tenant folder and its tenant resource pool', async () => {
    const vms = await retrieveAll(session, 'VirtualMachine', ['name', 'parent', 'resourcePool']);
    const folders = await retrieveAll(session, 'Folder', ['name']);
    const pools = await retrieveAll(session, 'ResourcePool', ['name', 'parent']);
    const folderName = (id: string | undefined) => folders.find((f) => f.id === id)?.props['name'];
    const poolName = (id: string | undefined) => pools.find((p) => p.id === id)?.props['name'];

    for (const [vm, tenant] of [
      ['contoso-app01', 'contoso'],
      ['contoso-cs01', 'contoso'],
      ['=contoso&<legacy>', 'contoso'],
      ['fabrikam-web01', 'fabrikam'],
      ['fabrikam-cs01', 'fabrikam'],
    ] as const) {
      const props = vms.find((v) => text(v.props['name']) === vm)?.props;
      expect(folderName(refId(props?.['parent']))).toBe(tenant);
      expect(poolName(refId(props?.['resourcePool']))).toBe(`${tenant}-rp`);
    }
    const unowned = byName(vms, 'unowned-vm01').props;
    expect(folderName(refId(unowned['parent']))).toBe('vm');
    expect(poolName(refId(unowned['resourcePool']))).toBe('shared-rp');

    // The tenant pools hang below the cluster's root pool "Resources".
    const root = byName(pools, 'Resources');
    for (const pool of ['contoso-rp', 'fabrikam-rp', 'shared-rp']) {
      expect(refId(byName(pools, pool).props['parent'])).toBe(root.id);
    }
  });

  it('puts two datastores in the datastore cluster StoragePod0 and keeps one outside', async () => {
    const pods = await retrieveAll(session, 'StoragePod', ['name', 'childEntity']);
    const datastores = await retrieveAll(session, 'Datastore', ['name', 'parent']);
    const pod = byName(pods, 'StoragePod0');
    const children = pod.props['childEntity'] as { ManagedObjectReference: unknown[] };
    const memberIds = children.ManagedObjectReference.map(refId);
    const memberNames = datastores
      .filter((d) => memberIds.includes(d.id))
      .map((d) => d.props['name']);
    expect(memberNames.sort()).toEqual(['LocalDS_1', 'LocalDS_2']);
    expect(refId(byName(datastores, 'LocalDS_1').props['parent'])).toBe(pod.id);
    expect(refId(byName(datastores, 'LocalDS_0').props['parent'])).not.toBe(pod.id);
    // Simulator datastore ids are paths: opaque strings with '/' and '@'.
    expect(byName(datastores, 'LocalDS_0').id).toMatch(/\/.*@/);
  });

  it('has a cluster with three hosts, a standalone host and the shared port groups', async () => {
    const clusters = await retrieveAll(session, 'ClusterComputeResource', ['name', 'host']);
    const cluster = byName(clusters, 'DC0_C0');
    expect(
      (cluster.props['host'] as { ManagedObjectReference: unknown[] }).ManagedObjectReference,
    ).toHaveLength(3);
    const hosts = await retrieveAll(session, 'HostSystem', ['name']);
    expect(names(hosts)).toEqual(['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2', 'DC0_H0']);
    const portgroups = await retrieveAll(session, 'DistributedVirtualPortgroup', ['name']);
    expect(names(portgroups)).toEqual(expect.arrayContaining(['DC0_DVPG0', 'DC0_DVPG1']));
  });

  it('escapes the legacy VM name on the wire and round-trips it', async () => {
    const vms = await retrieveAll(session, 'VirtualMachine', ['name']);
    const legacy = byName(vms, '=contoso&<legacy>');
    const reply = await session.call(
      'RetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      `<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet>` +
        `<objectSet><obj type="VirtualMachine">${legacy.id}</obj></objectSet></specSet><options/>`,
    );
    expect(reply.raw).toContain('=contoso&amp;&lt;legacy&gt;');
    const found = await session.call(
      'FindByInventoryPath',
      'SearchIndex',
      'SearchIndex',
      '<inventoryPath>DC0/vm/contoso/=contoso&amp;&lt;legacy&gt;</inventoryPath>',
    );
    const res = found.body['FindByInventoryPathResponse'] as { returnval?: unknown[] };
    expect(refId(res.returnval?.[0])).toBe(legacy.id);
  });
});
