/**
 * The report's group membership section: for every group that holds permissions (or is a
 * tenant account), where its members came from (source, when, how many, nested groups),
 * and every group still unresolved, with why. Pure: built from the audit context.
 */
import type { AuditContext } from './context';
import type { MembershipReportSection } from './report-model';

export function membershipSection(ctx: AuditContext): MembershipReportSection {
  const index = ctx.membership;
  const { sources } = index.data;
  const wanted = new Map<string, { group: string; permissions: number }>();
  const note = (group: string, permissions: number) => {
    const key = index.key(group);
    const entry = wanted.get(key) ?? { group, permissions: 0 };
    entry.permissions += permissions;
    wanted.set(key, entry);
  };
  for (const p of ctx.model.snapshot.permissions) if (p.group) note(p.principal, 1);
  for (const t of ctx.tenants) if (t.tenant.group) note(t.tenant.principal, 0);

  const groups: MembershipReportSection['groups'] = [];
  const unresolved: MembershipReportSection['unresolved'] = [];
  for (const { group, permissions } of wanted.values()) {
    const resolution = index.resolution(group);
    if (!resolution) {
      unresolved.push({
        group,
        permissions,
        reason: index.unresolvedReason(group) ?? 'no membership source was given for it',
      });
      continue;
    }
    const source = sources.find((s) => s.id === resolution.source);
    const members = index.transitiveMembers(group);
    const all = [...members.found.values()];
    const nested = all.filter((m) => m.isGroup);
    const unresolvedNested = nested.filter((m) => !index.isResolved(m.member)).map((m) => m.member);
    groups.push({
      group,
      permissions,
      source: resolution.source,
      sourceKind: source?.kind ?? 'file',
      sourceLocation: source?.location ?? resolution.source,
      readAt: source?.readAt ?? '',
      ...(resolution.dn !== undefined ? { dn: resolution.dn } : {}),
      directMembers: index.membersOf(group).length,
      users: all.length - nested.length,
      nestedGroups: nested.map((m) => m.member),
      ...(unresolvedNested.length > 0 ? { unresolvedNestedGroups: unresolvedNested } : {}),
      ...(members.truncated !== undefined ? { truncated: members.truncated } : {}),
    });
  }
  const byName = (a: { group: string }, b: { group: string }) => a.group.localeCompare(b.group);
  return {
    sources: sources.map((s) => ({ ...s })),
    groups: groups.sort(byName),
    unresolved: unresolved.sort(byName),
    cycles: index.cycles(),
  };
}
