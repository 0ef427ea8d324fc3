/**
 * Does the tenant account exist? Asked before any change, so that a typo in
 * account.principal is refused up front instead of half-way through an apply.
 *
 * The answer comes from what the server can say (UserDirectory.RetrieveUserGroups, exact
 * match in the principal's domain):
 * - found: the account exists;
 * - not found, and the directory does find the account drperm is logged in as: the
 *   directory can answer, so the account is missing (a refusal);
 * - not found, but the directory does not find the logged-in account either (the govmomi
 *   simulator lists only a few built-in users, a directory may hide accounts), or the search
 *   fails (no UserDirectory, a domain it will not search, no privilege): "unverified". The
 *   plan goes ahead with a warning, because vCenter still refuses an unknown principal with
 *   UserNotFound on the first SetEntityPermissions, before changing that object.
 */
import { normalizePrincipal, principalKey, principalName } from '../model/principal';
import type { UserSearch } from '../vsphere/requests';
import type { UserSearchResult } from '../vsphere/types';
import type { AccountStatus } from './tenant-plan';

export interface UserDirectoryApi {
  /** The account drperm is logged in as: it exists, so the directory must find it. */
  readonly username: string;
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

async function find(api: UserDirectoryApi, account: AccountRef): Promise<boolean> {
  const { domain, name } = splitPrincipal(normalizePrincipal(account.principal));
  const results = await api.retrieveUserGroups({
    ...(domain === undefined ? {} : { domain }),
    searchStr: name,
    exactMatch: true,
    findUsers: !account.group,
    findGroups: account.group,
  });
  // RetrieveUserGroups returns bare names (sometimes DOMAIN\name): compare the name part.
  return results.some(
    (r) =>
      r.group === account.group &&
      principalName(splitPrincipal(r.principal).name) === principalName(name),
  );
}

export async function checkAccount(
  api: UserDirectoryApi,
  account: AccountRef,
): Promise<AccountStatus> {
  try {
    if (await find(api, account)) return { status: 'exists' };
    if (await find(api, { principal: api.username, group: false })) return { status: 'missing' };
    return {
      status: 'unverified',
      reason: `the server's user directory does not find the account drperm is logged in as (${api.username}), so its empty answer proves nothing`,
    };
  } catch (err) {
    return { status: 'unverified', reason: `RetrieveUserGroups failed: ${(err as Error).message}` };
  }
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
