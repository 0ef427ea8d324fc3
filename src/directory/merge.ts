/**
 * Combining membership read at different times (the snapshot's section, a directory read
 * now): the first part that resolved a group keeps it; later parts add only the groups
 * still open. Source ids are kept unique so every edge still names where it came from.
 */
import type { MembershipData } from '../model/membership';
import { PrincipalMatcher } from './names';

export function mergeMembership(parts: readonly MembershipData[]): MembershipData {
  const out: MembershipData = { sources: [], groups: [], edges: [], unresolved: [], warnings: [] };
  const matcher = new PrincipalMatcher(parts.flatMap((p) => p.sources.flatMap((s) => s.domains)));
  const resolvedBy = new Map<string, string>();
  const taken = new Set<string>();
  for (const part of parts) {
    const rename = new Map<string, string>();
    for (const s of part.sources) {
      let id = s.id;
      for (let n = 2; taken.has(id); n++) id = `${s.id}~${n}`;
      taken.add(id);
      rename.set(s.id, id);
      out.sources.push({ ...s, id });
    }
    const idOf = (id: string) => rename.get(id) ?? id;
    const mine = new Set<string>();
    for (const g of part.groups) {
      const key = matcher.key(g.group);
      if (resolvedBy.has(key)) continue;
      resolvedBy.set(key, idOf(g.source));
      mine.add(key);
      out.groups.push({ ...g, source: idOf(g.source) });
    }
    for (const e of part.edges) {
      const key = matcher.key(e.group);
      // Edges of a group an earlier part resolved would mix two readings of one group.
      if (resolvedBy.has(key) && !mine.has(key)) continue;
      out.edges.push({ ...e, source: idOf(e.source) });
    }
    out.warnings.push(...part.warnings);
  }
  const seen = new Set<string>();
  for (const part of parts) {
    for (const u of part.unresolved) {
      const key = matcher.key(u.group);
      if (resolvedBy.has(key) || seen.has(key)) continue;
      seen.add(key);
      out.unresolved.push(u);
    }
  }
  return out;
}
