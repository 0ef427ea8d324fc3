/**
 * vCenter's own answer to "what may this user do here?": AuthorizationManager's
 * FetchUserPrivilegeOnEntities and HasUserPrivilegeOnEntities (vSphere API reference,
 * AuthorizationManager, since API 6.5). The server resolves the user's groups itself. Both
 * need System.View on the entities for the calling session (the administrator's, here).
 */
import type { VimClient } from './client';
import type { SoapRequest } from './requests';
import type { MoRef } from './types';
import { envelope, moRefEl, repeated, textEl } from './xml-build';
import { child, children, childText, requiredMoRef, text } from './xml-parse';

/** UserPrivilegeResult: the privileges `userName` holds on one entity. */
export interface UserPrivilegeResult {
  entity: MoRef;
  privileges: string[];
}

/** EntityPrivilege: for one entity, whether each asked privilege is granted. */
export interface EntityPrivilege {
  entity: MoRef;
  granted: Map<string, boolean>;
}

export function fetchUserPrivilegeOnEntitiesRequest(
  authorizationManager: MoRef,
  entities: readonly MoRef[],
  userName: string,
): SoapRequest {
  const params = repeated(entities, (e) => moRefEl('entities', e)) + textEl('userName', userName);
  return {
    method: 'FetchUserPrivilegeOnEntities',
    body: envelope('FetchUserPrivilegeOnEntities', authorizationManager, params),
    readOnly: true,
  };
}

export function hasUserPrivilegeOnEntitiesRequest(
  authorizationManager: MoRef,
  entities: readonly MoRef[],
  userName: string,
  privIds: readonly string[],
): SoapRequest {
  const params =
    repeated(entities, (e) => moRefEl('entities', e)) +
    textEl('userName', userName) +
    repeated(privIds, (p) => textEl('privId', p));
  return {
    method: 'HasUserPrivilegeOnEntities',
    body: envelope('HasUserPrivilegeOnEntities', authorizationManager, params),
    readOnly: true,
  };
}

/** The privileges of `userName` on each entity, in the order the server answers. */
export async function fetchUserPrivilegeOnEntities(
  client: VimClient,
  entities: readonly MoRef[],
  userName: string,
): Promise<UserPrivilegeResult[]> {
  const response = await client.call(
    fetchUserPrivilegeOnEntitiesRequest(
      client.serviceContent.authorizationManager,
      entities,
      userName,
    ),
  );
  return children(response, 'returnval').map((r) => ({
    entity: requiredMoRef(r, 'entity', 'UserPrivilegeResult'),
    privileges: children(r, 'privileges').map(text),
  }));
}

/** Whether `userName` holds each of `privIds` on each entity. */
export async function hasUserPrivilegeOnEntities(
  client: VimClient,
  entities: readonly MoRef[],
  userName: string,
  privIds: readonly string[],
): Promise<EntityPrivilege[]> {
  const response = await client.call(
    hasUserPrivilegeOnEntitiesRequest(
      client.serviceContent.authorizationManager,
      entities,
      userName,
      privIds,
    ),
  );
  return children(response, 'returnval').map((r) => {
    const granted = new Map<string, boolean>();
    for (const a of children(r, 'privAvailability')) {
      const id = childText(a, 'privId');
      if (id !== undefined) granted.set(id, text(child(a, 'isGranted')) === 'true');
    }
    return { entity: requiredMoRef(r, 'entity', 'EntityPrivilege'), granted };
  });
}
