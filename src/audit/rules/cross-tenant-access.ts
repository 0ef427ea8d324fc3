/** critical: a tenant account sees a VM or management server another tenant owns. */
import type { AuditContext } from '../context';
import { finding } from '../context';
import { grantingPermissions } from '../effective-access';
import type { Finding } from '../types';

export function crossTenantAccess(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    for (const access of t.reached) {
      const owners = ctx.owners.get(access.entity.ref);
      if (!owners || owners.includes(t.name)) continue;
      const evidence = grantingPermissions(ctx.model, access).map((p) => ctx.model.evidence(p));
      out.push(
        finding('cross-tenant-access', {
          tenant: t.name,
          principal: t.tenant.principal,
          entity: ctx.model.toEntityRef(access.entity),
          message: `${t.tenant.principal} (tenant ${t.name}) reaches ${access.entity.path}, owned by tenant ${owners.join(', ')}, with ${access.privileges.length} privileges`,
          evidence,
          remediation: `${evidence.length > 1 ? 'Remove the permissions listed as evidence, or set them' : 'Remove the permission listed as evidence, or set it'} without propagation, so that ${t.name}'s account keeps grants on its own objects only.`,
        }),
      );
    }
  }
  return out;
}
