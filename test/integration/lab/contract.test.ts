// The lab speaks vCenter's contract by default (permissions, escaped names, no vcsim
// settings, vCenter 8.0.3's about); with vcsimSemantics it keeps vcsim 0.24's behaviour.
import { startLab } from '../../lab/launch';
import type { RunningLab } from '../../lab/launch';
import { retrieveAll } from './inventory-query';
import { SoapSession, faultType, text } from './soap-session';
import type { Perm, Ref } from './permission-calls';
import {
  about,
  allPermissions,
  entityPermissions,
  findByPath,
  mustFind,
  properties,
  removePermission,
  setPermissions,
  settingKeys,
} from './permission-calls';

const READ_ONLY = -2;
const ADMIN = -1;
const NO_ACCESS = -5;
const VCSIM_DEFAULT_UUID = 'dbed6e0c-bd88-4ef6-b594-21283e1c677f';

function grant(principal: string, roleId: number, propagate = true, group = false) {
  return { principal, group, roleId, propagate };
}

function principals(perms: Perm[]): string[] {
  return perms.map((p) => p.principal).sort();
}

async function session(lab: RunningLab): Promise<SoapSession> {
  const s = new SoapSession(lab);
  await s.login();
  return s;
}

describe('lab with the real contract (default)', () => {
  let lab: RunningLab;
  let other: RunningLab;
  let s: SoapSession;
  let contoso: Ref;
  beforeAll(async () => {
    [lab, other] = await Promise.all([
      startLab({ scenario: 'contract' }),
      startLab({ scenario: 'lab' }),
    ]);
    s = await session(lab);
    contoso = await mustFind(s, 'DC0/vm/contoso');
  });
  afterAll(async () => {
    await s?.logout();
    await Promise.all([lab?.stop(), other?.stop()]);
  });

  it('SetEntityPermissions adds or updates per principal and leaves the others alone', async () => {
    await setPermissions(s, contoso, [grant('VSPHERE.LOCAL\\alice', READ_ONLY)]);
    await setPermissions(s, contoso, [grant('VSPHERE.LOCAL\\bob', READ_ONLY, false)]);
    expect(principals(await entityPermissions(s, contoso, false))).toEqual([
      'VSPHERE.LOCAL\\alice',
      'VSPHERE.LOCAL\\bob',
    ]);
    // Updating alice changes alice only; the same name as a group is another principal.
    await setPermissions(s, contoso, [
      grant('VSPHERE.LOCAL\\alice', ADMIN, false),
      grant('VSPHERE.LOCAL\\alice', NO_ACCESS, true, true),
    ]);
    const perms = await entityPermissions(s, contoso, false);
    expect(perms).toEqual(
      expect.arrayContaining([
        { entity: contoso.id, ...grant('VSPHERE.LOCAL\\alice', ADMIN, false) },
        { entity: contoso.id, ...grant('VSPHERE.LOCAL\\alice', NO_ACCESS, true, true) },
        { entity: contoso.id, ...grant('VSPHERE.LOCAL\\bob', READ_ONLY, false) },
      ]),
    );
    expect(perms).toHaveLength(3);
  });

  it('ResetEntityPermissions replaces the whole list', async () => {
    const fabrikam = await mustFind(s, 'DC0/vm/fabrikam');
    await setPermissions(s, fabrikam, [
      grant('VSPHERE.LOCAL\\a', READ_ONLY),
      grant('VSPHERE.LOCAL\\b', READ_ONLY),
    ]);
    await setPermissions(
      s,
      fabrikam,
      [grant('VSPHERE.LOCAL\\c', READ_ONLY)],
      'ResetEntityPermissions',
    );
    expect(principals(await entityPermissions(s, fabrikam, false))).toEqual(['VSPHERE.LOCAL\\c']);
  });

  it('RemoveEntityPermission raises NotFound when there is no such permission', async () => {
    const pool = await mustFind(s, 'DC0/host/DC0_C0/Resources/shared-rp');
    const none = await removePermission(s, pool, 'VSPHERE.LOCAL\\nobody', false);
    expect(none.status).toBe(500);
    expect(faultType(none)).toBe('NotFound');

    await setPermissions(s, pool, [grant('VSPHERE.LOCAL\\carol', READ_ONLY)]);
    // isGroup must match the stored flag.
    expect(faultType(await removePermission(s, pool, 'VSPHERE.LOCAL\\carol', true))).toBe(
      'NotFound',
    );
    const removed = await removePermission(s, pool, 'VSPHERE.LOCAL\\carol', false);
    expect(removed.status).toBe(200);
    expect(await entityPermissions(s, pool, false)).toEqual([]);
  });

  it('refuses permissions on entities that always inherit, and the View role', async () => {
    const vmFolder = await mustFind(s, 'DC0/vm');
    expect(
      faultType(await setPermissions(s, vmFolder, [grant('VSPHERE.LOCAL\\x', READ_ONLY)])),
    ).toBe('InvalidArgument');
    const rootPool = await mustFind(s, 'DC0/host/DC0_C0/Resources');
    expect(
      faultType(await setPermissions(s, rootPool, [grant('VSPHERE.LOCAL\\x', READ_ONLY)])),
    ).toBe('InvalidArgument');
    expect(faultType(await setPermissions(s, contoso, [grant('VSPHERE.LOCAL\\x', -3)]))).toBe(
      'InvalidArgument',
    );
    expect(faultType(await setPermissions(s, contoso, [grant('VSPHERE.LOCAL\\x', 987654)]))).toBe(
      'NotFound',
    );
  });

  it('returns every permission with its entity, written without one', async () => {
    const all = await allPermissions(s);
    expect(all.length).toBeGreaterThan(3);
    for (const p of all) expect(p.entity).toBeDefined();
    expect(all.filter((p) => p.principal === 'VSPHERE.LOCAL\\bob')).toEqual([
      { entity: contoso.id, ...grant('VSPHERE.LOCAL\\bob', READ_ONLY, false) },
    ]);
  });

  it('RetrieveEntityPermissions(inherited) adds only what propagates, over both parents of a VM', async () => {
    const vm = await mustFind(s, 'DC0/vm/fabrikam/fabrikam-web01');
    const fabrikam = await mustFind(s, 'DC0/vm/fabrikam');
    const pool = await mustFind(s, 'DC0/host/DC0_C0/Resources/fabrikam-rp');
    await setPermissions(s, fabrikam, [
      grant('VSPHERE.LOCAL\\folder-propagating', READ_ONLY, true),
      grant('VSPHERE.LOCAL\\folder-here-only', READ_ONLY, false),
    ]);
    await setPermissions(s, pool, [grant('VSPHERE.LOCAL\\pool-propagating', READ_ONLY, true)]);
    await setPermissions(s, vm, [grant('VSPHERE.LOCAL\\on-the-vm', READ_ONLY, false)]);

    const own = await entityPermissions(s, vm, false);
    expect(principals(own)).toEqual(['VSPHERE.LOCAL\\on-the-vm']);

    const inherited = await entityPermissions(s, vm, true);
    const names = principals(inherited);
    expect(names).toEqual(
      expect.arrayContaining([
        'VSPHERE.LOCAL\\on-the-vm',
        'VSPHERE.LOCAL\\folder-propagating',
        'VSPHERE.LOCAL\\pool-propagating',
        'VSPHERE.LOCAL\\monitoring', // root, propagating
        'VSPHERE.LOCAL\\backup-admins', // datacenter, propagating
      ]),
    );
    // Not propagating: the folder's own-only grant and ops on the cluster.
    expect(names).not.toContain('VSPHERE.LOCAL\\folder-here-only');
    expect(names).not.toContain('VSPHERE.LOCAL\\ops');
    // Each permission once, even though the root is reached over both parents.
    expect(names.filter((n) => n === 'VSPHERE.LOCAL\\monitoring')).toHaveLength(1);
    const fromPool = inherited.find((p) => p.principal === 'VSPHERE.LOCAL\\pool-propagating');
    expect(fromPool?.entity).toBe(pool.id);
  });

  it('returns entity names escaped and resolves escaped inventory paths', async () => {
    const folder = await findByPath(s, 'DC0/vm/ops%2fbackup');
    expect(folder?.type).toBe('Folder');
    const vm = await mustFind(s, 'DC0/vm/ops%2fbackup/100%25 back%5cup');
    expect(vm.type).toBe('VirtualMachine');
    const props = await properties(s, vm, ['name', 'config.name', 'summary.config.name']);
    expect(text(props['name'])).toBe('100%25 back%5cup');
    expect(text(props['config.name'])).toBe('100%25 back%5cup');
    expect(text(props['summary.config.name'])).toBe('100%25 back%5cup');
    expect(text((await properties(s, folder as Ref, ['name']))['name'])).toBe('ops%2fbackup');
    // The raw name is not a path vCenter resolves.
    expect(await findByPath(s, 'DC0/vm/ops/backup')).toBeUndefined();
  });

  it('escapes the names of objects created or renamed through the API', async () => {
    const created = await s.call(
      'CreateFolder',
      'Folder',
      contoso.id,
      '<name>made/by\\api 5%</name>',
    );
    const res = created.body['CreateFolderResponse'] as { returnval: { '#text': string }[] };
    const folder = { type: 'Folder', id: res.returnval[0]?.['#text'] ?? '' };
    expect(text((await properties(s, folder, ['name']))['name'])).toBe('made%2fby%5capi 5%25');
    expect(await findByPath(s, 'DC0/vm/contoso/made%2fby%5capi 5%25')).toEqual(folder);

    await s.call('Rename_Task', 'Folder', folder.id, '<newName>re/named</newName>');
    let name = '';
    for (let i = 0; i < 50 && name !== 're%2fnamed'; i++) {
      name = text((await properties(s, folder, ['name']))['name']);
      if (name !== 're%2fnamed') await new Promise((r) => setTimeout(r, 20));
    }
    expect(name).toBe('re%2fnamed');
  });

  it('has none of vcsim’s own settings', async () => {
    const keys = await settingKeys(s);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.startsWith('vcsim.'))).toEqual([]);
    const query = await s.call(
      'QueryOptions',
      'OptionManager',
      'VpxSettings',
      '<name>vcsim.server.url</name>',
    );
    expect(faultType(query)).toBe('InvalidName');
  });

  it('reports an about like vCenter 8.0.3 with an instance UUID of its own', async () => {
    const a = await about(s);
    expect(a).toMatchObject({ apiVersion: '8.0.3.0', version: '8.0.3', apiType: 'VirtualCenter' });
    expect(a.fullName).toMatch(/^VMware vCenter Server 8\.0\.3 build-\d+$/);
    expect(a.instanceUuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(a.instanceUuid).not.toBe(VCSIM_DEFAULT_UUID);
    const o = new SoapSession(other);
    expect((await about(o)).instanceUuid).not.toBe(a.instanceUuid);
  });

  it('lists 8.0.3.0 and the older API versions in vimServiceVersions.xml, as vCenter 8.0.3', async () => {
    // pyVmomi picks the newest version it shares with this list: 6.7.1 for pyVmomi 6.7.1.
    const { status, raw } = await new SoapSession(lab).get('/sdk/vimServiceVersions.xml');
    expect(status).toBe(200);
    expect(raw).toContain('<name>urn:vim25</name><version>8.0.3.0</version><priorVersions>');
    const prior = [...raw.matchAll(/<version>([^<]+)<\/version>/g)].map((m) => m[1]).slice(1);
    expect(prior.slice(0, 2)).toEqual(['8.0.2.0', '8.0.1.0']);
    expect(prior).toEqual(expect.arrayContaining(['7.0.3.0', '6.7.1', '6.7', '6.5', '6.0']));
    expect(prior.at(-1)).toBe('4.0');
  });
});

describe('lab with vcsimSemantics', () => {
  let lab: RunningLab;
  let s: SoapSession;
  beforeAll(async () => {
    lab = await startLab({ scenario: 'contract', vcsimSemantics: true });
    s = await session(lab);
  });
  afterAll(async () => {
    await s?.logout();
    await lab?.stop();
  });

  it('SetEntityPermissions replaces the list and RemoveEntityPermission never fails', async () => {
    const contoso = await mustFind(s, 'DC0/vm/contoso');
    await setPermissions(s, contoso, [grant('VSPHERE.LOCAL\\alice', READ_ONLY)]);
    await setPermissions(s, contoso, [grant('VSPHERE.LOCAL\\bob', READ_ONLY)]);
    const perms = await entityPermissions(s, contoso, false);
    expect(principals(perms)).toEqual(['VSPHERE.LOCAL\\bob']);
    // vcsim returns what was written: no entity.
    expect(perms[0]?.entity).toBeUndefined();
    const none = await removePermission(s, contoso, 'VSPHERE.LOCAL\\nobody', false);
    expect(none.status).toBe(200);
  });

  it('RetrieveEntityPermissions(inherited) returns every ancestor permission', async () => {
    const cluster = await mustFind(s, 'DC0/host/DC0_C0');
    const pool = await mustFind(s, 'DC0/host/DC0_C0/Resources/contoso-rp');
    const names = principals(await entityPermissions(s, pool, true));
    expect(names).toContain('VSPHERE.LOCAL\\ops'); // on the cluster, not propagating
    expect(principals(await entityPermissions(s, cluster, false))).toEqual(['VSPHERE.LOCAL\\ops']);
  });

  it('returns raw names', async () => {
    const folders = await retrieveAll(s, 'Folder', ['name']);
    const names = folders.map((f) => text(f.props['name']));
    expect(names).toContain('ops/backup');
    expect(names).not.toContain('ops%2fbackup');
    const vms = await retrieveAll(s, 'VirtualMachine', ['name']);
    expect(vms.map((v) => text(v.props['name']))).toContain('100% back\\up');
  });

  it('keeps vcsim’s settings and about', async () => {
    expect(await settingKeys(s)).toContain('vcsim.server.url');
    const a = await about(s);
    expect(a.instanceUuid).toBe(VCSIM_DEFAULT_UUID);
    expect(a.apiVersion).not.toBe('8.0.3.0');
    const { raw } = await new SoapSession(lab).get('/sdk/vimServiceVersions.xml');
    expect(raw).toContain(`<version>${a.apiVersion}</version>`);
    expect(raw).not.toContain('8.0.3.0');
  });
});
