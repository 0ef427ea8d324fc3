/**
 * medium: a group holds permissions that give access and its members are unknown (vim25 has
 * no membership; no membership source listed the group), so the tenant account may reach
 * objects through it. Said instead of guessed.
 */
import type { Permission } from '../../model/snapshot';
import type { AuditContext } from '../context';
import { finding } from '../context';
import { principalKey } from '../../model/principal';
import type { Finding } from '../types';

export function groupGrantUnresolved(ctx: AuditContext): Finding[] {
  const unknownGroups = new Map<string, Permission[]>();
  for (const p of ctx.model.snapshot.permissions) {
    // No Access or Anonymous through an unknown group cannot widen anyone's access.
    if (!p.group || ctx.membership.isResolved(p.principal) || !ctx.model.givesAccess(p)) continue;
    const key = principalKey({ name: p.principal, group: true });
    let list = unknownGroups.get(key);
    if (!list) unknownGroups.set(key, (list = []));
    list.push(p);
  }
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    for (const [key, perms] of unknownGroups) {
      if (key === t.principals.selfKey || t.principals.groupKeys.has(key)) continue;
      const group = perms[0]!.principal;
      const reason = ctx.membership.unresolvedReason(group);
      out.push(
        finding('group-grant-unresolved', {
          tenant: t.name,
          principal: t.tenant.principal,
          message: `the members of group ${group} are unknown; if ${t.tenant.principal} is one of them it gets ${perms.length} more permission${perms.length === 1 ? '' : 's'}`,
          evidence: perms.map((p) => ctx.model.evidence(p)),
          ...(reason !== undefined ? { details: [`membership sources: ${reason}`] } : {}),
          remediation: `Resolve the group from its identity source (--ldap, --membership-from vcenter) or list its members in the --membership file, or remove the group's permissions.`,
        }),
      );
    }
  }
  return out;
}
