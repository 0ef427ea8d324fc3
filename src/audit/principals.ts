/**
 * Who "u" is for permission resolution: u itself plus every group u belongs to,
 * transitively. Group membership is not in vim25: it comes from membership sources
 * (src/directory: vCenter's user directory, LDAP, the --membership file); without them
 * only u's own permissions are known.
 */
import { MembershipIndex, type MembershipPath } from '../directory/expand';
import { FileMembershipSource } from '../directory/file-source';
import type { MembershipData } from '../model/membership';
import { principalKey, principalName } from '../model/principal';
import type { Membership } from '../policy/schemas';

export interface Principals {
  /** The principal asked about, as written. */
  name: string;
  /** True when the principal itself is a group (its members get the union of its roles). */
  isGroup: boolean;
  /** principalKey of the principal itself. */
  selfKey: string;
  /** principalKey of every group it belongs to, transitively (not including itself), in every spelling of its domain. */
  groupKeys: ReadonlySet<string>;
  /** principalKey of a group -> the membership chain that puts the principal in it. */
  paths: ReadonlyMap<string, MembershipPath>;
  /** Set when an expansion limit stopped the walk. */
  truncated?: string;
}

/** Membership as the audit takes it: read from sources, or the plain --membership mapping. */
export type MembershipInput = MembershipData | Membership | MembershipIndex;

export function membershipIndex(input: MembershipInput | undefined): MembershipIndex {
  if (input instanceof MembershipIndex) return input;
  if (input === undefined) return new MembershipIndex(EMPTY);
  if (isMembershipData(input)) return new MembershipIndex(input);
  return new MembershipIndex(membershipFromMapping(input, 'membership'));
}

function isMembershipData(input: MembershipData | Membership): input is MembershipData {
  return (
    Array.isArray((input as MembershipData).edges) &&
    Array.isArray((input as MembershipData).sources) &&
    Array.isArray((input as MembershipData).groups)
  );
}

const EMPTY: MembershipData = { sources: [], groups: [], edges: [], unresolved: [], warnings: [] };

/** The mapping of a --membership file as membership data (every listed group resolved). */
export function membershipFromMapping(
  membership: Membership,
  file: string,
  at = new Date(0).toISOString(),
): MembershipData {
  const source = new FileMembershipSource(membership, file);
  const groups = Object.keys(membership);
  const data: MembershipData = {
    sources: [{ ...source.info, readAt: at }],
    groups: groups.map((group) => ({ group, source: source.info.id })),
    edges: [],
    unresolved: [],
    warnings: [],
  };
  for (const [group, members] of Object.entries(membership)) {
    for (const m of members) {
      data.edges.push({
        group,
        member: m,
        memberIsGroup: groups.some((g) => principalName(g) === principalName(m)),
        source: source.info.id,
        at,
      });
    }
  }
  return data;
}

export function resolvePrincipals(
  name: string,
  options: { group?: boolean; membership?: MembershipInput } = {},
): Principals {
  const isGroup = options.group === true;
  const index = membershipIndex(options.membership);
  const selfKey = principalKey({ name, group: isGroup });
  const expansion = index.containingGroups(name);
  const groupKeys = new Set<string>();
  const paths = new Map<string, MembershipPath>();
  for (const path of expansion.found.values()) {
    for (const spelling of index.matcher.spellings(path.group)) {
      const key = principalKey({ name: spelling, group: true });
      if (key === selfKey) continue; // a group listed as its own member
      groupKeys.add(key);
      if (!paths.has(key)) paths.set(key, path);
    }
  }
  return {
    name,
    isGroup,
    selfKey,
    groupKeys,
    paths,
    ...(expansion.truncated !== undefined ? { truncated: expansion.truncated } : {}),
  };
}

/** True when a source listed the group's members (they are known, possibly none). */
export function isKnownGroup(index: MembershipIndex, group: string): boolean {
  return index.isResolved(group);
}
