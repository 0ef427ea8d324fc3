/**
 * Typed request builders, one per vim25 method, with parameters in WSDL order
 * (vim25's document/literal SOAP encoding). `readOnly` marks calls that may be retried after a network error.
 */
import type { MoRef, VimPermission } from './types';
import { boolEl, envelope, intEl, moRefEl, repeated, textEl } from './xml-build';

export interface SoapRequest {
  method: string;
  body: string;
  /** Safe to repeat: the call changes nothing on the server. */
  readOnly: boolean;
}

function request(method: string, self: MoRef, params: string, readOnly: boolean): SoapRequest {
  return { method, body: envelope(method, self, params), readOnly };
}

export const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

export function retrieveServiceContent(): SoapRequest {
  return request('RetrieveServiceContent', SERVICE_INSTANCE, '', true);
}

export function login(sessionManager: MoRef, userName: string, password: string): SoapRequest {
  // Not retried: a repeated login after a lost response would leave a stray session.
  const params = textEl('userName', userName) + textEl('password', password);
  return request('Login', sessionManager, params, false);
}

export function logout(sessionManager: MoRef): SoapRequest {
  return request('Logout', sessionManager, '', false);
}

export function createContainerView(
  viewManager: MoRef,
  container: MoRef,
  types: readonly string[],
  recursive: boolean,
): SoapRequest {
  const params =
    moRefEl('container', container) +
    repeated(types, (t) => textEl('type', t)) +
    boolEl('recursive', recursive);
  return request('CreateContainerView', viewManager, params, false);
}

export function destroyView(view: MoRef): SoapRequest {
  return request('DestroyView', view, '', false);
}

export interface PropertySpec {
  type: string;
  pathSet: readonly string[];
}

/** ObjectSpec: either one object, or every object of a ContainerView (the view itself skipped). */
export type ObjectSpec = { obj: MoRef } | { view: MoRef };

function propertySpecXml(spec: PropertySpec): string {
  return `<propSet>${textEl('type', spec.type)}${boolEl('all', false)}${repeated(spec.pathSet, (p) => textEl('pathSet', p))}</propSet>`;
}

function objectSpecXml(spec: ObjectSpec): string {
  if ('obj' in spec)
    return `<objectSet>${moRefEl('obj', spec.obj)}${boolEl('skip', false)}</objectSet>`;
  return (
    `<objectSet>${moRefEl('obj', spec.view)}${boolEl('skip', true)}` +
    `<selectSet xsi:type="TraversalSpec">${textEl('name', 'traverseView')}${textEl('type', 'ContainerView')}` +
    `${textEl('path', 'view')}${boolEl('skip', false)}</selectSet></objectSet>`
  );
}

export function retrievePropertiesEx(
  propertyCollector: MoRef,
  propSet: readonly PropertySpec[],
  objectSet: ObjectSpec,
  maxObjects?: number,
): SoapRequest {
  const specSet = `<specSet>${repeated(propSet, propertySpecXml)}${objectSpecXml(objectSet)}</specSet>`;
  const options =
    maxObjects === undefined
      ? '<options></options>'
      : `<options>${intEl('maxObjects', maxObjects)}</options>`;
  return request('RetrievePropertiesEx', propertyCollector, specSet + options, true);
}

export function continueRetrievePropertiesEx(propertyCollector: MoRef, token: string): SoapRequest {
  // Not retried: the server may already have advanced past the page a lost response carried.
  return request('ContinueRetrievePropertiesEx', propertyCollector, textEl('token', token), false);
}

export function cancelRetrievePropertiesEx(propertyCollector: MoRef, token: string): SoapRequest {
  return request('CancelRetrievePropertiesEx', propertyCollector, textEl('token', token), false);
}

export function retrieveAllPermissions(authorizationManager: MoRef): SoapRequest {
  return request('RetrieveAllPermissions', authorizationManager, '', true);
}

export function retrieveEntityPermissions(
  authorizationManager: MoRef,
  entity: MoRef,
  inherited: boolean,
): SoapRequest {
  const params = moRefEl('entity', entity) + boolEl('inherited', inherited);
  return request('RetrieveEntityPermissions', authorizationManager, params, true);
}

export function addAuthorizationRole(
  authorizationManager: MoRef,
  name: string,
  privIds: readonly string[],
): SoapRequest {
  const params = textEl('name', name) + repeated(privIds, (p) => textEl('privIds', p));
  return request('AddAuthorizationRole', authorizationManager, params, false);
}

export function updateAuthorizationRole(
  authorizationManager: MoRef,
  roleId: number,
  newName: string,
  privIds: readonly string[],
): SoapRequest {
  const params =
    intEl('roleId', roleId) +
    textEl('newName', newName) +
    repeated(privIds, (p) => textEl('privIds', p));
  return request('UpdateAuthorizationRole', authorizationManager, params, false);
}

export function removeAuthorizationRole(
  authorizationManager: MoRef,
  roleId: number,
  failIfUsed: boolean,
): SoapRequest {
  const params = intEl('roleId', roleId) + boolEl('failIfUsed', failIfUsed);
  return request('RemoveAuthorizationRole', authorizationManager, params, false);
}

/** Permission data object (WSDL order: entity, principal, group, roleId, propagate). */
function permissionXml(p: VimPermission): string {
  return (
    '<permission>' +
    (p.entity ? moRefEl('entity', p.entity) : '') +
    textEl('principal', p.principal) +
    boolEl('group', p.group) +
    intEl('roleId', p.roleId) +
    boolEl('propagate', p.propagate) +
    '</permission>'
  );
}

/**
 * Every permission carries `entity` = the target, whatever the caller's copy says: a real
 * vCenter ignores it, the simulator stores it and returns it in RetrieveAllPermissions
 * (issue 9 §2), which spares a collection one RetrieveEntityPermissions per entity.
 */
export function setEntityPermissions(
  authorizationManager: MoRef,
  entity: MoRef,
  permissions: readonly VimPermission[],
): SoapRequest {
  const params =
    moRefEl('entity', entity) + repeated(permissions, (p) => permissionXml({ ...p, entity }));
  return request('SetEntityPermissions', authorizationManager, params, false);
}

export function removeEntityPermission(
  authorizationManager: MoRef,
  entity: MoRef,
  user: string,
  isGroup: boolean,
): SoapRequest {
  const params = moRefEl('entity', entity) + textEl('user', user) + boolEl('isGroup', isGroup);
  return request('RemoveEntityPermission', authorizationManager, params, false);
}

export interface UserSearch {
  domain?: string;
  searchStr: string;
  belongsToGroup?: string;
  belongsToUser?: string;
  exactMatch: boolean;
  findUsers: boolean;
  findGroups: boolean;
}

export function retrieveUserGroups(userDirectory: MoRef, search: UserSearch): SoapRequest {
  const params =
    (search.domain !== undefined ? textEl('domain', search.domain) : '') +
    textEl('searchStr', search.searchStr) +
    (search.belongsToGroup !== undefined ? textEl('belongsToGroup', search.belongsToGroup) : '') +
    (search.belongsToUser !== undefined ? textEl('belongsToUser', search.belongsToUser) : '') +
    boolEl('exactMatch', search.exactMatch) +
    boolEl('findUsers', search.findUsers) +
    boolEl('findGroups', search.findGroups);
  return request('RetrieveUserGroups', userDirectory, params, true);
}

export function findByInventoryPath(searchIndex: MoRef, inventoryPath: string): SoapRequest {
  return request('FindByInventoryPath', searchIndex, textEl('inventoryPath', inventoryPath), true);
}
