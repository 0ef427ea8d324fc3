/**
 * Saved tenant plans as use cases: `tenant plan --out FILE` writes the plan with the
 * fingerprint of what it read; `tenant apply --plan FILE` collects again, refuses when any
 * part of that fingerprint differs, and applies exactly the saved changes (README "Plan,
 * apply, verify").
 */
import type { Role, Snapshot } from '../model/snapshot';
import { savePlan, staleReasons, type SavedPlan } from '../plan/saved-plan';
import { writeSavedPlan } from '../plan/saved-plan-file';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { InputError } from '../util/errors';
import type { VimClient } from '../vsphere/client';
import { info, type Emit } from './events';
import { collectSnapshot } from './snapshot';
import {
  changeAccount,
  planTenants,
  refuseIfNeeded,
  type AppliedTenant,
  type ChangeOptions,
  type LivePlan,
} from './tenant';

/** Plans (refusing as tenant plan does) and writes the saved plan to `out`. */
export async function planTenantsToFile(
  client: VimClient,
  tenants: readonly LoadedTenantPolicy[],
  options: { prune: boolean; out: string },
  emit: Emit,
): Promise<LivePlan & { saved: SavedPlan }> {
  const live = await planTenants(
    client,
    tenants,
    { prune: options.prune, fullInventory: true },
    emit,
  );
  // A plan with refusals is not one that could be applied: nothing is saved.
  refuseIfNeeded(live.result);
  const saved = savePlan({
    plans: live.result.plans,
    read: live.snapshot,
    vcenter: { url: client.url, instanceUuid: client.about.instanceUuid },
    prune: options.prune,
  });
  await writeSavedPlan(options.out, saved);
  info(
    emit,
    `plan saved to ${options.out}; apply exactly it with: drperm tenant apply --plan ${options.out}`,
  );
  return { ...live, saved };
}

/** The tenants of a saved plan that change something, and how many changes they make. */
export function savedPending(saved: SavedPlan): { tenants: SavedPlan['tenants']; total: number } {
  const tenants = saved.tenants.filter((t) => t.changes.length > 0);
  return { tenants, total: tenants.reduce((n, t) => n + t.changes.length, 0) };
}

/**
 * Collects again and refuses (exit 2, nothing changed) when the inventory, the permissions
 * or the roles differ from what the plan was made from. Returns the fresh collection (its
 * roles name the permissions in the backups).
 */
export async function checkSavedPlan(
  client: VimClient,
  saved: SavedPlan,
  planFile: string,
  emit: Emit,
): Promise<Snapshot> {
  const snapshot = await collectSnapshot(client, emit);
  const stale = staleReasons(saved, { read: snapshot, instanceUuid: client.about.instanceUuid });
  if (stale.length > 0) {
    throw new InputError(
      `refused: ${planFile} is out of date: ${stale.join('; ')}; nothing was changed`,
      {
        hint: 'make a new plan (drperm tenant plan --tenant DIR/ --out FILE), review it, and apply that',
      },
    );
  }
  return snapshot;
}

/** Applies exactly the saved changes, tenant by tenant, as tenant apply does. */
export async function applySavedPlan(
  client: VimClient,
  saved: SavedPlan,
  options: ChangeOptions,
  roles: readonly Role[],
  emit: Emit,
  onTenant: (tenant: SavedPlan['tenants'][number], applied: AppliedTenant) => void = () =>
    undefined,
): Promise<AppliedTenant[]> {
  const applied: AppliedTenant[] = [];
  for (const t of savedPending(saved).tenants) {
    const outcome = await changeAccount(
      client,
      roles,
      { tenant: t.tenant, principal: t.principal, group: t.group },
      t.changes,
      { ...options, operation: 'apply' },
      emit,
    );
    applied.push(outcome);
    onTenant(t, outcome);
    if (outcome.report.failed + outcome.report.notAttempted > 0 || options.signal.aborted) break;
  }
  return applied;
}
