/**
 * vCenter's user directory as a membership source: SSO (VSPHERE.LOCAL) and any identity
 * source vCenter searches for it. It answers for every domain; list LDAP sources before it
 * so that they answer for theirs.
 */
import { groupMembers, groupsOfUser, type UserDirectoryClient } from '../vsphere/user-directory';
import { PrincipalMatcher, splitPrincipal } from './names';
import type { GroupListing, MembershipSource } from './source';

export class VcenterMembershipSource implements MembershipSource {
  readonly info;
  private readonly matcher: PrincipalMatcher;

  /** `others`: domains other sources answer for (LDAP), with their aliases; vCenter is not asked about them. */
  constructor(
    private readonly client: UserDirectoryClient,
    url: string,
    private readonly others: ReadonlyArray<readonly string[]> = [],
    id = 'vcenter',
  ) {
    this.info = { id, kind: 'vcenter' as const, location: url, domains: [] };
    this.matcher = new PrincipalMatcher(others);
  }

  covers(principal: string): boolean {
    const { domain } = splitPrincipal(principal);
    if (domain === undefined) return true;
    return !this.others.some((list) => list.some((d) => this.matcher.sameDomain(d, domain)));
  }

  async listGroup(group: string): Promise<GroupListing[] | undefined> {
    const { domain, name } = splitPrincipal(group);
    const members = await groupMembers(this.client, domain, name);
    if (!members) return undefined;
    const canonical = domain === undefined ? name : `${domain}\\${name}`;
    return [
      {
        group: canonical,
        members: members.map((m) => ({ name: m.principal, isGroup: m.group })),
      },
    ];
  }

  async groupsOfUser(user: string): Promise<string[]> {
    const { domain, name } = splitPrincipal(user);
    return (await groupsOfUser(this.client, domain, name)).map((g) => g.principal);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
