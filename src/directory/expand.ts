/**
 * The expansion engine: from direct membership edges (as sources read them) to what the
 * audit needs: every group a principal belongs to, transitively, each with the chain of
 * edges that proves it; every member of a group; and the membership cycles. Pure: data in,
 * data out. Cycles never loop the walk (each group is visited once); depth and the number
 * of groups visited are bounded, and reaching a bound is reported, never silent.
 */
import type {
  MembershipData,
  MembershipEdge,
  ResolvedGroup,
  UnresolvedGroup,
} from '../model/membership';
import { PrincipalMatcher } from './names';

export interface ExpansionLimits {
  /** Deepest nesting followed (a direct member is depth 1). */
  maxDepth: number;
  /** Most groups visited from one principal or group. */
  maxGroups: number;
}

export const DEFAULT_LIMITS: ExpansionLimits = { maxDepth: 32, maxGroups: 10000 };

/** Proof that a principal belongs to a group: edges from the principal up to the group. */
export interface MembershipPath {
  /** The group, as the edges write it. */
  group: string;
  /** edges[0].member is the principal, edges[last].group is the group; each edge's group is the next edge's member. */
  edges: readonly MembershipEdge[];
}

export interface Expansion<T> {
  found: Map<string, T>;
  /** Set when a limit stopped the walk: what was not followed. */
  truncated?: string;
}

/** Direct edges indexed both ways, with the matcher that compares names as vCenter does. */
export class MembershipIndex {
  readonly data: MembershipData;
  readonly matcher: PrincipalMatcher;
  private readonly up = new Map<string, MembershipEdge[]>();
  private readonly down = new Map<string, MembershipEdge[]>();
  private readonly resolved = new Map<string, ResolvedGroup>();
  private readonly unresolvedByKey = new Map<string, UnresolvedGroup>();

  constructor(data: MembershipData) {
    this.data = data;
    this.matcher = new PrincipalMatcher(data.sources.flatMap((s) => s.domains));
    for (const e of data.edges) {
      push(this.up, this.matcher.key(e.member), e);
      push(this.down, this.matcher.key(e.group), e);
    }
    for (const g of data.groups) {
      const key = this.matcher.key(g.group);
      if (!this.resolved.has(key)) this.resolved.set(key, g);
    }
    for (const u of data.unresolved) {
      const key = this.matcher.key(u.group);
      if (!this.resolved.has(key)) this.unresolvedByKey.set(key, u);
    }
  }

  key(principal: string): string {
    return this.matcher.key(principal);
  }

  /** Where a group's members came from; undefined when no source listed them. */
  resolution(group: string): ResolvedGroup | undefined {
    return this.resolved.get(this.key(group));
  }

  isResolved(group: string): boolean {
    return this.resolved.has(this.key(group));
  }

  /** Why a group stayed unresolved, when a source said. */
  unresolvedReason(group: string): string | undefined {
    return this.unresolvedByKey.get(this.key(group))?.reason;
  }

  /** Edges naming `member` as a direct member (any domain spelling). */
  groupsOf(member: string): readonly MembershipEdge[] {
    return this.up.get(this.key(member)) ?? [];
  }

  /** Direct member edges of `group`. */
  membersOf(group: string): readonly MembershipEdge[] {
    return this.down.get(this.key(group)) ?? [];
  }

  /** Every group holding `principal`, directly or through nested groups, with the shortest chain. */
  containingGroups(
    principal: string,
    limits: ExpansionLimits = DEFAULT_LIMITS,
  ): Expansion<MembershipPath> {
    return walk(
      principal,
      (name) => this.groupsOf(name),
      (e) => e.group,
      (e, prev) => ({ group: e.group, edges: [...(prev?.edges ?? []), e] }),
      this,
      limits,
    );
  }

  /** Every member of `group`, users and groups, transitively, each with its chain (group first). */
  transitiveMembers(
    group: string,
    limits: ExpansionLimits = DEFAULT_LIMITS,
  ): Expansion<{ member: string; isGroup: boolean; edges: readonly MembershipEdge[] }> {
    return walk(
      group,
      (name) => this.membersOf(name),
      (e) => e.member,
      (e, prev) => ({
        member: e.member,
        isGroup: e.memberIsGroup,
        edges: [...(prev?.edges ?? []), e],
      }),
      this,
      limits,
      (e) => e.memberIsGroup,
    );
  }

  /**
   * Membership cycles among groups (each a list of group names, as strongly connected
   * components of the group graph): vCenter and directories allow them; the audit must not loop.
   */
  cycles(): string[][] {
    return stronglyConnected(this);
  }
}

/** Breadth-first, so the first chain found to a group is a shortest one. */
function walk<T extends { edges: readonly MembershipEdge[] }>(
  start: string,
  next: (name: string) => readonly MembershipEdge[],
  target: (e: MembershipEdge) => string,
  make: (e: MembershipEdge, prev: T | undefined) => T,
  index: MembershipIndex,
  limits: ExpansionLimits,
  descend: (e: MembershipEdge) => boolean = () => true,
): Expansion<T> {
  const found = new Map<string, T>();
  const startKey = index.key(start);
  const out: Expansion<T> = { found };
  let frontier: Array<{ name: string; via: T | undefined }> = [{ name: start, via: undefined }];
  for (let depth = 1; frontier.length > 0; depth++) {
    const following: typeof frontier = [];
    for (const { name, via } of frontier) {
      for (const e of next(name)) {
        const key = index.key(target(e));
        if (key === startKey || found.has(key)) continue; // a cycle or a diamond: seen already
        if (depth > limits.maxDepth) {
          out.truncated = `membership nested deeper than ${limits.maxDepth} levels below ${start} was not followed`;
          continue;
        }
        if (found.size >= limits.maxGroups) {
          out.truncated = `more than ${limits.maxGroups} principals reached from ${start}; the rest were not followed`;
          return out;
        }
        const item = make(e, via);
        found.set(key, item);
        if (descend(e)) following.push({ name: target(e), via: item });
      }
    }
    frontier = following;
  }
  return out;
}

/** Tarjan's algorithm, iterative (a deep chain of groups must not overflow the stack). */
function stronglyConnected(index: MembershipIndex): string[][] {
  const names = new Map<string, string>();
  const succ = new Map<string, string[]>();
  for (const e of index.data.edges) {
    if (!e.memberIsGroup) continue;
    const g = index.key(e.group);
    const m = index.key(e.member);
    names.set(g, names.get(g) ?? e.group);
    names.set(m, names.get(m) ?? e.member);
    push(succ, g, m);
  }
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const root of names.keys()) {
    if (order.has(root)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: root, i: 0 }];
    order.set(root, order.size);
    low.set(root, order.get(root)!);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const edges = succ.get(top.node) ?? [];
      if (top.i < edges.length) {
        const m = edges[top.i++]!;
        if (!order.has(m)) {
          order.set(m, order.size);
          low.set(m, order.get(m)!);
          stack.push(m);
          onStack.add(m);
          work.push({ node: m, i: 0 });
        } else if (onStack.has(m)) {
          low.set(top.node, Math.min(low.get(top.node)!, order.get(m)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === order.get(top.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(names.get(n)!);
        } while (n !== top.node);
        const selfLoop = (succ.get(top.node) ?? []).includes(top.node);
        if (component.length > 1 || selfLoop) out.push(component.reverse());
      }
    }
  }
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
