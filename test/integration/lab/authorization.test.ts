// The lab enforces authorization by default: scenario users log in, non-administrator
// sessions see only what their permissions allow, and vCenter's effective-privilege and
// directory calls answer from the same rules. With vcsimSemantics it is vcsim again.
import { loadScenario } from '../../lab/scenario';
import { startLab } from '../../lab/launch';
import type { RunningLab } from '../../lab/launch';
import { retrieveAll, viewSpec, createView } from './inventory-query';
import type { Ref } from './permission-calls';
import { mustFind, removePermission, setPermissions } from './permission-calls';
import { SoapSession, faultType, objectsOf, text, xmlEscape } from './soap-session';

interface ScenarioUser {
  name: string;
  password: string;
}
const USERS = (loadScenario('lab') as { users: ScenarioUser[] }).users;
function passwordOf(name: string): string {
  const user = USERS.find((u) => u.name === name);
  if (user === undefined) throw new Error(`no scenario user ${name}`);
  return user.password;
}

const CONTOSO = 'VSPHERE.LOCAL\\asr-contoso';
const FABRIKAM = 'VSPHERE.LOCAL\\asr-fabrikam';
const READ_ONLY = -2;
const NO_ACCESS = -5;
const READ_PRIVILEGES = ['System.Anonymous', 'System.Read', 'System.View'];

async function loginAs(lab: RunningLab, user: string, password = passwordOf(user)) {
  const s = new SoapSession(lab);
  const reply = await s.login(password, user);
  if (reply.status !== 200) throw new Error(`login ${user}: ${reply.raw}`);
  return s;
}

async function vmNames(s: SoapSession): Promise<string[]> {
  return (await retrieveAll(s, 'VirtualMachine', ['name']))
    .map((o) => text(o.props['name']))
    .sort();
}

function grant(principal: string, roleId: number, propagate: boolean, group = false) {
  return { principal, group, roleId, propagate };
}

async function fetchPrivileges(
  s: SoapSession,
  user: string,
  entities: Ref[],
): Promise<Map<string, string[]>> {
  const reply = await s.call(
    'FetchUserPrivilegeOnEntities',
    'AuthorizationManager',
    'AuthorizationManager',
    entities.map((e) => `<entities type="${e.type}">${xmlEscape(e.id)}</entities>`).join('') +
      `<userName>${xmlEscape(user)}</userName>`,
  );
  const res = reply.body['FetchUserPrivilegeOnEntitiesResponse'] as
    { returnval?: { entity: { '#text': string }; privileges?: string | string[] }[] } | undefined;
  if (res === undefined) throw new Error(reply.raw);
  const out = new Map<string, string[]>();
  for (const r of res.returnval ?? []) {
    const privs = r.privileges === undefined ? [] : ([] as string[]).concat(r.privileges);
    out.set(r.entity['#text'], privs.map(String).sort());
  }
  return out;
}

async function hasPrivileges(
  s: SoapSession,
  user: string,
  entity: Ref,
  privIds: string[],
): Promise<Record<string, boolean>> {
  const reply = await s.call(
    'HasUserPrivilegeOnEntities',
    'AuthorizationManager',
    'AuthorizationManager',
    `<entities type="${entity.type}">${xmlEscape(entity.id)}</entities>` +
      `<userName>${xmlEscape(user)}</userName>` +
      privIds.map((p) => `<privId>${p}</privId>`).join(''),
  );
  const res = reply.body['HasUserPrivilegeOnEntitiesResponse'] as {
    returnval: {
      privAvailability:
        { privId: string; isGranted: string }[] | { privId: string; isGranted: string };
    }[];
  };
  const avail = ([] as { privId: string; isGranted: string }[]).concat(
    res.returnval[0]?.privAvailability ?? [],
  );
  return Object.fromEntries(avail.map((a) => [a.privId, a.isGranted === 'true']));
}

interface Found {
  principal: string;
  group: boolean;
}

async function userGroups(
  s: SoapSession,
  query: Record<string, string | boolean>,
): Promise<Found[]> {
  const q = {
    searchStr: '',
    exactMatch: false,
    findUsers: true,
    findGroups: true,
    ...query,
  };
  // Parameters in WSDL order.
  const inner = [
    'domain',
    'searchStr',
    'belongsToGroup',
    'belongsToUser',
    'exactMatch',
    'findUsers',
    'findGroups',
  ]
    .filter((k) => k in q)
    .map((k) => `<${k}>${xmlEscape(String(q[k as keyof typeof q]))}</${k}>`)
    .join('');
  const reply = await s.call('RetrieveUserGroups', 'UserDirectory', 'UserDirectory', inner);
  const res = reply.body['RetrieveUserGroupsResponse'] as
    { returnval?: { principal: string; group: string }[] } | undefined;
  if (res === undefined) throw new Error(reply.raw);
  return (res.returnval ?? [])
    .map((r) => ({ principal: text(r.principal), group: r.group === 'true' }))
    .sort((a, b) => a.principal.localeCompare(b.principal));
}

describe('lab authorization (default)', () => {
  let lab: RunningLab;
  let admin: SoapSession;
  const ref: Record<string, Ref> = {};
  beforeAll(async () => {
    lab = await startLab({ scenario: 'lab' });
    admin = new SoapSession(lab);
    await admin.login();
    for (const o of await retrieveAll(admin, 'VirtualMachine', ['name'])) {
      ref[text(o.props['name'])] = { type: o.type, id: o.id };
    }
    ref['contoso'] = await mustFind(admin, 'DC0/vm/contoso');
    ref['fabrikam'] = await mustFind(admin, 'DC0/vm/fabrikam');
    ref['contoso-rp'] = await mustFind(admin, 'DC0/host/DC0_C0/Resources/contoso-rp');
    ref['DC0'] = await mustFind(admin, 'DC0');
  });
  afterAll(async () => {
    await admin?.logout();
    await lab?.stop();
  });

  it('accepts the scenario users and the administrator, refuses others with InvalidLogin', async () => {
    for (const user of USERS) {
      const s = await loginAs(lab, user.name, user.password);
      await s.logout();
    }
    // name@domain is the same account.
    await (await loginAs(lab, 'asr-contoso@vsphere.local', passwordOf(CONTOSO))).logout();
    const wrong = await new SoapSession(lab).login(passwordOf(FABRIKAM), CONTOSO);
    expect(faultType(wrong)).toBe('InvalidLogin');
    const unknown = await new SoapSession(lab).login('whatever', 'VSPHERE.LOCAL\\intruder');
    expect(faultType(unknown)).toBe('InvalidLogin');
    const adminAgain = await new SoapSession(lab).login();
    expect(adminAgain.status).toBe(200);
  });

  it('shows a tenant account only what its permissions reach', async () => {
    const contoso = await loginAs(lab, CONTOSO);
    // monitoring's root grant is not the tenant's: nothing to see yet.
    expect(await vmNames(contoso)).toEqual([]);

    // Per object, without propagation, as drperm onboards.
    for (const name of ['contoso-app01', 'contoso-db01', 'contoso-cs01']) {
      await setPermissions(admin, ref[name] as Ref, [grant(CONTOSO, READ_ONLY, false)]);
    }
    await setPermissions(admin, ref['contoso'] as Ref, [grant(CONTOSO, READ_ONLY, false)]);
    expect(await vmNames(contoso)).toEqual(['contoso-app01', 'contoso-cs01', 'contoso-db01']);
    const folders = (await retrieveAll(contoso, 'Folder', ['name'])).map((o) =>
      text(o.props['name']),
    );
    expect(folders).toEqual(['contoso']); // not propagated: nothing below or beside it

    // Propagating from the folder reaches the fourth VM too.
    await setPermissions(admin, ref['contoso'] as Ref, [grant(CONTOSO, READ_ONLY, true)]);
    expect(await vmNames(contoso)).toContain('=contoso&<legacy>');
    expect(await vmNames(contoso)).toHaveLength(4);
    await contoso.logout();
  });

  it('reaches a VM through its resource pool as well as its folder', async () => {
    const fabrikam = await loginAs(lab, FABRIKAM);
    expect(await vmNames(fabrikam)).toEqual([]);
    await setPermissions(admin, ref['contoso-rp'] as Ref, [grant(FABRIKAM, READ_ONLY, true)]);
    expect(await vmNames(fabrikam)).toEqual([
      '=contoso&<legacy>',
      'contoso-app01',
      'contoso-cs01',
      'contoso-db01',
    ]);
    const pools = (await retrieveAll(fabrikam, 'ResourcePool', ['name'])).map((o) =>
      text(o.props['name']),
    );
    expect(pools).toEqual(['contoso-rp']);
    await removePermission(admin, ref['contoso-rp'] as Ref, FABRIKAM, false);
    expect(await vmNames(fabrikam)).toEqual([]);
    await fabrikam.logout();
  });

  it('child over parent: No Access on a VM hides it under a propagating datacenter grant', async () => {
    await setPermissions(admin, ref['DC0'] as Ref, [grant(FABRIKAM, READ_ONLY, true)]);
    await setPermissions(admin, ref['fabrikam-db01'] as Ref, [grant(FABRIKAM, NO_ACCESS, false)]);
    const fabrikam = await loginAs(lab, FABRIKAM);
    const names = await vmNames(fabrikam);
    expect(names).toContain('fabrikam-web01');
    expect(names).toContain('contoso-app01');
    expect(names).not.toContain('fabrikam-db01');
    expect(names).toHaveLength(7);
    const privs = await fetchPrivileges(admin, FABRIKAM, [
      ref['fabrikam-db01'] as Ref,
      ref['fabrikam-web01'] as Ref,
    ]);
    expect(privs.get((ref['fabrikam-db01'] as Ref).id)).toEqual([]);
    expect(privs.get((ref['fabrikam-web01'] as Ref).id)).toEqual(READ_PRIVILEGES);
    await removePermission(admin, ref['DC0'] as Ref, FABRIKAM, false);
    await removePermission(admin, ref['fabrikam-db01'] as Ref, FABRIKAM, false);
    await fabrikam.logout();
  });

  it('user over group, union of groups, nested groups', async () => {
    const vm = ref['unowned-vm01'] as Ref;
    const roles = await admin.call(
      'RetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      '<specSet><propSet><type>AuthorizationManager</type><pathSet>roleList</pathSet></propSet>' +
        '<objectSet><obj type="AuthorizationManager">AuthorizationManager</obj></objectSet></specSet><options/>',
    );
    const backupRole =
      /<roleId>(-?\d+)<\/roleId><system>false<\/system><name>Backup Operator</.exec(roles.raw);
    const backup = Number(backupRole?.[1]);
    expect(Number.isInteger(backup)).toBe(true);
    // asr-accounts holds Read-only; service-accounts (which asr-accounts is in) the backup role.
    await setPermissions(admin, vm, [
      grant('VSPHERE.LOCAL\\asr-accounts', READ_ONLY, false, true),
      grant('VSPHERE.LOCAL\\service-accounts', backup, false, true),
    ]);
    const fabrikamPrivs = (await fetchPrivileges(admin, FABRIKAM, [vm])).get(vm.id) ?? [];
    expect(fabrikamPrivs).toEqual(
      expect.arrayContaining([...READ_PRIVILEGES, 'VirtualMachine.State.CreateSnapshot']),
    );
    // A user permission wins over every group permission, No Access included.
    await setPermissions(admin, vm, [grant(CONTOSO, NO_ACCESS, false)]);
    expect((await fetchPrivileges(admin, CONTOSO, [vm])).get(vm.id)).toEqual([]);
    expect(await hasPrivileges(admin, CONTOSO, vm, ['System.View', 'System.Read'])).toEqual({
      'System.View': false,
      'System.Read': false,
    });
    expect(
      await hasPrivileges(admin, FABRIKAM, vm, [
        'System.View',
        'VirtualMachine.State.CreateSnapshot',
        'VirtualMachine.Interact.PowerOn',
      ]),
    ).toEqual({
      'System.View': true,
      'VirtualMachine.State.CreateSnapshot': true,
      'VirtualMachine.Interact.PowerOn': false,
    });
    const fabrikam = await loginAs(lab, FABRIKAM);
    expect(await vmNames(fabrikam)).toEqual(['unowned-vm01']);
    await fabrikam.logout();
    const contoso = await loginAs(lab, CONTOSO);
    expect(await vmNames(contoso)).not.toContain('unowned-vm01');
    await contoso.logout();
    await setPermissions(admin, vm, [], 'ResetEntityPermissions');
  });

  it('answers Admin for the administrator and nothing for an account without permissions', async () => {
    const vm = ref['fabrikam-web01'] as Ref;
    const adminPrivs = (await fetchPrivileges(admin, lab.username, [vm])).get(vm.id) ?? [];
    expect(adminPrivs.length).toBeGreaterThan(100);
    expect(adminPrivs).toContain('Authorization.ModifyPermissions');
    expect((await fetchPrivileges(admin, 'VSPHERE.LOCAL\\backup-svc', [vm])).get(vm.id)).toEqual(
      expect.arrayContaining(['VirtualMachine.State.CreateSnapshot']),
    ); // backup-admins' propagating grant on DC0
    expect((await fetchPrivileges(admin, 'VSPHERE.LOCAL\\ops', [vm])).get(vm.id)).toEqual([]);
  });

  it('a cluster grant that does not propagate still covers the cluster root pool', async () => {
    const cluster = await mustFind(admin, 'DC0/host/DC0_C0');
    const rootPool = await mustFind(admin, 'DC0/host/DC0_C0/Resources');
    const privs = await fetchPrivileges(admin, 'VSPHERE.LOCAL\\ops', [
      cluster,
      rootPool,
      ref['contoso-rp'] as Ref,
    ]);
    expect(privs.get(cluster.id)).toEqual(READ_PRIVILEGES);
    expect(privs.get(rootPool.id)).toEqual(READ_PRIVILEGES); // always inherits from the cluster
    expect(privs.get((ref['contoso-rp'] as Ref).id)).toEqual([]);
  });

  it('filters RetrieveProperties and every page of RetrievePropertiesEx', async () => {
    const fabrikam = await loginAs(lab, FABRIKAM);
    for (const name of ['fabrikam-web01', 'fabrikam-db01']) {
      await setPermissions(admin, ref[name] as Ref, [grant(FABRIKAM, READ_ONLY, false)]);
    }
    const view = await createView(fabrikam, 'VirtualMachine');
    const names: string[] = [];
    let reply = await fabrikam.call(
      'RetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      viewSpec(view, 'VirtualMachine', ['name']) + '<options><maxObjects>1</maxObjects></options>',
    );
    let result = (
      reply.body['RetrievePropertiesExResponse'] as { returnval: Record<string, unknown>[] }
    ).returnval[0];
    for (;;) {
      names.push(...objectsOf(result).map((o) => text(o.props['name'])));
      const token = result?.['token'];
      if (token === undefined) break;
      reply = await fabrikam.call(
        'ContinueRetrievePropertiesEx',
        'PropertyCollector',
        'propertyCollector',
        `<token>${text(token)}</token>`,
      );
      result = (
        reply.body['ContinueRetrievePropertiesExResponse'] as {
          returnval: Record<string, unknown>[];
        }
      ).returnval[0];
    }
    expect(names.sort()).toEqual(['fabrikam-db01', 'fabrikam-web01']);

    const plain = await fabrikam.call(
      'RetrieveProperties',
      'PropertyCollector',
      'propertyCollector',
      viewSpec(view, 'VirtualMachine', ['name']),
    );
    const objects =
      (plain.body['RetrievePropertiesResponse'] as { returnval?: unknown[] }).returnval ?? [];
    expect(objects).toHaveLength(2);
    // The view itself lists only what the session may see.
    const viewProps = await fabrikam.call(
      'RetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      `<specSet><propSet><type>ContainerView</type><pathSet>view</pathSet></propSet><objectSet><obj type="ContainerView">${view}</obj></objectSet></specSet><options/>`,
    );
    expect(viewProps.raw.match(/type="VirtualMachine"/g)).toHaveLength(2);
    await fabrikam.call('DestroyView', 'ContainerView', view);
    await fabrikam.logout();

    // Without a session nothing in the inventory is visible.
    const anonymous = await new SoapSession(lab).call(
      'RetrievePropertiesEx',
      'PropertyCollector',
      'propertyCollector',
      `<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type="VirtualMachine">${(ref['fabrikam-web01'] as Ref).id}</obj></objectSet></specSet><options/>`,
    );
    expect(anonymous.raw).not.toContain('fabrikam-web01');
  });

  it('RetrieveUserGroups lists the scenario directory and honours its filters', async () => {
    const all = await userGroups(admin, {});
    expect(all).toEqual(
      expect.arrayContaining([
        { principal: 'asr-contoso', group: false },
        { principal: 'asr-fabrikam', group: false },
        { principal: 'asr-accounts', group: true },
        { principal: 'service-accounts', group: true },
        { principal: 'Administrators', group: true },
      ]),
    );
    expect((await userGroups(admin, { findGroups: false })).every((r) => !r.group)).toBe(true);
    expect((await userGroups(admin, { findUsers: false })).every((r) => r.group)).toBe(true);
    expect(await userGroups(admin, { searchStr: 'ASR-', findGroups: false })).toEqual([
      { principal: 'asr-contoso', group: false },
      { principal: 'asr-fabrikam', group: false },
    ]);
    expect(await userGroups(admin, { searchStr: 'asr-contoso', exactMatch: true })).toEqual([
      { principal: 'asr-contoso', group: false },
    ]);
    expect(await userGroups(admin, { searchStr: 'asr-', exactMatch: true })).toEqual([]);
    // Direct members only: the nested group, not the users inside it.
    expect(await userGroups(admin, { belongsToGroup: 'VSPHERE.LOCAL\\service-accounts' })).toEqual([
      { principal: 'asr-accounts', group: true },
      { principal: 'backup-admins', group: true },
    ]);
    expect(await userGroups(admin, { belongsToGroup: 'asr-accounts' })).toEqual([
      { principal: 'asr-contoso', group: false },
      { principal: 'asr-fabrikam', group: false },
    ]);
    expect(await userGroups(admin, { belongsToUser: 'VSPHERE.LOCAL\\backup-svc' })).toEqual([
      { principal: 'backup-admins', group: true },
    ]);
    expect(await userGroups(admin, { domain: 'CORP.EXAMPLE' })).toEqual([]);
  });
});

describe('lab authorization with vcsimSemantics', () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab({ scenario: 'lab', vcsimSemantics: true });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('accepts any login, shows every session everything and answers Admin for anyone', async () => {
    const s = await loginAs(lab, 'VSPHERE.LOCAL\\intruder', 'anything');
    expect(await vmNames(s)).toHaveLength(8);
    const vm = await mustFind(s, 'DC0/vm/contoso/contoso-app01');
    const privs = (await fetchPrivileges(s, FABRIKAM, [vm])).get(vm.id) ?? [];
    expect(privs).toContain('Authorization.ModifyPermissions');
    await s.logout();
  });
});
