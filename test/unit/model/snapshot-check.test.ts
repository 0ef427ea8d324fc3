import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSnapshot } from '../../../src/model/snapshot-check';
import { readSnapshot, snapshotText } from '../../../src/model/snapshot-file';
import { SnapshotBuilder, ROLE } from '../audit/snapshot-builder';

function lab() {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const folder = b.folder(dc.vmFolder, 'contoso');
  const { rootPool } = b.cluster(dc, 'C0');
  const vm = b.vm(folder, rootPool, 'contoso-vm1');
  b.permit(vm, 'VSPHERE.LOCAL\\asr-contoso', ROLE.ReadOnly);
  return { b, dc, folder, vm };
}

describe('checkSnapshot', () => {
  it('finds nothing wrong in a tree under the root folder', () => {
    expect(checkSnapshot(lab().b.build())).toEqual({ errors: [], warnings: [] });
  });

  it('reports a parent cycle with the refs that form it', () => {
    const { b, folder, dc } = lab();
    const s = b.build();
    // vm folder -> datacenter -> contoso folder -> vm folder
    s.entities.find((e) => e.ref === dc.dc.ref)!.parent = folder.ref;
    const { errors } = checkSnapshot(s);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^entities: the parents form a cycle \((.+ -> ){3}.+\); an inventory is a tree/,
    );
    expect(errors[0]).toContain(dc.dc.ref);
  });

  it('reports an entity that is its own parent', () => {
    const { b, folder } = lab();
    const s = b.build();
    s.entities.find((e) => e.ref === folder.ref)!.parent = folder.ref;
    expect(checkSnapshot(s).errors[0]).toContain(`${folder.ref} -> ${folder.ref}`);
  });

  it('reports a missing root folder and duplicate ids', () => {
    const { b, vm } = lab();
    const s = b.build();
    s.entities.push({ ...vm });
    s.rootFolder = 'group-nope';
    const { errors } = checkSnapshot(s);
    expect(errors).toContain('rootFolder: group-nope is not among the entities');
    expect(
      errors.some((e) => e.startsWith(`entities: 1 managed object id(s) appear twice (${vm.ref})`)),
    ).toBe(true);
  });

  it('warns about permissions on entities the snapshot does not have, and unknown roles', () => {
    const { b } = lab();
    const s = b.build();
    s.permissions.push({
      entity: 'vm-999',
      principal: 'X\\ghost',
      group: false,
      roleId: ROLE.ReadOnly,
      propagate: false,
    });
    s.permissions.push({
      entity: s.rootFolder,
      principal: 'X\\y',
      group: true,
      roleId: 4242,
      propagate: true,
    });
    const { errors, warnings } = checkSnapshot(s);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      '1 permission(s) are defined on objects the snapshot does not have and were not evaluated: user X\\ghost on vm-999',
      `1 permission(s) name a role the snapshot does not have: role 4242 for X\\y on ${s.rootFolder}`,
    ]);
  });

  it('stays linear on a deep chain (no recursion)', () => {
    const b = new SnapshotBuilder();
    let parent = b.root;
    for (let i = 0; i < 50000; i++) parent = b.folder(parent, `f${i}`);
    expect(checkSnapshot(b.build()).errors).toEqual([]);
  });
});

describe('readSnapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drperm-snapshot-check-'));

  it('refuses a snapshot whose parents form a cycle, naming the file', async () => {
    const { b, folder, dc } = lab();
    const s = b.build();
    s.entities.find((e) => e.ref === dc.dc.ref)!.parent = folder.ref;
    const file = join(dir, 'cycle.json');
    writeFileSync(file, snapshotText(s));
    await expect(readSnapshot(file)).rejects.toThrow(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a usable snapshot: entities: the parents form a cycle`,
      ),
    );
  });

  it('carries the warnings into the snapshot, for the report', async () => {
    const { b } = lab();
    const s = b.build();
    s.permissions.push({
      entity: 'vm-999',
      principal: 'X\\ghost',
      group: false,
      roleId: ROLE.ReadOnly,
      propagate: false,
    });
    const file = join(dir, 'orphan.json');
    writeFileSync(file, snapshotText(s));
    const { snapshot } = await readSnapshot(file);
    expect(snapshot.warnings).toEqual([
      'snapshot file: 1 permission(s) are defined on objects the snapshot does not have and were not evaluated: user X\\ghost on vm-999',
    ]);
  });
});
