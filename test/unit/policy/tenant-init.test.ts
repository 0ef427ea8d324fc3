import { Inventory } from '../../../src/model/inventory';
import { parseYamlSource, validateYaml } from '../../../src/policy/yaml-file';
import { TenantPolicySchema } from '../../../src/policy/schemas';
import { deriveTenant, renderTenantYaml } from '../../../src/policy/tenant-init';
import { resolveTenant } from '../../../src/policy/tenant-resolve';
import { SnapshotBuilder } from '../audit/snapshot-builder';

/** Two tenants sharing a cluster and a datastore cluster; contoso also uses a standalone host. */
function lab() {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const { cluster, rootPool } = b.cluster(dc, 'DC0_C0');
  const h0 = b.host(cluster, 'DC0_C0_H0');
  const h1 = b.host(cluster, 'DC0_C0_H1');
  const standalone = b.standaloneHost(dc, 'esx9');
  const pool = b.pool(rootPool, 'contoso-rp');
  const pod = b.folder(dc.datastoreFolder, 'StoragePod0');
  pod.type = 'StoragePod';
  const ds0 = b.datastore(dc, 'LocalDS_0');
  ds0.parent = pod.ref;
  ds0.path = `${pod.path}/LocalDS_0`;
  const ds1 = b.datastore(dc, 'LocalDS_1');
  const dvpg = b.network(dc, 'DC0_DVPG0');
  dvpg.type = 'DistributedVirtualPortgroup';
  const net = b.network(dc, 'VM Network');
  const contoso = b.folder(dc.vmFolder, 'contoso');
  const fabrikam = b.folder(dc.vmFolder, 'fabrikam');
  const empty = b.folder(dc.vmFolder, 'newco');
  const place = (
    vm: { host?: string | null; datastores?: string[]; networks?: string[] },
    host: string,
    ds: string[],
    nets: string[],
  ) => {
    vm.host = host;
    vm.datastores = ds;
    vm.networks = nets;
  };
  const app = b.vm(contoso, pool, 'contoso-app01');
  place(app, h0.ref, [ds0.ref], [dvpg.ref]);
  const db = b.vm(contoso, pool, 'contoso-db01');
  place(db, h1.ref, [ds0.ref, ds1.ref], [dvpg.ref]);
  const edge = b.vm(contoso, standalone.rootPool, 'contoso-edge\n#evil: x');
  place(edge, standalone.host.ref, [ds1.ref], [net.ref]);
  const cs = b.vm(dc.vmFolder, rootPool, 'contoso-cs01');
  place(cs, h0.ref, [ds1.ref], [net.ref]);
  const stray = b.vm(dc.vmFolder, pool, 'contoso-stray');
  place(stray, h1.ref, [ds0.ref], [dvpg.ref]);
  const fab = b.vm(fabrikam, rootPool, 'fabrikam-web01');
  place(fab, h1.ref, [ds0.ref], [dvpg.ref]);
  const s = b.build();
  return { inv: new Inventory(s.entities, s.rootFolder), contoso, empty, pool, cs, stray };
}

const base = {
  name: 'contoso',
  principal: 'asr-contoso@vsphere.local',
  vmFolder: '/DC0/vm/contoso',
};

describe('deriveTenant', () => {
  it('finds the datacenter, clusters, standalone hosts, datastores and networks the VMs use', () => {
    const { inv } = lab();
    const init = deriveTenant(base, inv);
    expect(init.principal).toBe('VSPHERE.LOCAL\\asr-contoso');
    expect(init.datacenters.map((e) => e.path)).toEqual(['/DC0']);
    expect(init.hosts.map((e) => e.path)).toEqual(['/DC0/host/DC0_C0', '/DC0/host/esx9']);
    expect(init.datastores.map((e) => e.path)).toEqual([
      '/DC0/datastore/LocalDS_1',
      '/DC0/datastore/StoragePod0',
    ]);
    expect(init.networks.map((e) => e.path)).toEqual([
      '/DC0/network/DC0_DVPG0',
      '/DC0/network/VM Network',
    ]);
    expect(init.folders.map((e) => e.path)).toEqual(['/DC0/vm/contoso']);
    expect(init.allowEmpty).toBe(false);
  });

  it('says why each entry is there', () => {
    const { inv } = lab();
    const init = deriveTenant(base, inv);
    expect(init.hosts[0]!.why).toBe(
      'cluster (with each of its hosts): runs contoso-app01, contoso-db01',
    );
    expect(init.datastores[1]!.why).toBe(
      'datastore cluster (with each member datastore): member LocalDS_0; used by contoso-app01, contoso-db01',
    );
    expect(init.folders[0]!.why).toMatch(/^the tenant's VM folder: its 3 VM\(s\)/);
  });

  it("adds the pool's cluster and its VMs outside the folder, and the management servers' placement", () => {
    const { inv } = lab();
    const init = deriveTenant(
      {
        ...base,
        pool: '/DC0/host/DC0_C0/Resources/contoso-rp',
        managementServers: ['/DC0/vm/contoso-cs01'],
      },
      inv,
    );
    expect(init.vmPaths.map((e) => e.path)).toEqual(['/DC0/vm/contoso-stray']);
    expect(init.managementServers.map((e) => e.path)).toEqual(['/DC0/vm/contoso-cs01']);
    expect(init.hosts[0]!.why).toContain(
      "holds the tenant's resource pool /DC0/host/DC0_C0/Resources/contoso-rp",
    );
    expect(init.hosts[0]!.why).toContain('contoso-cs01');
  });

  it('writes allowEmpty for a tenant whose folder is still empty when a pool says where it runs', () => {
    const { inv } = lab();
    const b2 = deriveTenant(
      { ...base, vmFolder: '/DC0/vm/newco', pool: '/DC0/host/DC0_C0/Resources/contoso-rp' },
      inv,
    );
    // The stray VM runs in that pool, so the tenant is not empty after all.
    expect(b2.allowEmpty).toBe(false);
  });

  it('refuses an empty folder with no pool: nothing tells where the tenant runs', () => {
    const { inv } = lab();
    expect(() => deriveTenant({ ...base, vmFolder: '/DC0/vm/newco' }, inv)).toThrow(
      /--vm-folder \/DC0\/vm\/newco holds no VMs, so nothing tells where the tenant runs/,
    );
  });

  it('refuses bad paths with the nearest ones, and a bad account', () => {
    const { inv } = lab();
    expect(() => deriveTenant({ ...base, vmFolder: '/DC0/vm/contosso' }, inv)).toThrow(
      '--vm-folder /DC0/vm/contosso does not exist in the inventory; nearest: /DC0/vm/contoso',
    );
    expect(() =>
      deriveTenant({ ...base, vmFolder: '/DC0/host', pool: '/DC0/vm/contoso' }, inv),
    ).toThrow(/--pool \/DC0\/vm\/contoso is a Folder/);
    expect(() => deriveTenant({ ...base, principal: 'asr-contoso' }, inv)).toThrow(
      /is not a vCenter principal/,
    );
    expect(() => deriveTenant({ ...base, principal: 'X\\a\x1bb' }, inv)).toThrow(
      /control character \(\\x1b\)/,
    );
  });
});

describe('renderTenantYaml', () => {
  it('writes a file that loads, resolves to the derived objects, and has one comment per entry', () => {
    const { inv } = lab();
    const init = deriveTenant({ ...base, managementServers: ['/DC0/vm/contoso-cs01'] }, inv);
    const text = renderTenantYaml(init);
    const policy = validateYaml(parseYamlSource('contoso.yaml', text), TenantPolicySchema);
    expect(policy.objects.hosts).toEqual(['/DC0/host/DC0_C0', '/DC0/host/esx9']);
    expect(policy.account.principal).toBe('VSPHERE.LOCAL\\asr-contoso');
    for (const line of text.split('\n').filter((l) => l.trimStart().startsWith('- '))) {
      expect(line).toMatch(/ # \S/);
    }
    const resolved = resolveTenant(policy, inv, 'contoso.yaml');
    expect(resolved.problems).toEqual([]);
    expect(resolved.ownedVms.map((v) => v.name).sort()).toEqual([
      'contoso-app01',
      'contoso-cs01',
      'contoso-db01',
      'contoso-edge\n#evil: x',
    ]);
  });

  it('keeps a VM name with a newline inside its comment (no injected YAML)', () => {
    const { inv } = lab();
    const text = renderTenantYaml(deriveTenant(base, inv));
    expect(text).not.toMatch(/^#evil/m);
    expect(text).toContain('contoso-edge\\n#evil: x');
  });
});
