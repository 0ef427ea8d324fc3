/**
 * How much of the inventory a tenant plan must read. Pure.
 *
 * - Name globs (`objects.vms.names`) can match any VM: the whole inventory is collected.
 * - Otherwise every entity except the VMs is read, plus the VMs below the named folders and
 *   at the named paths (src/vsphere/collect-scoped.ts). That part resolves a policy exactly
 *   as the whole inventory does, except where the whole one is needed to say more: a path
 *   that is not there (the nearest names), a folder without VMs, and the account's
 *   permissions the policy does not name that propagate (which VMs of others they reach) or
 *   sit on an object outside the part read. Then the plan is made again from the whole
 *   inventory (scopeShortfall), and says why.
 */
import type { TenantPolicy } from '../policy/schemas';
import type { ResolvedTenant } from '../policy/tenant-resolve';
import type { InventoryScope } from '../vsphere/collect-scoped';
import type { PlanResult } from './tenant-plan';

export type ScopeDecision = { full: false; scope: InventoryScope } | { full: true; reason: string };

/** The part of the inventory the policies need, or why it must be all of it. */
export function inventoryScope(
  policies: readonly { policy: TenantPolicy; file?: string }[],
): ScopeDecision {
  for (const { policy, file } of policies) {
    const glob = policy.objects.vms.names[0];
    if (glob !== undefined) {
      return {
        full: true,
        reason: `of name glob "${glob}" (${file ?? policy.tenant} objects.vms.names[0]): it can match any VM`,
      };
    }
  }
  return {
    full: false,
    scope: {
      vmFolders: policies.flatMap((p) => p.policy.objects.vms.folders),
      vmPaths: policies.flatMap((p) => [
        ...p.policy.objects.vms.paths,
        ...p.policy.objects.managementServers,
      ]),
    },
  };
}

/** Why a plan made from part of the inventory must be made again from all of it; undefined when it need not. */
export function scopeShortfall(
  resolved: readonly ResolvedTenant[],
  result: PlanResult,
): string | undefined {
  const problem = resolved.flatMap((t) =>
    t.problems.map((p) => ({ tenant: t.file ?? t.policy.tenant, ...p })),
  )[0];
  if (problem !== undefined) {
    return `${problem.tenant} ${problem.field} does not resolve in the part read (the whole inventory names the nearest objects)`;
  }
  for (const plan of result.plans) {
    const risk = plan.risks.find((r) => r.entity.type === 'unknown' || r.current.propagate);
    if (risk === undefined) continue;
    return risk.entity.type === 'unknown'
      ? `tenant ${plan.tenant}'s account has a permission on ${risk.entity.ref}, outside the part read`
      : `tenant ${plan.tenant}'s account has a propagating permission on ${risk.entity.path} the policy does not name (which VMs it reaches needs every VM)`;
  }
  return undefined;
}
