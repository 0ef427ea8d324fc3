/**
 * Reads membership from several sources into one MembershipData: each group is asked of
 * the first source that covers its domain and knows it (vCenter for VSPHERE.LOCAL, LDAP for
 * its domains, the file for the rest), nested groups are followed breadth-first, each
 * group is read once (so cycles end), and nesting depth and the number of groups read are
 * bounded. Groups nobody could list are recorded with the reason.
 */
import type { MembershipData } from '../model/membership';
import { DEFAULT_LIMITS, type ExpansionLimits } from './expand';
import { PrincipalMatcher } from './names';
import type { MembershipSource } from './source';

export interface ReadRequest {
  /** Groups whose members matter (groups holding permissions, tenant group accounts). */
  groups: readonly string[];
  /** Users whose own groups to ask for (sources that can, e.g. vCenter's belongsToUser). */
  users?: readonly string[];
}

export interface ReadOptions {
  limits?: ExpansionLimits;
  /** Injected by tests; defaults to the clock. */
  now?: () => Date;
  progress?: (groupsRead: number) => void;
}

export async function readMembership(
  sources: readonly MembershipSource[],
  request: ReadRequest,
  options: ReadOptions = {},
): Promise<MembershipData> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const now = () => (options.now ?? (() => new Date()))().toISOString();
  const ids = new Map<MembershipSource, string>(sources.map((s) => [s, s.info.id]));
  const readAt = new Map<string, string>();
  const matcher = new PrincipalMatcher(sources.flatMap((s) => s.info.domains));
  const data: MembershipData = { sources: [], groups: [], edges: [], unresolved: [], warnings: [] };
  const done = new Set<string>();
  const resolved = new Set<string>();
  const stamp = (s: MembershipSource) => {
    if (!readAt.has(s.info.id)) readAt.set(s.info.id, now());
  };

  let queue = uniqueBy(request.groups, (g) => matcher.key(g));
  for (let depth = 0; queue.length > 0; depth++) {
    const next: string[] = [];
    for (const group of queue) {
      const key = matcher.key(group);
      if (done.has(key)) continue;
      done.add(key);
      if (depth > limits.maxDepth) {
        data.unresolved.push({
          group,
          reason: `nested more than ${limits.maxDepth} levels below a granted group; not read`,
        });
        continue;
      }
      if (data.groups.length >= limits.maxGroups) {
        data.unresolved.push({
          group,
          reason: `more than ${limits.maxGroups} groups to read; not read`,
        });
        continue;
      }
      const covering = sources.filter((s) => s.covers(group));
      let listed = false;
      for (const source of covering) {
        stamp(source);
        const listings = await source.listGroup(group);
        if (!listings) continue;
        const at = now();
        for (const l of listings) {
          const lkey = matcher.key(l.group);
          if (resolved.has(lkey)) continue;
          resolved.add(lkey);
          done.add(lkey);
          data.groups.push({
            group: l.group,
            source: ids.get(source)!,
            ...(l.dn ? { dn: l.dn } : {}),
          });
          for (const m of l.members) {
            data.edges.push({
              group: l.group,
              member: m.name,
              memberIsGroup: m.isGroup,
              source: ids.get(source)!,
              at,
            });
            if (m.isGroup && !done.has(matcher.key(m.name))) next.push(m.name);
          }
        }
        listed = true;
        options.progress?.(data.groups.length);
        break;
      }
      if (!listed) {
        data.unresolved.push({
          group,
          reason:
            covering.length === 0
              ? 'no membership source covers its domain'
              : `not found in ${covering.map((s) => s.info.location).join(', ')}`,
        });
      }
    }
    queue = uniqueBy(next, (g) => matcher.key(g));
  }

  for (const user of uniqueBy(request.users ?? [], (u) => matcher.key(u))) {
    const source = sources.find((s) => s.groupsOfUser && s.covers(user));
    if (!source?.groupsOfUser) continue;
    stamp(source);
    const groups = await source.groupsOfUser(user);
    const at = now();
    for (const g of groups) {
      const known = data.edges.some(
        (e) =>
          matcher.key(e.group) === matcher.key(g) && matcher.key(e.member) === matcher.key(user),
      );
      if (!known)
        data.edges.push({
          group: g,
          member: user,
          memberIsGroup: false,
          source: source.info.id,
          at,
        });
    }
  }

  for (const s of sources) data.warnings.push(...(s.warnings ?? []));
  data.sources = sources
    .filter((s) => readAt.has(s.info.id))
    .map((s) => ({ ...s.info, readAt: readAt.get(s.info.id)! }));
  return data;
}

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
