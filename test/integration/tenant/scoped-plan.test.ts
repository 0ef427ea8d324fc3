/**
 * Plans from the tenants' part of the inventory against plans from the whole
 * collection, on the shared lab: the same objects, actions, risks, notes and refusals; the
 * whole inventory, and a note saying why, where the part read cannot answer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planTenants, type LivePlan } from '../../../src/ops/tenant';
import type { OpsEvent } from '../../../src/ops/events';
import { loadTenantPolicies } from '../../../src/policy/tenant-policy';
import type { VimClient } from '../../../src/vsphere/client';
import { connectLab, sharedLab } from '../../helpers/lab';
import { contosoPolicy, writeTenant } from './tenant-lab';

let client: VimClient;
let dir: string;

beforeAll(async () => {
  client = await connectLab(sharedLab());
  dir = mkdtempSync(join(tmpdir(), 'drperm-scoped-'));
}, 60000);

afterAll(async () => {
  await client?.logout();
});

const FULL_NOTE = /^resolved by full inventory collection because /;

/** What a plan says, without how it was resolved. */
function essence(live: LivePlan) {
  return {
    plans: live.result.plans.map((p) => ({
      tenant: p.tenant,
      objects: p.objects.map((o) => [o.entity.path, o.entity.type, o.kind, o.action, o.source]),
      risks: p.risks.map((r) => [r.entity.path, r.action, r.reason]),
      notes: p.notes.filter((n) => !FULL_NOTE.test(n)),
      summary: p.summary,
    })),
    refusals: live.result.refusals.map((r) => r.message),
  };
}

async function both(policies: Record<string, unknown>[]) {
  const files = policies.map((p, i) => writeTenant(dir, `t${i}-${String(p.tenant)}.yaml`, p));
  const tenants = await loadTenantPolicies(files);
  const events: OpsEvent[] = [];
  const scoped = await planTenants(client, tenants, { prune: false }, (e) => events.push(e));
  const full = await planTenants(client, tenants, { prune: false, fullInventory: true }, () => {});
  return { scoped, full, events };
}

const fabrikam = (overrides: Record<string, unknown> = {}) =>
  contosoPolicy({
    tenant: 'fabrikam',
    account: { principal: 'VSPHERE.LOCAL\\asr-fabrikam', group: false },
    objects: {
      datacenters: ['/DC0'],
      hosts: ['/DC0/host/DC0_C0'],
      datastores: ['/DC0/datastore/StoragePod0'],
      networks: ['/DC0/network/DC0_DVPG0'],
      managementServers: ['/DC0/vm/fabrikam/fabrikam-cs01'],
      vms: { paths: ['/DC0/vm/fabrikam/fabrikam-web01', '/DC0/vm/fabrikam/fabrikam-db01'] },
    },
    ...overrides,
  });

describe('tenant plans from part of the inventory', () => {
  it('folders, paths, clusters, datastore clusters: the same plan as from the whole inventory, without collecting every VM', async () => {
    const { scoped, full, events } = await both([contosoPolicy(), fabrikam()]);
    expect(scoped.fullInventoryBecause).toBeUndefined();
    expect(scoped.snapshot.entities.length).toBeLessThan(full.snapshot.entities.length);
    expect(scoped.snapshot.entities.some((e) => e.path === '/DC0/vm/unowned-vm01')).toBe(false);
    expect(essence(scoped)).toEqual(essence(full));
    // The names vCenter escapes (=contoso&<legacy> is there as written) resolve alike.
    const contoso = scoped.result.plans[0]!.objects.map((o) => o.entity.path);
    expect(contoso).toContain('/DC0/vm/contoso/=contoso&<legacy>');
    expect(contoso).toContain('/DC0/host/DC0_C0');
    expect(events).toContainEqual({
      type: 'info',
      message: expect.stringMatching(
        /^resolved without collecting the whole inventory: \d+ objects read/,
      ),
    });
  });

  it('a name glob: the whole inventory, and every plan says why', async () => {
    const { scoped, full } = await both([
      contosoPolicy({ objects: { vms: { names: ['contoso-*'] } } }),
    ]);
    expect(scoped.fullInventoryBecause).toMatch(/name glob "contoso-\*"/);
    expect(scoped.snapshot.entities.length).toBe(full.snapshot.entities.length);
    expect(scoped.result.plans[0]!.notes).toContainEqual(
      expect.stringMatching(
        /^resolved by full inventory collection because of name glob "contoso-\*"/,
      ),
    );
    expect(essence(scoped)).toEqual(essence(full));
  });

  it('a path that is not there: the whole inventory names the nearest ones, as before', async () => {
    const { scoped, full } = await both([
      contosoPolicy({
        objects: { vms: { folders: ['/DC0/vm/contosso'], paths: ['/DC0/vm/contoso/nope'] } },
      }),
    ]);
    expect(scoped.fullInventoryBecause).toMatch(/objects\.vms\.folders\[0\] does not resolve/);
    expect(essence(scoped)).toEqual(essence(full));
    expect(scoped.result.refusals.map((r) => r.message).join('\n')).toMatch(
      /nearest: \/DC0\/vm\/contoso/,
    );
  });

  it("the account's propagating permission the policy does not name: the whole inventory says which VMs of others it reaches", async () => {
    // The lab gives backup-admins Backup Operator on /DC0, propagating.
    const { scoped, full } = await both([
      contosoPolicy({
        account: { principal: 'VSPHERE.LOCAL\\backup-admins', group: true },
        objects: { vms: { folders: ['/DC0/vm/contoso'] } },
      }),
    ]);
    expect(scoped.fullInventoryBecause).toMatch(/propagating permission on \/DC0 /);
    expect(essence(scoped)).toEqual(essence(full));
    expect(scoped.result.plans[0]!.risks[0]!.reason).toMatch(/VM\(s\) this tenant does not own/);
  });
});
