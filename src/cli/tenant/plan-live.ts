/** Rendering tenant plans and their refusals. */
import { PlanRefused } from '../../ops/tenant';
import type { PlanResult } from '../../plan/tenant-plan';
import { renderPlan, renderRefusals } from '../../plan/tenant-render';
import type { CommandContext } from '../context';

export function printPlans(ctx: CommandContext, result: PlanResult): void {
  ctx.out(result.plans.map((p) => renderPlan(p).join('\n')).join('\n\n'));
}

export function planJson(result: PlanResult) {
  return {
    plans: result.plans.map((p) => ({
      ...p,
      objects: p.objects.map((o) => ({ ...o, entity: entityJson(o.entity) })),
      risks: p.risks.map((r) => ({ ...r, entity: entityJson(r.entity) })),
    })),
    refusals: result.refusals,
    warnings: result.warnings,
  };
}

export const entityJson = (e: { ref: string; type: string; path: string }) => ({
  ref: e.ref,
  type: e.type,
  path: e.path,
});

/**
 * Runs a tenant use case; when it refuses with several problems, they are listed first (one
 * refusal is printed by main() with its hint; with --json the plan on stdout holds them).
 */
export async function listingRefusals<T>(
  ctx: CommandContext,
  jsonPrinted: boolean,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PlanRefused && !jsonPrinted && err.refusals.length > 1) {
      for (const l of renderRefusals(err.refusals)) ctx.log.error(l);
    }
    throw err;
  }
}
