/** high: a tenant account sees a VM that no tenant policy owns (the partner's or a future tenant's). */
import type { AuditContext } from '../context';
import { finding } from '../context';
import { grantingPermissions } from '../effective-access';
import type { Finding } from '../types';

export function unownedVmAccess(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    for (const access of t.reached) {
      if (access.entity.type !== 'VirtualMachine' || ctx.owners.has(access.entity.ref)) continue;
      out.push(
        finding('unowned-vm-access', {
          tenant: t.name,
          principal: t.tenant.principal,
          entity: ctx.model.toEntityRef(access.entity),
          message: `${t.tenant.principal} (tenant ${t.name}) reaches VM ${access.entity.path}, which no tenant policy owns`,
          evidence: grantingPermissions(ctx.model, access).map((p) => ctx.model.evidence(p)),
          remediation: `Remove the granting permission, or add the VM to the owning tenant's policy if it belongs to ${t.name}.`,
        }),
      );
    }
  }
  return out;
}
