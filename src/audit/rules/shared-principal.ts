/**
 * critical: two tenants use one account, one tenant's account is a member of another
 * tenant's group account, or one user is a member of two tenants' group accounts (known
 * from the membership sources): each sees the other's VMs.
 */
import { describeChain } from '../../directory/describe';
import type { AuditContext, TenantAccess } from '../context';
import { finding } from '../context';
import type { Finding } from '../types';

export function sharedPrincipal(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const a of ctx.tenants) {
    for (const b of ctx.tenants) {
      if (a === b) continue;
      const how = sharing(ctx, a, b);
      if (!how) continue;
      out.push(
        finding('shared-principal', {
          tenant: a.name,
          principal: a.tenant.principal,
          message: `tenant ${a.name}'s account ${a.tenant.principal} ${how.text} tenant ${b.name}`,
          evidence: [],
          details: [
            ...[a.tenant.file, b.tenant.file].filter((f): f is string => f !== undefined),
            ...how.chains,
          ],
          remediation: `Give each tenant its own vCenter account (and group), used by no other tenant.`,
        }),
      );
    }
  }
  return out;
}

/** How a's account is b's too, or undefined; the fleet audit asks the same across vCenters. */
export function sharing(
  ctx: Pick<AuditContext, 'membership'>,
  a: Pick<TenantAccess, 'principals'> & { tenant: { group: boolean; principal: string } },
  b: Pick<TenantAccess, 'principals'> & { tenant: { group: boolean; principal: string } },
): { text: string; chains: string[] } | undefined {
  const sources = ctx.membership.data.sources;
  if (a.principals.selfKey === b.principals.selfKey) {
    return { text: 'is also the account of', chains: [] };
  }
  if (b.tenant.group && a.principals.groupKeys.has(b.principals.selfKey)) {
    const path = a.principals.paths.get(b.principals.selfKey);
    return {
      text: `is a member of ${b.tenant.principal}, the group account of`,
      chains: path ? [describeChain(path, sources)] : [],
    };
  }
  if (a.tenant.group && b.tenant.group) {
    const theirs = ctx.membership.transitiveMembers(b.tenant.principal).found;
    for (const [key, mine] of ctx.membership.transitiveMembers(a.tenant.principal).found) {
      const other = theirs.get(key);
      if (mine.isGroup || !other) continue;
      return {
        text: `shares the member ${mine.member} with the group account of`,
        chains: [mine, other].map((m) =>
          describeChain({ group: m.edges[0]!.group, edges: [...m.edges].reverse() }, sources),
        ),
      };
    }
  }
  return undefined;
}
