/**
 * critical: two tenants use one account, or one tenant's account is a member of another
 * tenant's group account (known from the membership file): each sees the other's VMs.
 */
import type { AuditContext, TenantAccess } from '../context';
import { finding } from '../context';
import type { Finding } from '../types';

export function sharedPrincipal(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const a of ctx.tenants) {
    for (const b of ctx.tenants) {
      if (a === b) continue;
      const how = sharing(a, b);
      if (!how) continue;
      out.push(
        finding('shared-principal', {
          tenant: a.name,
          principal: a.tenant.principal,
          message: `tenant ${a.name}'s account ${a.tenant.principal} ${how} tenant ${b.name}`,
          evidence: [],
          details: [a.tenant.file, b.tenant.file].filter((f): f is string => f !== undefined),
          remediation: `Give each tenant its own vCenter account (and group), used by no other tenant.`,
        }),
      );
    }
  }
  return out;
}

/** How a's account is b's too, or undefined; the fleet audit asks the same across vCenters. */
export function sharing(
  a: Pick<TenantAccess, 'principals'>,
  b: Pick<TenantAccess, 'principals'> & { tenant: { group: boolean; principal: string } },
): string | undefined {
  if (a.principals.selfKey === b.principals.selfKey) return 'is also the account of';
  if (b.tenant.group && a.principals.groupKeys.has(b.principals.selfKey)) {
    return `is a member of ${b.tenant.principal}, the group account of`;
  }
  return undefined;
}
