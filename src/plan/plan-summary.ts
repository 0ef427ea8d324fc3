/**
 * The one summary line every plan ends with, across tenants, the role and NSX roles:
 * "Plan: 27 to add, 0 to change, 1 to remove, 1 risk kept" (as terraform closes its plans).
 * Pure; `--detailed-exitcode` reads `pending` from the same counts.
 */
import type { TenantPlan } from './tenant-plan';

export interface PlanCounts {
  add: number;
  change: number;
  remove: number;
  /** Tenant plans only: the account's unnamed permissions kept (removed with --prune). */
  kept?: number;
}

export function tenantPlanCounts(plans: readonly TenantPlan[]): PlanCounts {
  const sum = (f: (p: TenantPlan) => number) => plans.reduce((n, p) => n + f(p), 0);
  return {
    add: sum((p) => p.summary.add),
    change: sum((p) => p.summary.change),
    remove: sum((p) => p.summary.remove),
    kept: sum((p) => p.summary.keep),
  };
}

/** True when applying the plan would change anything. */
export function pending(counts: PlanCounts): boolean {
  return counts.add + counts.change + counts.remove > 0;
}

export function planSummaryLine(counts: PlanCounts): string {
  const parts = [
    `${counts.add} to add`,
    `${counts.change} to change`,
    `${counts.remove} to remove`,
  ];
  if (counts.kept !== undefined && counts.kept > 0)
    parts.push(`${counts.kept} risk${counts.kept === 1 ? '' : 's'} kept`);
  return `Plan: ${parts.join(', ')}`;
}

/** A role plan (vCenter or NSX) creates one role, updates it, or leaves it. */
export function rolePlanCounts(action: string): PlanCounts {
  return {
    add: action === 'create' ? 1 : 0,
    change: action === 'update' ? 1 : 0,
    remove: 0,
  };
}
