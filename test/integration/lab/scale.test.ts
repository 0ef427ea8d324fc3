// Benchmark scale knobs: tenants tenant-000.. each get a VM folder and a resource pool.
import { startLab } from '../../lab/launch';
import type { RunningLab } from '../../lab/launch';
import { retrieveAll } from './inventory-query';
import { SoapSession, refId, text } from './soap-session';

let lab: RunningLab;
let session: SoapSession;

beforeAll(async () => {
  lab = await startLab({ scenario: 'lab', scale: { vms: 300, tenants: 3, clusters: 2 } });
  session = new SoapSession(lab);
  await session.login();
});

afterAll(async () => {
  await session.logout();
  await lab.stop();
});

describe('scaled lab', () => {
  it('adds the benchmark VMs to the scenario, each in its tenant folder and pool', async () => {
    const vms = await retrieveAll(session, 'VirtualMachine', ['name', 'parent', 'resourcePool']);
    const folders = await retrieveAll(session, 'Folder', ['name']);
    const pools = await retrieveAll(session, 'ResourcePool', ['name']);
    const nameOf = (list: typeof folders, id: string | undefined) =>
      text(list.find((o) => o.id === id)?.props['name']);

    const bench = vms.filter((v) => text(v.props['name']).startsWith('tenant-'));
    expect(bench).toHaveLength(300);
    expect(vms).toHaveLength(308); // plus the lab scenario's own VMs
    const perTenant = new Map<string, number>();
    for (const vm of bench) {
      const tenant = text(vm.props['name']).slice(0, 'tenant-000'.length);
      expect(nameOf(folders, refId(vm.props['parent']))).toBe(tenant);
      expect(nameOf(pools, refId(vm.props['resourcePool']))).toBe(`${tenant}-rp`);
      perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1);
    }
    expect([...perTenant.entries()].sort()).toEqual([
      ['tenant-000', 100],
      ['tenant-001', 100],
      ['tenant-002', 100],
    ]);
  });

  it('spreads the tenants round-robin over the clusters, reusing the scenario cluster', async () => {
    const clusters = await retrieveAll(session, 'ClusterComputeResource', ['name']);
    expect(clusters.map((c) => text(c.props['name'])).sort()).toEqual(['DC0_C0', 'DC0_C1']);
    const pools = await retrieveAll(session, 'ResourcePool', ['name', 'owner']);
    const clusterOf = (pool: string) => {
      const owner = refId(pools.find((p) => text(p.props['name']) === pool)?.props['owner']);
      return text(clusters.find((c) => c.id === owner)?.props['name']);
    };
    expect(['tenant-000-rp', 'tenant-001-rp', 'tenant-002-rp'].map(clusterOf)).toEqual([
      'DC0_C0',
      'DC0_C1',
      'DC0_C0',
    ]);
  });
});
