import {
  avsVariant,
  cloudAdminGap,
  compareWithCloudAdmin,
  documentedVsLive,
  roleVsCloudAdminRows,
} from '../../../src/policy/cloudadmin';
import {
  catalogueFromPolicies,
  loadBaselinePolicy,
  loadRolePolicy,
  resolveRolePrivileges,
} from '../../../src/policy/role-policy';
import { catalogue, VM_CONFIG_67, VM_CONFIG_8X } from './catalogue-fixture';

describe('cloudAdminGap', () => {
  it('splits both ways and ignores the implicit System privileges', () => {
    const gap = cloudAdminGap(
      ['System.Read', 'Task.Create', 'Datastore.Browse', 'Datastore.Browse'],
      ['System.Anonymous', 'Datastore.Browse', 'Folder.Create'],
    );
    expect(gap).toEqual({
      beyondCloudAdmin: ['Task.Create'],
      cloudAdminOnly: ['Folder.Create'],
      shared: ['Datastore.Browse'],
    });
  });

  it('is empty both ways for identical sets', () => {
    expect(cloudAdminGap(['A.B', 'C.D'], ['C.D', 'A.B'])).toEqual({
      beyondCloudAdmin: [],
      cloudAdminOnly: [],
      shared: ['A.B', 'C.D'],
    });
  });
});

/**
 * The shipped files against a server catalogue: the IDs both files name plus the
 * server's own VirtualMachine.Config group (6.7-era with Unlock, 8.x without).
 */
async function shippedGap(vmConfig: readonly string[]) {
  const { policy: role } = await loadRolePolicy();
  const { policy: baseline } = await loadBaselinePolicy();
  const named = [...role.privileges, ...baseline.privileges]
    .map((p) => p.id)
    .filter((id) => !id.endsWith('*') && !id.startsWith('VirtualMachine.Config.'));
  const cat = catalogue([...new Set([...named, ...vmConfig])]);
  const resolvedRole = resolveRolePrivileges(role, cat);
  const resolvedBaseline = resolveRolePrivileges(baseline, cat);
  return { role, resolvedRole, resolvedBaseline };
}

describe('shipped Azure_Site_Recovery role vs shipped CloudAdmin baseline', () => {
  it('on a server that defines Unlock: exactly the five privileges of privileges.md', async () => {
    const { resolvedRole, resolvedBaseline } = await shippedGap(VM_CONFIG_67);
    const gap = cloudAdminGap(resolvedRole.privileges, resolvedBaseline.privileges);
    expect(gap.beyondCloudAdmin).toEqual([
      'Datastore.UpdateVirtualMachineFiles',
      'Task.Create',
      'Task.Update',
      'VirtualMachine.Config.Unlock',
      'VirtualMachine.Provisioning.PutVmFiles',
    ]);
  });

  it('on a server without Unlock (8.x): the four, and Unlock is skipped, not an error', async () => {
    const { resolvedRole, resolvedBaseline } = await shippedGap(VM_CONFIG_8X);
    expect(resolvedRole.skipped.map((s) => s.id)).toEqual(['VirtualMachine.Config.Unlock']);
    expect(
      cloudAdminGap(resolvedRole.privileges, resolvedBaseline.privileges).beyondCloudAdmin,
    ).toEqual([
      'Datastore.UpdateVirtualMachineFiles',
      'Task.Create',
      'Task.Update',
      'VirtualMachine.Provisioning.PutVmFiles',
    ]);
  });
});

describe('avsVariant', () => {
  it('drops what CloudAdmin lacks, keeps the rest, and says what each dropped privilege was for', async () => {
    const { role, resolvedRole, resolvedBaseline } = await shippedGap(VM_CONFIG_67);
    const variant = avsVariant(role.avsName!, resolvedRole.details, resolvedBaseline.privileges);
    expect(variant.name).toBe('Azure_Site_Recovery_AVS');
    const gap = cloudAdminGap(resolvedRole.privileges, resolvedBaseline.privileges);
    expect(variant.dropped.map((d) => d.id)).toEqual(gap.beyondCloudAdmin);
    for (const d of variant.dropped) {
      const entry = role.privileges.find((p) => p.id === d.id)!;
      expect(d).toEqual({ id: d.id, label: entry.label, purpose: entry.purpose });
    }
    // Nothing left that CloudAdmin lacks, and nothing CloudAdmin has was lost.
    expect(cloudAdminGap(variant.privileges, resolvedBaseline.privileges).beyondCloudAdmin).toEqual(
      [],
    );
    expect(variant.privileges).toEqual(
      resolvedRole.privileges.filter((id) => !gap.beyondCloudAdmin.includes(id)),
    );
  });

  it('keeps the implicit System privileges even when the CloudAdmin list omits them', () => {
    const variant = avsVariant(
      'V',
      [
        { id: 'System.Read', label: 'r' },
        { id: 'Task.Create', label: 't', purpose: 'p' },
        { id: 'Datastore.Browse', label: 'b' },
      ],
      ['Datastore.Browse'],
    );
    expect(variant.privileges).toEqual(['Datastore.Browse', 'System.Read']);
    expect(variant.dropped).toEqual([{ id: 'Task.Create', label: 't', purpose: 'p' }]);
  });
});

describe('documentedVsLive', () => {
  it('reports what the live role lacks and what it has beyond the documented list', () => {
    expect(
      documentedVsLive(['A.X', 'B.Y', 'System.Read'], ['B.Y', 'C.Z', 'System.Anonymous']),
    ).toEqual({ documentedOnly: ['A.X'], liveOnly: ['C.Z'] });
  });
});

describe('roleVsCloudAdminRows', () => {
  it('lists gaps first with the purpose, then shared, then CloudAdmin-only', () => {
    const rows = roleVsCloudAdminRows({
      rolePrivileges: ['System.Read', 'Datastore.Browse', 'Task.Update', 'Task.Create'],
      cloudAdminPrivileges: ['Datastore.Browse', 'Folder.Create'],
      labels: new Map([
        ['Task.Create', 'Tasks > Create task'],
        ['Datastore.Browse', 'Datastore > Browse datastore'],
      ]),
      purposes: new Map([['Task.Create', 'report progress']]),
      roleName: 'ASR',
    });
    expect(rows.map((r) => [r.privilege, r.inRole, r.inCloudAdmin])).toEqual([
      ['Task.Create', true, false],
      ['Task.Update', true, false],
      ['Datastore.Browse', true, true],
      ['Folder.Create', false, true],
    ]);
    expect(rows[0]).toMatchObject({ label: 'Tasks > Create task' });
    expect(rows[0]!.note).toMatch(/ASR cannot be assigned.*dropping it loses: report progress/);
    expect(rows[1]!.label).toBe('Task.Update');
    expect(rows[1]!.note).not.toContain('dropping it loses');
    expect(rows[2]!.note).toBe('');
    expect(rows[3]!.note).toBe('not needed by ASR');
  });
});

describe('compareWithCloudAdmin', () => {
  it('offline without a catalogue: the documented list, the role expanded from the IDs the files name', async () => {
    const { policy: role, source: roleSource } = await loadRolePolicy();
    const { policy: baseline, source: baselineSource } = await loadBaselinePolicy();
    const result = compareWithCloudAdmin({
      role,
      roleSource,
      baseline,
      baselineSource,
      catalogue: catalogueFromPolicies(role, baseline),
    });
    expect(result.cloudAdminFrom).toBe('documented');
    expect(result.documentedVsServer).toBeUndefined();
    expect(result.beyondCloudAdmin.map((p) => p.id)).toEqual([
      'Datastore.UpdateVirtualMachineFiles',
      'Task.Create',
      'Task.Update',
      'VirtualMachine.Config.Unlock',
      'VirtualMachine.Provisioning.PutVmFiles',
    ]);
    const taskCreate = result.beyondCloudAdmin.find((p) => p.id === 'Task.Create')!;
    expect(taskCreate.label).toBe('Tasks > Create task');
    expect(taskCreate.purpose).toMatch(/task/);
    expect(result.cloudAdminOnly.map((p) => p.id)).toContain('Folder.Create');
    expect(result.rows.filter((r) => r.inRole && !r.inCloudAdmin)).toHaveLength(5);
  });

  it("with a server's CloudAdmin: compares with it, and reports where it departs from the documented list", async () => {
    const { policy: role } = await loadRolePolicy();
    const { policy: baseline } = await loadBaselinePolicy();
    const cat = catalogueFromPolicies(role, baseline);
    const documented = resolveRolePrivileges(baseline, cat).privileges;
    // An AVS release that added Task.Create to CloudAdmin and removed Folder.Delete.
    const server = [...documented.filter((id) => id !== 'Folder.Delete'), 'Task.Create'];
    const result = compareWithCloudAdmin({
      role,
      baseline,
      catalogue: cat,
      serverCloudAdmin: server,
    });
    expect(result.cloudAdminFrom).toBe('server');
    expect(result.beyondCloudAdmin.map((p) => p.id)).not.toContain('Task.Create');
    expect(result.documentedVsServer).toEqual({
      documentedOnly: [{ id: 'Folder.Delete', label: 'Folder > Delete folder' }],
      serverOnly: [expect.objectContaining({ id: 'Task.Create', label: 'Tasks > Create task' })],
    });
  });
});
