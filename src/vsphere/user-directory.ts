/**
 * Group membership through vCenter's UserDirectory.RetrieveUserGroups (vSphere API
 * reference, UserDirectory): `belongsToGroup` lists a group's members, `belongsToUser` the
 * groups holding a user, each within one identity-source `domain`. The request and its
 * UserSearchResult decoding are the client's (requests.ts retrieveUserGroups,
 * decode.ts decodeUserSearchResult); this module asks the membership questions and names
 * the answers as Permission.principal does: vCenter returns bare names (reference
 * vim25-wire.md, "Principal format"), so `DOMAIN\name` is built here.
 */
import type { UserSearch } from './requests';
import type { UserSearchResult } from './types';
import { NotFoundFault } from './faults';

export interface UserDirectoryClient {
  retrieveUserGroups(search: UserSearch): Promise<UserSearchResult[]>;
}

export interface DirectoryPrincipal {
  /** `DOMAIN\name` (or the bare name without a domain). */
  principal: string;
  group: boolean;
}

/** The exact-match search that tells whether a group exists in the domain. */
export function groupSearch(domain: string | undefined, name: string): UserSearch {
  return {
    ...(domain !== undefined ? { domain } : {}),
    searchStr: name,
    exactMatch: true,
    findUsers: false,
    findGroups: true,
  };
}

/** Direct members (users and groups) of a group. */
export function membersSearch(domain: string | undefined, group: string): UserSearch {
  return {
    ...(domain !== undefined ? { domain } : {}),
    searchStr: '',
    belongsToGroup: group,
    exactMatch: false,
    findUsers: true,
    findGroups: true,
  };
}

/** Groups a user is a member of. */
export function userGroupsSearch(domain: string | undefined, user: string): UserSearch {
  return {
    ...(domain !== undefined ? { domain } : {}),
    searchStr: '',
    belongsToUser: user,
    exactMatch: false,
    findUsers: false,
    findGroups: true,
  };
}

/** A result's principal as vCenter writes it in permissions: `DOMAIN\name`. */
export function qualify(result: UserSearchResult, domain: string | undefined): DirectoryPrincipal {
  const p = result.principal.trim();
  let principal: string;
  if (p.includes('\\')) {
    const i = p.indexOf('\\');
    principal = `${p.slice(0, i).toUpperCase()}\\${p.slice(i + 1)}`;
  } else if (p.includes('@')) {
    const at = p.lastIndexOf('@');
    principal = `${p.slice(at + 1).toUpperCase()}\\${p.slice(0, at)}`;
  } else {
    principal = domain === undefined ? p : `${domain.toUpperCase()}\\${p}`;
  }
  return { principal, group: result.group };
}

/** `name` of `DOMAIN\\name` or `name@domain`, lower case. */
function bareName(principal: string): string {
  const p = principal.trim().toLowerCase();
  if (p.includes('\\')) return p.slice(p.indexOf('\\') + 1);
  return p.includes('@') ? p.slice(0, p.lastIndexOf('@')) : p;
}

/** The group's direct members; undefined when the domain has no such group. */
export async function groupMembers(
  client: UserDirectoryClient,
  domain: string | undefined,
  group: string,
): Promise<DirectoryPrincipal[] | undefined> {
  try {
    const found = await client.retrieveUserGroups(groupSearch(domain, group));
    const wanted = group.toLowerCase();
    const exists = found.some((r) => r.group && bareName(r.principal) === wanted);
    if (!exists) return undefined;
    const members = await client.retrieveUserGroups(membersSearch(domain, group));
    return members.map((r) => qualify(r, domain));
  } catch (err) {
    // NotFound: the directory does not know the domain.
    if (err instanceof NotFoundFault) return undefined;
    throw err;
  }
}

/** Groups the user is a direct member of (empty when the domain is unknown). */
export async function groupsOfUser(
  client: UserDirectoryClient,
  domain: string | undefined,
  user: string,
): Promise<DirectoryPrincipal[]> {
  try {
    const groups = await client.retrieveUserGroups(userGroupsSearch(domain, user));
    return groups.filter((r) => r.group).map((r) => qualify(r, domain));
  } catch (err) {
    if (err instanceof NotFoundFault) return [];
    throw err;
  }
}
