/**
 * medium: the account's grants do not match the tenant's mode (failover-only needs Read-only, failback the Azure_Site_Recovery role):
 * a failover-only tenant holding the Azure_Site_Recovery role can fail back, a failback
 * tenant holding only Read-only cannot.
 */
import type { Permission } from '../../model/snapshot';
import { DEFAULT_FAILBACK_ROLE } from '../../policy/tenant-resolve';
import type { AuditContext, TenantAccess } from '../context';
import { IMPLICIT_PRIVILEGES } from '../../model/privileges';
import { finding } from '../context';
import type { Finding } from '../types';

export function modeMismatch(ctx: AuditContext): Finding[] {
  return ctx.tenants.flatMap((t) => {
    const found =
      t.tenant.policy.mode === 'failover-only'
        ? failbackRoleHeld(ctx, t)
        : onlyReadOnlyHeld(ctx, t);
    return found ? [found] : [];
  });
}

/** A failover-only tenant holding the failback role can fail back after all. */
function failbackRoleHeld(ctx: AuditContext, t: TenantAccess): Finding | undefined {
  const own = ctx.model.permissionsOfKey(t.principals.selfKey);
  const failbackRoles = new Set([DEFAULT_FAILBACK_ROLE, t.tenant.policy.role].filter(Boolean));
  const asr = own.filter((p) => failbackRoles.has(ctx.model.roleName(p.roleId)));
  if (asr.length === 0) return undefined;
  return finding('mode-mismatch', {
    tenant: t.name,
    principal: t.tenant.principal,
    message: `failover-only tenant ${t.name} holds the failback role on ${asr.length} object${asr.length === 1 ? '' : 's'}`,
    evidence: asr.map((p) => ctx.model.evidence(p)),
    remediation: `Assign Read-only instead of the failback role (drperm tenant apply --tenant ${t.tenant.file ?? `<${t.name}.yaml>`}), or set mode: failback if failback is intended.`,
  });
}

/** A failback tenant whose grants give no more than Read-only cannot fail back. */
function onlyReadOnlyHeld(ctx: AuditContext, t: TenantAccess): Finding | undefined {
  const own = ctx.model.permissionsOfKey(t.principals.selfKey);
  const granting = own.filter((p) => !ctx.model.isNoAccess(p));
  // By privileges, not by role name: a clone of Read-only cannot fail back either.
  const readOnlyOrLess = (p: Permission) =>
    [...ctx.model.rolePrivileges(p.roleId)].every((priv) => IMPLICIT_PRIVILEGES.has(priv));
  if (granting.length === 0 || !granting.every(readOnlyOrLess)) return undefined;
  return finding('mode-mismatch', {
    tenant: t.name,
    principal: t.tenant.principal,
    message: `failback tenant ${t.name} holds only Read-only: replication and failover work, failback fails`,
    evidence: granting.map((p) => ctx.model.evidence(p)),
    remediation: `Assign ${t.tenant.roleName} on the tenant's objects (drperm tenant apply), or set mode: failover-only if failback is not offered.`,
  });
}
