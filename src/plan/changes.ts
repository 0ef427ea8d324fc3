/** The unit of work of apply, prune and rollback: one object, the tenant account's permission on it. */
import type { PermissionState, TenantPlan } from './tenant-plan';

export interface PermissionChange {
  entity: { ref: string; type: string; path: string };
  action: 'add' | 'change' | 'remove' | 'restore';
  /** The account's permission after the change; null removes it. */
  desired: PermissionState | null;
}

/** Adds and changes of the plan, then the removals --prune asked for. */
export function changesFromPlan(plan: TenantPlan): PermissionChange[] {
  const out: PermissionChange[] = [];
  for (const o of plan.objects) {
    if (o.action === 'in-place') continue;
    out.push({ entity: pick(o.entity), action: o.action, desired: o.desired });
  }
  for (const r of plan.risks) {
    if (r.action === 'remove')
      out.push({ entity: pick(r.entity), action: 'remove', desired: null });
  }
  return out;
}

function pick(e: { ref: string; type: string; path: string }): PermissionChange['entity'] {
  return { ref: e.ref, type: e.type, path: e.path };
}
