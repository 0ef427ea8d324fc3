/**
 * high: a tenant account holds privileges beyond its mode's role on some object.
 * Reported once per granting permission (with the number of objects), not once per
 * object: an Administrator grant on the root would otherwise drown the report.
 */
import type { Permission } from '../../model/snapshot';
import type { AuditContext } from '../context';
import { beyond, finding } from '../context';
import { grantingPermissions } from '../effective-access';
import type { Finding } from '../types';

export function excessPrivilege(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    const allowed = t.allowed;
    if (!allowed) continue;
    const byPermission = new Map<Permission, { objects: number; excess: string[] }>();
    for (const access of t.reached) {
      for (const p of grantingPermissions(ctx.model, access)) {
        const excess = beyond(ctx.model.rolePrivileges(p.roleId), allowed);
        if (excess.length === 0) continue;
        const entry = byPermission.get(p) ?? { objects: 0, excess };
        entry.objects++;
        byPermission.set(p, entry);
      }
    }
    const roleLabel = t.tenant.policy.mode === 'failover-only' ? 'Read-only' : t.tenant.roleName;
    for (const [p, { objects, excess }] of byPermission) {
      const evidence = ctx.model.evidence(p);
      out.push(
        finding('excess-privilege', {
          tenant: t.name,
          principal: t.tenant.principal,
          entity: evidence.entity,
          message: `${p.principal} holds ${evidence.roleName} on ${evidence.entity.path}: ${excess.length} privilege${excess.length === 1 ? '' : 's'} beyond ${roleLabel} (${t.tenant.policy.mode}) on ${objects} object${objects === 1 ? '' : 's'}`,
          evidence: [evidence],
          details: excess,
          remediation: `Replace the role of this permission with ${roleLabel}.`,
        }),
      );
    }
  }
  return out;
}
