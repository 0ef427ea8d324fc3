/**
 * Does the tenant account exist? Asked before any change, so that a typo in
 * account.principal is refused up front instead of half-way through an apply.
 *
 * - A real vCenter answers through UserDirectory.RetrieveUserGroups (exact match, in
 *   the principal's domain): no result means the account is missing (refusal).
 * - If the search itself fails (no UserDirectory, a domain the directory will not
 *   search, no privilege) the account is "unverified": the plan goes ahead with a
 *   warning, because a real vCenter still refuses an unknown principal with
 *   UserNotFound on the first SetEntityPermissions, before changing that object.
 * - The govmomi simulator validates nothing (its RetrieveUserGroups lists only its
 *   built-in users and SetEntityPermissions accepts any principal), so there every
 *   account is "unverified": an empty answer from it would refuse every real tenant.
 */
import { principalKey, principalName } from '../model/principal';
import type { UserSearch } from '../vsphere/requests';
import type { ServerQuirks, UserSearchResult } from '../vsphere/types';
import type { AccountStatus } from './tenant-plan';

export interface UserDirectoryApi {
  readonly quirks: ServerQuirks;
  retrieveUserGroups(search: UserSearch): Promise<UserSearchResult[]>;
}

export interface AccountRef {
  principal: string;
  group: boolean;
}

/** `VSPHERE.LOCAL\asr-contoso` → domain VSPHERE.LOCAL, name asr-contoso. */
export function splitPrincipal(principal: string): { domain?: string; name: string } {
  const i = principal.indexOf('\\');
  return i < 0
    ? { name: principal }
    : { domain: principal.slice(0, i), name: principal.slice(i + 1) };
}

export async function checkAccount(
  api: UserDirectoryApi,
  account: AccountRef,
): Promise<AccountStatus> {
  if (api.quirks.setEntityPermissionsReplaces) {
    return { status: 'unverified', reason: 'the simulator does not validate accounts' };
  }
  const { domain, name } = splitPrincipal(account.principal);
  let results: UserSearchResult[];
  try {
    results = await api.retrieveUserGroups({
      ...(domain === undefined ? {} : { domain }),
      searchStr: name,
      exactMatch: true,
      findUsers: !account.group,
      findGroups: account.group,
    });
  } catch (err) {
    return { status: 'unverified', reason: `RetrieveUserGroups failed: ${(err as Error).message}` };
  }
  // RetrieveUserGroups returns bare names (sometimes DOMAIN\name): compare the name part.
  const found = results.some(
    (r) =>
      r.group === account.group &&
      principalName(splitPrincipal(r.principal).name) === principalName(name),
  );
  return found ? { status: 'exists' } : { status: 'missing' };
}

/** Checks each distinct account once; keyed by principalKey. */
export async function checkAccounts(
  api: UserDirectoryApi,
  accounts: readonly AccountRef[],
): Promise<Map<string, AccountStatus>> {
  const out = new Map<string, AccountStatus>();
  for (const a of accounts) {
    const key = principalKey({ name: a.principal, group: a.group });
    if (!out.has(key)) out.set(key, await checkAccount(api, a));
  }
  return out;
}
