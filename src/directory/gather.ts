/**
 * The membership an audit or a collection needs: which groups to resolve (those holding
 * permissions that give access, tenant group accounts) and which users to ask about (tenant
 * accounts), read from the sources and combined with what a snapshot already recorded.
 */
import type { MembershipData } from '../model/membership';
import type { Snapshot } from '../model/snapshot';
import { MembershipIndex } from './expand';
import { mergeMembership } from './merge';
import { readMembership, type ReadOptions, type ReadRequest } from './read';
import type { MembershipSource } from './source';

export interface TenantAccount {
  principal: string;
  group: boolean;
}

/** Role id of vCenter's No Access role: its grants cannot widen anyone's access. */
const NO_ACCESS_ROLE_ID = -5;

export function membershipRequest(
  snapshot: Snapshot,
  accounts: readonly TenantAccount[] = [],
): ReadRequest {
  const groups = snapshot.permissions
    .filter((p) => p.group && p.roleId !== NO_ACCESS_ROLE_ID)
    .map((p) => p.principal);
  groups.push(...accounts.filter((a) => a.group).map((a) => a.principal));
  const users = accounts.filter((a) => !a.group).map((a) => a.principal);
  return { groups, users };
}

/** Reads what `prior` (a snapshot's section) leaves open, and combines both. */
export async function gatherMembership(
  sources: readonly MembershipSource[],
  request: ReadRequest,
  prior?: MembershipData,
  options: ReadOptions = {},
): Promise<MembershipData> {
  if (!prior) return readMembership(sources, request, options);
  const known = new MembershipIndex(prior);
  const open = request.groups.filter((g) => !known.isResolved(g));
  if (sources.length === 0) return prior;
  const fresh = await readMembership(sources, { ...request, groups: open }, options);
  return mergeMembership([prior, fresh]);
}
