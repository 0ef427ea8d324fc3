/**
 * high (AVS): the role assigned to the tenant account holds privileges CloudAdmin lacks. On
 * Azure VMware Solution cloudadmin can create such a role but cannot assign or delete it.
 */
import { cloudAdminGap } from '../../policy/cloudadmin';
import type { AuditContext } from '../context';
import { finding, liveRole } from '../context';
import type { Finding } from '../types';

export function roleExceedsCloudAdmin(ctx: AuditContext): Finding[] {
  const cloudAdmin = ctx.cloudAdminPrivileges;
  if (!cloudAdmin) return [];
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    const roleName = t.tenant.roleName;
    const privileges =
      liveRole(ctx.model, roleName)?.privileges ??
      (roleName === ctx.rolePolicyName && ctx.rolePrivileges ? [...ctx.rolePrivileges] : undefined);
    if (!privileges) continue;
    const gap = cloudAdminGap(privileges, [...cloudAdmin]).beyondCloudAdmin;
    if (gap.length === 0) continue;
    const holding = ctx.model
      .permissionsOfKey(t.principals.selfKey)
      .filter((p) => ctx.model.roleName(p.roleId) === roleName);
    out.push(
      finding('role-exceeds-cloudadmin', {
        tenant: t.name,
        principal: t.tenant.principal,
        message: `role ${roleName} holds ${gap.length} privilege${gap.length === 1 ? '' : 's'} AVS CloudAdmin lacks: cloudadmin cannot assign it`,
        evidence: holding.map((p) => ctx.model.evidence(p)),
        details: gap,
        remediation: `Use the AVS variant of the role (drperm role apply --avs) and set role: to its name in the tenant policy.`,
      }),
    );
  }
  return out;
}
