/**
 * medium: the account's grants do not match the tenant's mode (seed 001 "Failover only"):
 * a failover-only tenant holding the Azure_Site_Recovery role can fail back, a failback
 * tenant holding only Read-only cannot.
 */
import { DEFAULT_FAILBACK_ROLE, READ_ONLY_ROLE } from '../../policy/tenant-resolve';
import type { AuditContext } from '../context';
import { finding } from '../context';
import type { Finding } from '../types';

/** Built-in roles that grant no more than Read-only. */
const READ_ONLY_OR_LESS = new Set([READ_ONLY_ROLE, 'View', 'Anonymous', 'NoAccess']);

export function modeMismatch(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const t of ctx.tenants) {
    const own = ctx.model.permissionsOfKey(t.principals.selfKey);
    const policy = t.tenant.policy;
    if (policy.mode === 'failover-only') {
      const failbackRoles = new Set([DEFAULT_FAILBACK_ROLE, policy.role].filter(Boolean));
      const asr = own.filter((p) => failbackRoles.has(ctx.model.roleName(p.roleId)));
      if (asr.length === 0) continue;
      out.push(
        finding('mode-mismatch', {
          tenant: t.name,
          principal: t.tenant.principal,
          message: `failover-only tenant ${t.name} holds the failback role on ${asr.length} object${asr.length === 1 ? '' : 's'}`,
          evidence: asr.map((p) => ctx.model.evidence(p)),
          remediation: `Assign Read-only instead of the failback role (drperm tenant apply --tenant ${t.tenant.file ?? `<${t.name}.yaml>`}), or set mode: failback if failback is intended.`,
        }),
      );
    } else {
      const granting = own.filter((p) => !ctx.model.isNoAccess(p));
      if (granting.length === 0) continue;
      if (!granting.every((p) => READ_ONLY_OR_LESS.has(ctx.model.roleName(p.roleId)))) continue;
      out.push(
        finding('mode-mismatch', {
          tenant: t.name,
          principal: t.tenant.principal,
          message: `failback tenant ${t.name} holds only Read-only: replication and failover work, failback fails`,
          evidence: granting.map((p) => ctx.model.evidence(p)),
          remediation: `Assign ${t.tenant.roleName} on the tenant's objects (drperm tenant apply), or set mode: failover-only if failback is not offered.`,
        }),
      );
    }
  }
  return out;
}
