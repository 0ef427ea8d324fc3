/** Planning against the live inventory: collect, resolve, check accounts, plan; refusals and their rendering. */
import { Inventory } from '../../model/inventory';
import type { Snapshot } from '../../model/snapshot';
import { checkAccounts } from '../../plan/accounts';
import type { DriftFinding } from '../../plan/tenant-drift';
import { planTenants, type PlanResult, type TenantPlan } from '../../plan/tenant-plan';
import { renderPlan, renderRefusals } from '../../plan/tenant-render';
import type { LoadedTenantPolicy } from '../../policy/tenant-policy';
import { resolveTenant } from '../../policy/tenant-resolve';
import { InputError } from '../../util/errors';
import type { VimClient } from '../../vsphere/client';
import { collectSnapshot } from '../../vsphere/collect';
import type { CommandContext } from '../context';
import { progressLine } from '../progress';

export async function planLive(
  client: VimClient,
  tenants: readonly LoadedTenantPolicy[],
  prune: boolean,
  ctx: CommandContext,
): Promise<{ result: PlanResult; snapshot: Snapshot }> {
  const progress = progressLine(ctx);
  const snapshot = await collectSnapshot(client, { log: ctx.log, progress: progress.update });
  progress.done();
  const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
  const resolved = tenants.map((t) => resolveTenant(t.policy, inventory, t.file));
  const accounts = await checkAccounts(
    client,
    resolved.map((t) => ({ principal: t.principal, group: t.group })),
  );
  const result = planTenants({
    tenants: resolved,
    inventory,
    permissions: snapshot.permissions,
    roles: snapshot.roles,
    accounts,
    prune,
  });
  for (const w of result.warnings) ctx.log.warn(w);
  return { result, snapshot };
}

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

/** Refusals stop every command that could change something: exit 2, nothing changed. */
export function refuseIfNeeded(
  ctx: CommandContext,
  result: PlanResult,
  jsonPrinted: boolean,
): void {
  if (result.refusals.length === 0) return;
  // One refusal is printed by main() with its hint; several are listed first.
  if (!jsonPrinted && result.refusals.length > 1)
    for (const l of renderRefusals(result.refusals)) ctx.log.error(l);
  const first = result.refusals[0]!;
  throw new InputError(
    result.refusals.length === 1
      ? `refused: ${first.message}`
      : `refused: ${result.refusals.length} problems (listed above); nothing was changed`,
    first.hint !== undefined && result.refusals.length === 1 ? { hint: first.hint } : undefined,
  );
}

/** verify and drift report a deleted role as a difference (exit 1), not as a refusal. */
export function withoutRoleRefusals(result: PlanResult): PlanResult {
  return { ...result, refusals: result.refusals.filter((r) => r.kind !== 'role-missing') };
}

export function roleGone(plan: TenantPlan, result: PlanResult): DriftFinding[] {
  const gone = result.refusals.some(
    (r) => r.kind === 'role-missing' && r.tenants.includes(plan.tenant),
  );
  return gone
    ? [
        {
          tenant: plan.tenant,
          kind: 'role-privileges-changed',
          message: `a role of this tenant no longer exists on the server (drperm role apply recreates it)`,
        },
      ]
    : [];
}
