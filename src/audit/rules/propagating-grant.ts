/**
 * high: a tenant account holds a propagating permission. Seed 001 requires per-object
 * grants "not propagated to the child objects": anything created below later is exposed.
 */
import type { Permission } from '../../model/snapshot';
import type { AuditContext } from '../context';
import { finding } from '../context';
import { grantingPermissions } from '../effective-access';
import type { Finding } from '../types';

export function propagatingGrant(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    const reachedThrough = new Map<Permission, number>();
    for (const access of t.reached) {
      for (const p of grantingPermissions(ctx.model, access)) {
        if (p.propagate) reachedThrough.set(p, (reachedThrough.get(p) ?? 0) + 1);
      }
    }
    for (const p of ctx.model.permissionsOf(t.principals)) {
      if (!p.propagate || ctx.model.isNoAccess(p)) continue;
      const evidence = ctx.model.evidence(p);
      const count = reachedThrough.get(p) ?? 0;
      out.push(
        finding('propagating-grant', {
          tenant: t.name,
          principal: t.tenant.principal,
          entity: evidence.entity,
          message: `${p.principal} holds ${evidence.roleName} on ${evidence.entity.path} with propagation; it reaches ${count} object${count === 1 ? '' : 's'}`,
          evidence: [evidence],
          remediation: `Set the permission on ${evidence.entity.path} without "Propagate to children" and grant ${t.name}'s objects one by one (drperm tenant apply).`,
        }),
      );
    }
  }
  return out;
}
