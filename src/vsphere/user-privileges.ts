/**
 * vCenter's own answer to "what may this user do here?": AuthorizationManager's
 * FetchUserPrivilegeOnEntities and HasUserPrivilegeOnEntities (vSphere API reference,
 * AuthorizationManager, since API 6.5). The server resolves the user's groups itself. Both
 * need System.View on the entities for the calling session (the administrator's, here).
 */
import type { VimClient } from './client';
import { returnsMany } from './decode';
import type { SoapRequest } from './requests';
import type { MoRef } from './types';
import { envelope, moRefEl, repeated, textEl } from './xml-build';
import {
  bool,
  many,
  moRef,
  required,
  struct,
  text,
  XmlDecodeError,
  type Decoder,
} from './xml-decode';

/** UserPrivilegeResult: the privileges `userName` holds on one entity. */
export interface UserPrivilegeResult {
  entity: MoRef;
  privileges: string[];
}

/** EntityPrivilege: for one entity, which of the asked privileges are granted. */
export interface EntityPrivilege {
  entity: MoRef;
  granted: string[];
}

/**
 * Entities asked about, with their request XML built once: the same batch is asked for
 * every tenant account (50 accounts x 45,000 entities), and only the user name differs.
 */
export interface EntityBatch {
  readonly refs: readonly MoRef[];
  readonly xml: string;
}

export function entityBatch(refs: readonly MoRef[]): EntityBatch {
  return { refs, xml: repeated(refs, (e) => moRefEl('entities', e)) };
}

function batchOf(entities: readonly MoRef[] | EntityBatch): EntityBatch {
  return 'xml' in entities ? entities : entityBatch(entities);
}

function entityOf(where: string, ref: MoRef | undefined): MoRef {
  if (ref === undefined) throw new XmlDecodeError(`${where}: empty managed object <entity>`);
  return ref;
}

const userPrivilegeResult: Decoder<UserPrivilegeResult> = struct(
  'UserPrivilegeResult',
  { entity: required(moRef), privileges: many(text) },
  (v) => ({ entity: entityOf('UserPrivilegeResult', v.entity), privileges: v.privileges }),
);

const privilegeAvailability = struct(
  'PrivilegeAvailability',
  { privId: required(text), isGranted: required(bool) },
  (v) => v,
);

const entityPrivilege: Decoder<EntityPrivilege> = struct(
  'EntityPrivilege',
  { entity: required(moRef), privAvailability: many(privilegeAvailability) },
  (v) => ({
    entity: entityOf('EntityPrivilege', v.entity),
    granted: v.privAvailability.filter((a) => a.isGranted).map((a) => a.privId),
  }),
);

export function fetchUserPrivilegeOnEntitiesRequest(
  authorizationManager: MoRef,
  entities: readonly MoRef[] | EntityBatch,
  userName: string,
): SoapRequest {
  const params = batchOf(entities).xml + textEl('userName', userName);
  return {
    method: 'FetchUserPrivilegeOnEntities',
    body: envelope('FetchUserPrivilegeOnEntities', authorizationManager, params),
    readOnly: true,
  };
}

export function hasUserPrivilegeOnEntitiesRequest(
  authorizationManager: MoRef,
  entities: readonly MoRef[] | EntityBatch,
  userName: string,
  privIds: readonly string[],
): SoapRequest {
  const params =
    batchOf(entities).xml +
    textEl('userName', userName) +
    repeated(privIds, (p) => textEl('privId', p));
  return {
    method: 'HasUserPrivilegeOnEntities',
    body: envelope('HasUserPrivilegeOnEntities', authorizationManager, params),
    readOnly: true,
  };
}

/** The privileges of `userName` on each entity, in the order the server answers. */
export function fetchUserPrivilegeOnEntities(
  client: VimClient,
  entities: readonly MoRef[] | EntityBatch,
  userName: string,
): Promise<UserPrivilegeResult[]> {
  return client.call(
    fetchUserPrivilegeOnEntitiesRequest(
      client.serviceContent.authorizationManager,
      entities,
      userName,
    ),
    returnsMany(userPrivilegeResult),
  );
}

/** Which of `privIds` `userName` holds on each entity. */
export function hasUserPrivilegeOnEntities(
  client: VimClient,
  entities: readonly MoRef[] | EntityBatch,
  userName: string,
  privIds: readonly string[],
): Promise<EntityPrivilege[]> {
  return client.call(
    hasUserPrivilegeOnEntitiesRequest(
      client.serviceContent.authorizationManager,
      entities,
      userName,
      privIds,
    ),
    returnsMany(entityPrivilege),
  );
}
