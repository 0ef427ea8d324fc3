import { AccessModel, reachableEntities, resolveAccess } from '../../../src/audit/effective-access';
import { resolvePrincipals } from '../../../src/audit/principals';
import type { Entity, Snapshot } from '../../../src/model/snapshot';
import { ROLE, SnapshotBuilder } from './snapshot-builder';

const U = 'VSPHERE.LOCAL\\u1';
const GA = 'VSPHERE.LOCAL\\groupA';
const GB = 'VSPHERE.LOCAL\\groupB';
const membership = { [GA]: [U], [GB]: [U] };

/** A datacenter with a tenant folder, a cluster with a pool, and two VMs. */
function lab() {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const folder = b.folder(dc.vmFolder, 'tenant');
  const { cluster, rootPool } = b.cluster(dc, 'C0');
  const host = b.host(cluster, 'H0');
  const pool = b.pool(rootPool, 'tenant-pool');
  const vmA = b.vm(folder, pool, 'vm-a');
  const vmB = b.vm(folder, pool, 'vm-b');
  const power = b.role('PowerOn', ['VirtualMachine.Interact.PowerOn']);
  const snap = b.role('Snapshot', ['VirtualMachine.State.CreateSnapshot']);
  return { b, dc, folder, cluster, rootPool, host, pool, vmA, vmB, power, snap };
}

function privilegesOn(snapshot: Snapshot, entity: Entity, name = U, group = false): string[] {
  const model = new AccessModel(snapshot);
  const access = resolveAccess(model, resolvePrincipals(name, { membership, group }));
  return [...(access.get(entity.ref)?.privileges ?? [])];
}

describe('effective access resolution', () => {
  test('a propagating grant on a folder reaches the VMs below it', () => {
    const l = lab();
    l.b.permit(l.folder, U, l.power, { propagate: true });
    expect(privilegesOn(l.b.build(), l.vmA)).toContain('VirtualMachine.Interact.PowerOn');
  });

  test('child overrides parent: a permission on the VM hides the propagated one', () => {
    const l = lab();
    l.b.permit(l.folder, U, l.power, { propagate: true });
    l.b.permit(l.vmA, U, l.snap);
    const snapshot = l.b.build();
    const onA = privilegesOn(snapshot, l.vmA);
    expect(onA).toContain('VirtualMachine.State.CreateSnapshot');
    expect(onA).not.toContain('VirtualMachine.Interact.PowerOn');
    expect(privilegesOn(snapshot, l.vmB)).toContain('VirtualMachine.Interact.PowerOn');
  });

  test('the override is not per principal: a group grant on the VM hides another group grant above (Example 2)', () => {
    const l = lab();
    l.b.permit(l.folder, GA, l.power, { group: true, propagate: true });
    l.b.permit(l.vmB, GB, l.snap, { group: true });
    const onB = privilegesOn(l.b.build(), l.vmB);
    expect(onB).toContain('VirtualMachine.State.CreateSnapshot');
    expect(onB).not.toContain('VirtualMachine.Interact.PowerOn');
  });

  test('user over group: the user permission wins alone at the same level', () => {
    const l = lab();
    l.b.permit(l.vmA, GA, l.power, { group: true });
    l.b.permit(l.vmA, U, l.snap);
    const onA = privilegesOn(l.b.build(), l.vmA);
    expect(onA).toContain('VirtualMachine.State.CreateSnapshot');
    expect(onA).not.toContain('VirtualMachine.Interact.PowerOn');
  });

  test('union of groups: two group permissions at the same level add up', () => {
    const l = lab();
    l.b.permit(l.vmA, GA, l.power, { group: true });
    l.b.permit(l.vmA, GB, l.snap, { group: true });
    const onA = privilegesOn(l.b.build(), l.vmA);
    expect(onA).toEqual(
      expect.arrayContaining([
        'VirtualMachine.Interact.PowerOn',
        'VirtualMachine.State.CreateSnapshot',
      ]),
    );
  });

  test('group membership is transitive and names compare case-insensitively', () => {
    const l = lab();
    const outer = 'VSPHERE.LOCAL\\Outer';
    l.b.permit(l.vmA, outer.toUpperCase(), l.power, { group: true });
    const snapshot = l.b.build();
    const model = new AccessModel(snapshot);
    const principals = resolvePrincipals('vsphere.local\\U1', {
      membership: { [outer]: [GA], [GA]: [U] },
    });
    expect(resolveAccess(model, principals).get(l.vmA.ref)?.privileges).toContain(
      'VirtualMachine.Interact.PowerOn',
    );
    // Without the membership file the group grant is unknown to the engine.
    expect(resolveAccess(model, resolvePrincipals(U)).get(l.vmA.ref)).toBeUndefined();
  });

  test('two parents for VMs: folder path and resource-pool path are added together', () => {
    const l = lab();
    l.b.permit(l.folder, U, l.power, { propagate: true });
    l.b.permit(l.pool, U, l.snap, { propagate: true });
    const onA = privilegesOn(l.b.build(), l.vmA);
    expect(onA).toEqual(
      expect.arrayContaining([
        'VirtualMachine.Interact.PowerOn',
        'VirtualMachine.State.CreateSnapshot',
      ]),
    );
  });

  test('a grant on the cluster reaches VMs through the resource-pool path only', () => {
    const l = lab();
    l.b.permit(l.cluster, U, l.snap, { propagate: true });
    const snapshot = l.b.build();
    const model = new AccessModel(snapshot);
    const access = resolveAccess(model, resolvePrincipals(U));
    const decisions = access.get(l.vmA.ref)?.decisions ?? [];
    // The cluster's root pool always inherits and has no permission of its own: the cluster decides.
    expect(decisions.map((d) => d.level.ref)).toEqual([l.cluster.ref]);
    expect(decisions[0]?.permissions.map((p) => p.entity)).toEqual([l.cluster.ref]);
    expect(access.get(l.folder.ref)).toBeUndefined();
  });

  test('No Access on the VM removes a propagated grant and contributes nothing', () => {
    const l = lab();
    l.b.permit(l.dc.dc, U, l.power, { propagate: true });
    l.b.permit(l.vmA, U, ROLE.NoAccess);
    const snapshot = l.b.build();
    expect(privilegesOn(snapshot, l.vmA)).toEqual([]);
    expect(privilegesOn(snapshot, l.vmB)).toContain('VirtualMachine.Interact.PowerOn');
    const reached = reachableEntities(new AccessModel(snapshot), resolvePrincipals(U));
    expect(reached.map((r) => r.entity.moref)).not.toContain(l.vmA.ref);
    expect(reached.map((r) => r.entity.moref)).toContain(l.vmB.ref);
  });

  test('No Access for the user beats a group grant at the same level (Example 3)', () => {
    const l = lab();
    l.b.permit(l.folder, GA, l.power, { group: true, propagate: true });
    l.b.permit(l.folder, U, ROLE.NoAccess, { propagate: true });
    expect(privilegesOn(l.b.build(), l.vmA)).toEqual([]);
  });

  test('open question §0.3: No Access on one path does not hide a grant on the other path', () => {
    const l = lab();
    l.b.permit(l.folder, U, ROLE.NoAccess, { propagate: true });
    l.b.permit(l.pool, U, l.snap, { propagate: true });
    expect(privilegesOn(l.b.build(), l.vmA)).toContain('VirtualMachine.State.CreateSnapshot');
  });

  test('forced inheritance: the datacenter vm folder takes a non-propagating datacenter grant as its own', () => {
    const l = lab();
    l.b.permit(l.dc.dc, U, ROLE.ReadOnly);
    const snapshot = l.b.build();
    expect(privilegesOn(snapshot, l.dc.dc)).toContain('System.Read');
    expect(privilegesOn(snapshot, l.dc.vmFolder)).toContain('System.Read');
    expect(privilegesOn(snapshot, l.dc.hostFolder)).toContain('System.Read');
    // ...but it does not travel further down: the tenant folder below sees nothing.
    expect(privilegesOn(snapshot, l.folder)).toEqual([]);
  });

  test('forced inheritance: the cluster root pool and a standalone host carry their parent grant', () => {
    const l = lab();
    const standalone = l.b.standaloneHost(l.dc, 'esx9');
    l.b.permit(l.cluster, U, l.snap);
    l.b.permit(standalone.compute, U, l.power);
    const snapshot = l.b.build();
    expect(privilegesOn(snapshot, l.rootPool)).toContain('VirtualMachine.State.CreateSnapshot');
    expect(privilegesOn(snapshot, standalone.host)).toContain('VirtualMachine.Interact.PowerOn');
    expect(privilegesOn(snapshot, standalone.rootPool)).toContain(
      'VirtualMachine.Interact.PowerOn',
    );
    expect(privilegesOn(snapshot, l.host)).toEqual([]); // a cluster's host is not forced
    expect(privilegesOn(snapshot, l.pool)).toEqual([]);
  });

  test('propagate = false on an ancestor does not reach the children, and does not hide a grant above it', () => {
    const l = lab();
    l.b.permit(l.folder, U, l.snap, { propagate: false });
    l.b.permit(l.dc.dc, U, l.power, { propagate: true });
    const snapshot = l.b.build();
    const onA = privilegesOn(snapshot, l.vmA);
    expect(onA).toContain('VirtualMachine.Interact.PowerOn');
    expect(onA).not.toContain('VirtualMachine.State.CreateSnapshot');
    expect(privilegesOn(snapshot, l.folder)).toContain('VirtualMachine.State.CreateSnapshot');
  });

  test('evidence: the granting permission with its defining entity, path and role name', () => {
    const l = lab();
    l.b.permit(l.folder, U, l.power, { propagate: true });
    const snapshot = l.b.build();
    const vcenter = snapshot.vcenter.instanceUuid;
    const reached = reachableEntities(new AccessModel(snapshot), resolvePrincipals(U));
    const vm = reached.find((r) => r.entity.moref === l.vmA.ref)!;
    // Every reference names its vCenter (instance UUID) and the managed object id there.
    expect(vm.entity).toEqual({
      vcenter,
      moref: l.vmA.ref,
      type: 'VirtualMachine',
      path: '/DC0/vm/tenant/vm-a',
    });
    expect(vm.grantedBy).toEqual([
      {
        entity: { vcenter, moref: l.folder.ref, type: 'Folder', path: '/DC0/vm/tenant' },
        principal: U,
        group: false,
        roleId: l.power,
        roleName: 'PowerOn',
        propagate: true,
      },
    ]);
  });

  test("a group account gets the union of its own and its parent groups' grants", () => {
    const l = lab();
    l.b.permit(l.vmA, GA, l.power, { group: true });
    l.b.permit(l.vmA, 'VSPHERE.LOCAL\\parent', l.snap, { group: true });
    const snapshot = l.b.build();
    const model = new AccessModel(snapshot);
    const principals = resolvePrincipals(GA, {
      group: true,
      membership: { 'VSPHERE.LOCAL\\parent': [GA] },
    });
    expect(resolveAccess(model, principals).get(l.vmA.ref)?.privileges).toEqual(
      expect.arrayContaining([
        'VirtualMachine.Interact.PowerOn',
        'VirtualMachine.State.CreateSnapshot',
      ]),
    );
  });

  test('only Anonymous does not count as reaching an object', () => {
    const l = lab();
    l.b.permit(l.vmA, U, ROLE.Anonymous);
    l.b.permit(l.vmB, U, ROLE.View);
    const reached = reachableEntities(new AccessModel(l.b.build()), resolvePrincipals(U));
    expect(reached.map((r) => r.entity.moref)).toEqual([l.vmB.ref]);
  });

  test('a datacenter grant reaching a VM along both paths is one decision with one evidence', () => {
    const l = lab();
    const grant = l.b.permit(l.dc.dc, U, l.power, { propagate: true });
    const model = new AccessModel(l.b.build());
    const access = resolveAccess(model, resolvePrincipals(U)).get(l.vmA.ref)!;
    expect(access.decisions.map((d) => d.permissions)).toEqual([[grant]]);
    const vm = reachableEntities(model, resolvePrincipals(U)).find(
      (r) => r.entity.moref === l.vmA.ref,
    )!;
    expect(vm.grantedBy.map((g) => g.entity.moref)).toEqual([l.dc.dc.ref]);
  });

  test('forced inheritance chain: a non-propagating cluster grant stops at the root pool', () => {
    const l = lab();
    l.b.permit(l.cluster, U, l.snap);
    l.b.permit(l.dc.dc, U, l.power, { propagate: true });
    const snapshot = l.b.build();
    expect(privilegesOn(snapshot, l.rootPool)).toContain('VirtualMachine.State.CreateSnapshot');
    expect(privilegesOn(snapshot, l.rootPool)).not.toContain('VirtualMachine.Interact.PowerOn');
    // Below the root pool the cluster's grant does not apply and does not hide the datacenter's.
    for (const e of [l.pool, l.vmA]) {
      expect(privilegesOn(snapshot, e)).toContain('VirtualMachine.Interact.PowerOn');
      expect(privilegesOn(snapshot, e)).not.toContain('VirtualMachine.State.CreateSnapshot');
    }
  });

  test('a VM in a vApp inherits through the vApp, from its pool and from its folder', () => {
    const l = lab();
    const vApp = l.b.vApp(l.folder, l.pool, 'app');
    const vm = l.b.vmInVApp(vApp, 'app-vm');
    l.b.permit(l.folder, U, l.power, { propagate: true });
    l.b.permit(l.pool, U, l.snap, { propagate: true });
    const snapshot = l.b.build();
    expect(privilegesOn(snapshot, vm)).toEqual(
      expect.arrayContaining([
        'VirtualMachine.Interact.PowerOn',
        'VirtualMachine.State.CreateSnapshot',
      ]),
    );
    l.b.permit(vApp, U, ROLE.NoAccess, { propagate: true });
    expect(privilegesOn(l.b.build(), vm)).toEqual([]);
  });

  test('the root folder: a non-propagating grant stays there, a propagating one reaches everything', () => {
    const l = lab();
    const p = l.b.permit(l.b.root, U, ROLE.ReadOnly);
    expect(privilegesOn(l.b.build(), l.b.root)).toContain('System.Read');
    expect(privilegesOn(l.b.build(), l.dc.dc)).toEqual([]);
    p.propagate = true;
    const reached = reachableEntities(new AccessModel(l.b.build()), resolvePrincipals(U));
    expect(reached).toHaveLength(l.b.entities.length);
  });

  test('a UPN names the same account as DOMAIN\\name, in permissions and in the membership file', () => {
    const l = lab();
    l.b.permit(l.vmA, 'u1@vsphere.local', l.power);
    l.b.permit(l.vmB, GA, l.snap, { group: true });
    const model = new AccessModel(l.b.build());
    const access = resolveAccess(
      model,
      resolvePrincipals(U, { membership: { [GA]: ['U1@VSPHERE.LOCAL'] } }),
    );
    expect(access.get(l.vmA.ref)?.privileges).toContain('VirtualMachine.Interact.PowerOn');
    expect(access.get(l.vmB.ref)?.privileges).toContain('VirtualMachine.State.CreateSnapshot');
  });
});
