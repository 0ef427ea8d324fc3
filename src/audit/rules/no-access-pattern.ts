/**
 * medium: access confined by a propagated grant plus No Access overrides below it, the
 * alternative per-object grants replace: every new object under the grant is exposed.
 */
import type { Entity, Permission } from '../../model/snapshot';
import type { AuditContext } from '../context';
import { finding } from '../context';
import type { Finding } from '../types';

export function noAccessPattern(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  const inv = ctx.model.inventory;
  for (const t of ctx.tenants) {
    const perms = ctx.model.permissionsOf(t.principals);
    const propagating = new Map<string, Permission[]>();
    for (const p of perms) {
      if (!p.propagate || ctx.model.isNoAccess(p)) continue;
      pushTo(propagating, p.entity, p);
    }
    if (propagating.size === 0) continue;
    const overridesByGrant = new Map<Permission, Permission[]>();
    for (const deny of perms) {
      if (!ctx.model.isNoAccess(deny)) continue;
      const below = inv.get(deny.entity);
      if (!below) continue;
      for (const grant of grantsAbove(below, inv, propagating))
        pushTo(overridesByGrant, grant, deny);
    }
    for (const [grant, denies] of overridesByGrant) {
      const evidence = ctx.model.evidence(grant);
      out.push(
        finding('no-access-pattern', {
          tenant: t.name,
          principal: t.tenant.principal,
          entity: evidence.entity,
          message: `${t.tenant.principal}'s access is confined by a propagated ${evidence.roleName} on ${evidence.entity.path} and ${denies.length} No Access override${denies.length === 1 ? '' : 's'}: new objects below it are exposed`,
          evidence: [evidence, ...denies.map((d) => ctx.model.evidence(d))],
          remediation: `Replace the propagated grant with per-object grants without propagation, then remove the No Access overrides (seed 001's recommended approach).`,
        }),
      );
    }
  }
  return out;
}

/** Propagating grants on any ancestor of e, over every inheritance path. */
function grantsAbove(
  e: Entity,
  inv: AuditContext['model']['inventory'],
  propagating: ReadonlyMap<string, Permission[]>,
): Permission[] {
  const out: Permission[] = [];
  const seen = new Set<string>();
  // The object itself too: a user No Access beside a group grant on one folder (Example 3).
  const stack = [e];
  while (stack.length > 0) {
    const a = stack.pop()!;
    if (seen.has(a.ref)) continue;
    seen.add(a.ref);
    out.push(...(propagating.get(a.ref) ?? []));
    stack.push(...inv.inheritanceParents(a));
  }
  return out;
}

/** Appends in place: one propagated grant may be confined by tens of thousands of overrides. */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
