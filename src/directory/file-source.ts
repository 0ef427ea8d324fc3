/**
 * The --membership YAML file as a membership source: group -> direct members, for what no
 * directory covers. A member is taken for a group when the file lists it as a group too (but
 * never the group itself: that name is the user of the same name).
 */
import type { Membership } from '../policy/schemas';
import { PrincipalMatcher } from './names';
import type { GroupListing, MembershipSource } from './source';

export class FileMembershipSource implements MembershipSource {
  readonly info;
  private readonly groups = new Map<string, { group: string; members: string[] }>();
  private readonly matcher = new PrincipalMatcher();

  constructor(membership: Membership, file: string, id = 'file') {
    this.info = { id, kind: 'file' as const, location: file, domains: [] };
    for (const [group, members] of Object.entries(membership)) {
      const key = this.matcher.key(group);
      const entry = this.groups.get(key) ?? { group, members: [] };
      entry.members.push(...members);
      this.groups.set(key, entry);
    }
  }

  covers(): boolean {
    return true;
  }

  listGroup(group: string): Promise<GroupListing[] | undefined> {
    const entry = this.groups.get(this.matcher.key(group));
    if (!entry) return Promise.resolve(undefined);
    const own = this.matcher.key(group);
    // A group listing its own name means the user of that name (vcsim has both a user and a
    // group `root`): a group is never a member of itself.
    const members = entry.members.map((name) => {
      const key = this.matcher.key(name);
      return { name, isGroup: key !== own && this.groups.has(key) };
    });
    return Promise.resolve([{ group: entry.group, members }]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
