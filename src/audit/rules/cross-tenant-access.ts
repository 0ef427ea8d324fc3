/** critical: a tenant account sees a VM or management server another tenant owns. */
import { describeChain } from '../../directory/describe';
import type { AuditContext } from '../context';
import { finding } from '../context';
import { principalKey } from '../../model/principal';
import { grantingPermissions } from '../effective-access';
import type { Finding, PermissionEvidence } from '../types';

export function crossTenantAccess(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    for (const access of t.reached) {
      const owners = ctx.owners.get(access.entity.ref);
      if (!owners || owners.includes(t.name)) continue;
      const details: string[] = [];
      const evidence = grantingPermissions(ctx.model, access).map((p): PermissionEvidence => {
        const e = ctx.model.evidence(p);
        const path = p.group
          ? t.principals.paths.get(principalKey({ name: p.principal, group: true }))
          : undefined;
        if (!path) return e;
        details.push(describeChain(path, ctx.membership.data.sources));
        return { ...e, membershipChain: path.edges.map((m) => ({ ...m })) };
      });
      out.push(
        finding('cross-tenant-access', {
          tenant: t.name,
          principal: t.tenant.principal,
          entity: ctx.model.toEntityRef(access.entity),
          message: `${t.tenant.principal} (tenant ${t.name}) reaches ${access.entity.path}, owned by tenant ${owners.join(', ')}, with ${access.privileges.length} privileges`,
          evidence,
          ...(details.length > 0 ? { details } : {}),
          remediation: `${evidence.length > 1 ? 'Remove the permissions listed as evidence, or set them' : 'Remove the permission listed as evidence, or set it'} without propagation, so that ${t.name}'s account keeps grants on its own objects only.`,
        }),
      );
    }
  }
  return out;
}
