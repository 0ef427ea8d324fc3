/** AuthorizationManager, SearchIndex and about calls over raw SOAP, for testing the lab. */
import type { SoapReply, SoapSession } from './soap-session';
import { refId, text, xmlEscape } from './soap-session';

export interface Perm {
  entity: string | undefined;
  principal: string;
  group: boolean;
  roleId: number;
  propagate: boolean;
}

export interface Ref {
  type: string;
  id: string;
}

const AUTH = ['AuthorizationManager', 'AuthorizationManager'] as const;

function permissionXml(p: Omit<Perm, 'entity'>): string {
  return (
    `<permission><principal>${xmlEscape(p.principal)}</principal><group>${p.group}</group>` +
    `<roleId>${p.roleId}</roleId><propagate>${p.propagate}</propagate></permission>`
  );
}

function entityXml(entity: Ref): string {
  return `<entity type="${entity.type}">${xmlEscape(entity.id)}</entity>`;
}

export function setPermissions(
  s: SoapSession,
  entity: Ref,
  perms: Omit<Perm, 'entity'>[],
  method: 'SetEntityPermissions' | 'ResetEntityPermissions' = 'SetEntityPermissions',
): Promise<SoapReply> {
  return s.call(method, ...AUTH, entityXml(entity) + perms.map(permissionXml).join(''));
}

export function removePermission(
  s: SoapSession,
  entity: Ref,
  user: string,
  isGroup: boolean,
): Promise<SoapReply> {
  return s.call(
    'RemoveEntityPermission',
    ...AUTH,
    `${entityXml(entity)}<user>${xmlEscape(user)}</user><isGroup>${isGroup}</isGroup>`,
  );
}

function permsOf(reply: SoapReply, response: string): Perm[] {
  const res = reply.body[response] as { returnval?: Record<string, unknown>[] } | undefined;
  if (res === undefined) throw new Error(`${response} missing: ${reply.raw}`);
  return (res.returnval ?? []).map((p) => ({
    entity: refId(p['entity']),
    principal: text(p['principal']),
    group: p['group'] === 'true',
    roleId: Number(text(p['roleId'])),
    propagate: p['propagate'] === 'true',
  }));
}

export async function entityPermissions(
  s: SoapSession,
  entity: Ref,
  inherited: boolean,
): Promise<Perm[]> {
  const reply = await s.call(
    'RetrieveEntityPermissions',
    ...AUTH,
    `${entityXml(entity)}<inherited>${inherited}</inherited>`,
  );
  return permsOf(reply, 'RetrieveEntityPermissionsResponse');
}

export async function allPermissions(s: SoapSession): Promise<Perm[]> {
  return permsOf(await s.call('RetrieveAllPermissions', ...AUTH), 'RetrieveAllPermissionsResponse');
}

/** FindByInventoryPath; undefined when nothing is there. */
export async function findByPath(s: SoapSession, path: string): Promise<Ref | undefined> {
  const reply = await s.call(
    'FindByInventoryPath',
    'SearchIndex',
    'SearchIndex',
    `<inventoryPath>${xmlEscape(path)}</inventoryPath>`,
  );
  const res = reply.body['FindByInventoryPathResponse'] as
    { returnval?: { '#text': string; '@type': string }[] } | undefined;
  const found = res?.returnval?.[0];
  return found === undefined ? undefined : { type: found['@type'], id: found['#text'] };
}

export async function mustFind(s: SoapSession, path: string): Promise<Ref> {
  const ref = await findByPath(s, path);
  if (ref === undefined) throw new Error(`nothing at ${path}`);
  return ref;
}

/** One object's properties by RetrievePropertiesEx, values as parsed XML. */
export async function properties(
  s: SoapSession,
  obj: Ref,
  paths: string[],
): Promise<Record<string, unknown>> {
  const reply = await s.call(
    'RetrievePropertiesEx',
    'PropertyCollector',
    'propertyCollector',
    `<specSet><propSet><type>${obj.type}</type>${paths.map((p) => `<pathSet>${p}</pathSet>`).join('')}</propSet>` +
      `<objectSet><obj type="${obj.type}">${xmlEscape(obj.id)}</obj></objectSet></specSet><options/>`,
  );
  const res = reply.body['RetrievePropertiesExResponse'] as
    { returnval?: { objects: { propSet?: { name: string; val: unknown }[] }[] }[] } | undefined;
  const propSet = res?.returnval?.[0]?.objects[0]?.propSet ?? [];
  return Object.fromEntries(propSet.map((p) => [p.name, p.val]));
}

export interface About {
  fullName: string;
  apiVersion: string;
  version: string;
  instanceUuid: string;
  apiType: string;
}

export async function about(s: SoapSession): Promise<About> {
  const reply = await s.call('RetrieveServiceContent', 'ServiceInstance', 'ServiceInstance');
  const res = reply.body['RetrieveServiceContentResponse'] as {
    returnval: { about: Record<string, unknown> }[];
  };
  const a = res.returnval[0]?.about ?? {};
  return {
    fullName: text(a['fullName']),
    apiVersion: text(a['apiVersion']),
    version: text(a['version']),
    instanceUuid: text(a['instanceUuid']),
    apiType: text(a['apiType']),
  };
}

/** Keys of the vCenter settings (OptionManager VpxSettings.setting). */
export async function settingKeys(s: SoapSession): Promise<string[]> {
  const props = await properties(s, { type: 'OptionManager', id: 'VpxSettings' }, ['setting']);
  const val = props['setting'] as { OptionValue?: { key: string }[] | { key: string } } | undefined;
  const list = val?.OptionValue;
  if (list === undefined) return [];
  return (Array.isArray(list) ? list : [list]).map((o) => text(o.key));
}
