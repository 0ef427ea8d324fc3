/**
 * Who "u" is for permission resolution: u itself plus every group u belongs to,
 * transitively. Group membership is not in vim25, so it comes from the optional
 * membership file; without it only u's own permissions are known.
 */
import { principalKey, principalName } from '../model/principal';
import type { Membership } from '../policy/schemas';

export interface Principals {
  /** The principal asked about, as written. */
  name: string;
  /** True when the principal itself is a group (its members get the union of its roles). */
  isGroup: boolean;
  /** principalKey of the principal itself. */
  selfKey: string;
  /** principalKey of every group it belongs to, transitively (not including itself). */
  groupKeys: ReadonlySet<string>;
}

export function resolvePrincipals(
  name: string,
  options: { group?: boolean; membership?: Membership } = {},
): Principals {
  const isGroup = options.group === true;
  const containing = groupsContaining(options.membership ?? {});
  const groupKeys = new Set<string>();
  const queue = [principalName(name)];
  while (queue.length > 0) {
    const member = queue.shift()!;
    for (const g of containing.get(member) ?? []) {
      const key = principalKey({ name: g, group: true });
      if (groupKeys.has(key)) continue;
      groupKeys.add(key);
      queue.push(g);
    }
  }
  const selfKey = principalKey({ name, group: isGroup });
  groupKeys.delete(selfKey); // a group listed as its own member
  return { name, isGroup, selfKey, groupKeys };
}

/** member name (lower case) -> groups that list it directly (lower case). */
function groupsContaining(membership: Membership): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [group, members] of Object.entries(membership)) {
    for (const m of members) {
      const key = principalName(m);
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(principalName(group));
    }
  }
  return out;
}

/** Lower-cased names of every group the membership file describes (their members are known). */
export function knownGroups(membership: Membership | undefined): Set<string> {
  return new Set(Object.keys(membership ?? {}).map(principalName));
}
