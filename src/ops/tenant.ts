/**
 * The tenant use cases: plan against the live inventory, apply (back up, change, verify each
 * object), verify and drift. Each takes a connected client and loaded policies and returns
 * data; the CLI shows the plan, asks, and renders the results.
 */
import { Inventory } from '../model/inventory';
import type { Role, Snapshot } from '../model/snapshot';
import { checkAccounts } from '../plan/accounts';
import {
  buildBackup,
  executeChanges,
  readOwnPermissions,
  type ExecutionReport,
} from '../plan/apply';
import { writeBackup, type Backup } from '../plan/backup';
import type { OtherChange } from '../plan/others';
import { changesFromPlan, type PermissionChange } from '../plan/changes';
import { rolePrivilegeDrift, tenantDrift, type DriftFinding } from '../plan/tenant-drift';
import {
  hasChanges,
  planTenants as planFromSnapshot,
  type PlanRefusal,
  type PlanResult,
  type TenantPlan,
} from '../plan/tenant-plan';
import { avsVariant, resolveCloudAdmin } from '../policy/cloudadmin';
import {
  loadBaselinePolicy,
  resolveRolePrivileges,
  type LoadedRolePolicy,
} from '../policy/role-policy';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { resolveTenant } from '../policy/tenant-resolve';
import { inventoryScope, scopeShortfall, type ScopeDecision } from '../plan/inventory-scope';
import { silentLogger } from '../util/log';
import { collectScoped } from '../vsphere/collect-scoped';
import { ExitCode, InputError, ServerError } from '../util/errors';
import type { VimClient } from '../vsphere/client';
import { debug, info, warn, type Emit } from './events';
import { followUpUnfinishedRun, recordOutcome, withPermissionWrites } from './permission-writes';
import { collectSnapshot } from './snapshot';

export interface LivePlan {
  result: PlanResult;
  /**
   * What the plan was made from (its roles are those the changes use): the whole inventory,
   * or, when the policies do not need it, the part they reach (inventory-scope.ts).
   */
  snapshot: Snapshot;
  /** Why the whole inventory was collected; undefined when only the tenants' part was read. */
  fullInventoryBecause?: string;
}

export interface PlanOptions {
  prune: boolean;
  /** Always collect the whole inventory (a saved plan fingerprints all of it). */
  fullInventory?: boolean;
}

/**
 * Reads what the policies need (the tenants' part of the inventory, or all of it), resolves
 * the policies, checks the accounts, plans. A plan that needs more than the part read is made
 * again from the whole inventory, and each tenant's plan says why.
 */
export async function planTenants(
  client: VimClient,
  tenants: readonly LoadedTenantPolicy[],
  options: PlanOptions,
  emit: Emit,
): Promise<LivePlan> {
  const accounts = await checkAccounts(
    client,
    tenants.map((t) => ({ principal: t.policy.account.principal, group: t.policy.account.group })),
  );
  const planFrom = (snapshot: Snapshot) => {
    const inventory = new Inventory(snapshot.entities, snapshot.rootFolder);
    const resolved = tenants.map((t) => resolveTenant(t.policy, inventory, t.file));
    const result = planFromSnapshot({
      tenants: resolved,
      inventory,
      permissions: snapshot.permissions,
      roles: snapshot.roles,
      accounts,
      prune: options.prune,
    });
    return { resolved, result, snapshot };
  };
  const decision: ScopeDecision = options.fullInventory
    ? { full: true, reason: 'a saved plan fingerprints the whole inventory' }
    : inventoryScope(tenants);
  let because: string;
  if (decision.full) because = decision.reason;
  else {
    const scoped = await collectScoped(client, decision.scope, {
      log: { ...silentLogger, debug: (m) => debug(emit, m) },
      progress: (message) => emit({ type: 'progress', message }),
    });
    emit({ type: 'progress-done' });
    if ('unplaced' in scoped) {
      because = `the server returned ${scoped.unplaced} permission(s) without their entity`;
    } else {
      const partial = planFrom(scoped.snapshot);
      const shortfall = scopeShortfall(partial.resolved, partial.result);
      if (shortfall === undefined) {
        info(
          emit,
          `resolved without collecting the whole inventory: ${scoped.read.entities} objects read (every one but the VMs, and ${scoped.read.vms} VM(s) below the named folders and paths)`,
        );
        return finish(partial.result, partial.snapshot, undefined, emit);
      }
      because = shortfall;
    }
  }
  info(emit, `resolving by full inventory collection because ${because}`);
  const full = planFrom(await collectSnapshot(client, emit));
  return finish(full.result, full.snapshot, because, emit);
}

function finish(
  result: PlanResult,
  snapshot: Snapshot,
  because: string | undefined,
  emit: Emit,
): LivePlan {
  if (because !== undefined) {
    for (const plan of result.plans) {
      plan.notes.push(`resolved by full inventory collection because ${because}`);
    }
  }
  for (const w of result.warnings) warn(emit, w);
  return { result, snapshot, ...(because === undefined ? {} : { fullInventoryBecause: because }) };
}

/** Refusals stop every command that could change something: exit 2, nothing changed. */
export class PlanRefused extends InputError {
  constructor(readonly refusals: readonly PlanRefusal[]) {
    const first = refusals[0]!;
    super(
      refusals.length === 1
        ? `refused: ${first.message}`
        : `refused: ${refusals.length} problems (listed above); nothing was changed`,
      first.hint !== undefined && refusals.length === 1 ? { hint: first.hint } : undefined,
    );
  }
}

export function refuseIfNeeded(result: PlanResult): void {
  if (result.refusals.length > 0) throw new PlanRefused(result.refusals);
}

export interface AppliedTenant {
  tenant: string;
  backupFile: string;
  report: ExecutionReport;
}

export interface ChangeOptions {
  /** Where backups are written. */
  backupDir: string;
  concurrency: number;
  /** Aborted on Ctrl-C: changes in flight finish and are verified, no new one starts. */
  signal: AbortSignal;
  /** How long to wait for another drperm run on a simulator (default DRPERM_LOCK_TIMEOUT). */
  lockTimeoutMs?: number;
  /** Permissions on the server when the plan was made: whether reading them all in one call pays. */
  serverPermissions?: number;
}

/**
 * Apply and rollback share this: on a server whose contract is known (else nothing is
 * written), holding the server lock where writes replace whole lists, back up every
 * permission of the objects to touch, execute with bounded concurrency (each outcome
 * emitted), record the outcome next to the backup, and return the report. Other principals'
 * permissions found different from the backup are emitted and reported, never written.
 */
export async function changeAccount(
  client: VimClient,
  roles: readonly Role[],
  account: { tenant: string; principal: string; group: boolean },
  changes: PermissionChange[],
  options: ChangeOptions & { operation: Backup['operation'] },
  emit: Emit,
): Promise<AppliedTenant> {
  const guard = {
    purpose: `tenant ${options.operation} ${account.tenant}`,
    onWait: (message: string) => info(emit, message),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  };
  return withPermissionWrites(client, guard, async (contract) => {
    const entities = changes.map((c) => c.entity);
    // Read right before the changes (after any confirmation), so the backup is what they replace.
    const { own, errors } = await readOwnPermissions(
      client,
      entities,
      options.concurrency,
      options.serverPermissions,
    );
    const [firstError] = errors.values();
    if (firstError) {
      throw new ServerError(
        `cannot back up the permissions of ${errors.size} object(s) before changing them: ${firstError.message}; nothing was changed`,
        { cause: firstError },
      );
    }
    const backup = buildBackup({
      operation: options.operation,
      tenant: account.tenant,
      principal: account.principal,
      group: account.group,
      vcenter: vcenterOf(client),
      entities,
      own,
      roles,
    });
    const backupFile = await writeBackup(options.backupDir, backup);
    info(emit, `backup of ${entities.length} object(s) written to ${backupFile}`);
    const report = await executeChanges(client, {
      permissionWrites: contract.permissionWrites,
      serverKey: client.about.instanceUuid,
      principal: account.principal,
      group: account.group,
      changes,
      backup,
      concurrency: options.concurrency,
      ...(options.serverPermissions === undefined
        ? {}
        : { serverPermissions: options.serverPermissions }),
      signal: options.signal,
      onOutcome: (outcome, finished, total) => emit({ type: 'change', outcome, finished, total }),
    });
    await recordOutcome(backupFile, report);
    if (report.othersChanged.length > 0) {
      emit({
        type: 'others-changed',
        tenant: account.tenant,
        backupFile,
        changes: report.othersChanged,
        since: 'during-run',
      });
    }
    return { tenant: account.tenant, backupFile, report };
  });
}

export interface UnfinishedRun {
  tenant: string;
  backupFile: string;
  /** Other principals' permissions that differ from that run's backup now. */
  changes: OtherChange[];
}

/**
 * A run after an interrupted or failed one: the other principals on the objects of the
 * tenant's newest backup are compared with now, reported once (event and result), never
 * written. A backup that cannot be used is said (warning), not compared.
 */
export async function followUpUnfinishedRuns(
  client: VimClient,
  tenants: readonly string[],
  options: Pick<ChangeOptions, 'backupDir' | 'concurrency'>,
  emit: Emit,
): Promise<UnfinishedRun[]> {
  const out: UnfinishedRun[] = [];
  for (const tenant of tenants) {
    const found = await followUpUnfinishedRun(
      client,
      options.backupDir,
      tenant,
      options.concurrency,
    );
    if (found === undefined) continue;
    if ('problem' in found) {
      warn(
        emit,
        `tenant ${tenant}: the last run did not complete, but its backup cannot be compared: ${found.problem}`,
      );
      continue;
    }
    const run = { tenant, backupFile: found.backupFile, changes: found.changes };
    out.push(run);
    if (run.changes.length > 0) {
      emit({ type: 'others-changed', ...run, since: 'unfinished-run' });
    } else {
      info(
        emit,
        `tenant ${tenant}: the last run did not complete; nobody else's permission changed since its backup ${found.backupFile}`,
      );
    }
  }
  return out;
}

export function vcenterOf(client: VimClient): Backup['vcenter'] {
  const a = client.about;
  return {
    url: client.url,
    instanceUuid: a.instanceUuid,
    name: a.name,
    version: a.version,
    build: a.build,
  };
}

/** The plans that change something, and how many permission changes they make. */
export function pendingChanges(result: PlanResult): { plans: TenantPlan[]; total: number } {
  const plans = result.plans.filter(hasChanges);
  return { plans, total: plans.reduce((n, p) => n + changesFromPlan(p).length, 0) };
}

export interface TenantsApplied {
  applied: AppliedTenant[];
  /** Earlier runs of these tenants that had not completed, and what changed since. */
  unfinished: UnfinishedRun[];
}

/**
 * Follows up unfinished earlier runs of every planned tenant, then applies each pending plan
 * in turn (after the caller's confirmation); stops after a tenant with a failed change or on
 * Ctrl-C. `onTenant` hears each tenant's outcome as it finishes.
 */
export async function applyTenants(
  client: VimClient,
  live: LivePlan,
  options: ChangeOptions,
  emit: Emit,
  onTenant: (plan: TenantPlan, applied: AppliedTenant) => void = () => undefined,
): Promise<TenantsApplied> {
  const unfinished = await followUpUnfinishedRuns(
    client,
    live.result.plans.map((p) => p.tenant),
    options,
    emit,
  );
  const { plans } = pendingChanges(live.result);
  const applied: AppliedTenant[] = [];
  for (const plan of plans) {
    const outcome = await changeAccount(
      client,
      live.snapshot.roles,
      plan,
      changesFromPlan(plan),
      { serverPermissions: live.snapshot.permissions.length, ...options, operation: 'apply' },
      emit,
    );
    applied.push(outcome);
    onTenant(plan, outcome);
    if (outcome.report.failed + outcome.report.notAttempted > 0 || options.signal.aborted) break;
  }
  return { applied, unfinished };
}

/** Other principals' permissions reported (during the runs and since unfinished ones). */
export function othersReported(result: {
  applied: readonly AppliedTenant[];
  unfinished?: readonly UnfinishedRun[];
}): number {
  return (
    result.applied.reduce((n, a) => n + a.report.othersChanged.length, 0) +
    (result.unfinished ?? []).reduce((n, u) => n + u.changes.length, 0)
  );
}

/**
 * Partial failure: say what was done and what was not; running again completes it (exit 3).
 * Otherwise exit 1 when other principals' changes were reported, else 0.
 */
export function failIfIncomplete(
  applied: AppliedTenant[],
  pendingTenants: number,
  interrupted: boolean,
  unfinished: readonly UnfinishedRun[] = [],
): ExitCode {
  const failed = applied.filter((a) => a.report.failed + a.report.notAttempted > 0);
  if (failed.length === 0 && applied.length === pendingTenants) {
    return othersReported({ applied, unfinished }) > 0 ? ExitCode.Findings : ExitCode.Ok;
  }
  const othersChanged = applied.some((a) => a.report.othersChanged.length > 0);
  const done = applied.reduce((n, a) => n + a.report.done, 0);
  const notDone = applied.reduce((n, a) => n + a.report.failed + a.report.notAttempted, 0);
  const skipped = pendingTenants - applied.length;
  throw new ServerError(
    `${interrupted ? 'interrupted; ' : ''}` +
      `${done} change(s) done and verified, ${notDone} not done${skipped > 0 ? `, ${skipped} tenant(s) not started` : ''}` +
      `${othersChanged ? "; other principals' permissions were changed by someone else meanwhile and were not touched (listed above)" : ''}`,
    {
      hint: `backups: ${applied.map((a) => a.backupFile).join(', ')}; run the same command again to complete it, or tenant rollback --backup FILE to undo`,
    },
  );
}

export interface TenantFindings {
  tenant: string;
  findings: DriftFinding[];
}

export interface CheckResult {
  tenants: TenantFindings[];
  /** Findings over all tenants: exit 1 when any. */
  differences: number;
}

const checkResult = (tenants: TenantFindings[]): CheckResult => ({
  tenants,
  differences: tenants.reduce((n, t) => n + t.findings.length, 0),
});

/** verify and drift report a deleted role as a difference (exit 1), not as a refusal. */
function refuseExceptRoleMissing(result: PlanResult): void {
  refuseIfNeeded({ ...result, refusals: result.refusals.filter((r) => r.kind !== 'role-missing') });
}

function orElse<T>(list: T[], fallback: () => T[]): T[] {
  return list.length > 0 ? list : fallback();
}

function roleGone(plan: TenantPlan, result: PlanResult): DriftFinding[] {
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

/**
 * tenant verify: do the live permissions match the policies, and the tenant roles their role
 * policy? The same check as drift: after a privilege was added to the role, verify must not
 * say "no differences".
 */
export function verifyTenants(
  client: VimClient,
  tenants: readonly LoadedTenantPolicy[],
  rolePolicy: LoadedRolePolicy,
  emit: Emit,
): Promise<CheckResult> {
  return driftTenants(client, tenants, rolePolicy, emit);
}

/** tenant drift: verify, plus the tenant roles' privileges against the role policy. */
export async function driftTenants(
  client: VimClient,
  tenants: readonly LoadedTenantPolicy[],
  rolePolicy: LoadedRolePolicy,
  emit: Emit,
): Promise<CheckResult> {
  const { result, snapshot } = await planTenants(client, tenants, { prune: false }, emit);
  refuseExceptRoleMissing(result);
  const expected = await expectedRolePrivileges(rolePolicy, snapshot);
  return checkResult(
    result.plans.map((p) => ({
      tenant: p.tenant,
      findings: [
        // A deleted role is reported even when no role policy describes it.
        ...orElse(roleFindings(p, snapshot.roles, expected, emit), () => roleGone(p, result)),
        ...tenantDrift(p),
      ],
    })),
  );
}

/** Role name → the privileges the role policy gives it on this server (the role and its AVS variant). */
export async function expectedRolePrivileges(
  loaded: LoadedRolePolicy,
  snapshot: Pick<Snapshot, 'privileges' | 'roles'>,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const resolved = resolveRolePrivileges(loaded.policy, snapshot.privileges, loaded.source);
  out.set(loaded.policy.name, resolved.privileges);
  if (loaded.policy.avsName) {
    // The AVS variant drops what CloudAdmin lacks (resolveCloudAdmin's precedence).
    const cloudAdmin = resolveCloudAdmin({
      roles: snapshot.roles,
      catalogue: snapshot.privileges,
      baseline: await loadBaselinePolicy(),
    })!;
    out.set(
      loaded.policy.avsName,
      avsVariant(loaded.policy.avsName, resolved.details, cloudAdmin.privileges).privileges,
    );
  }
  return out;
}

function roleFindings(
  plan: TenantPlan,
  roles: readonly Role[],
  expected: ReadonlyMap<string, string[]>,
  emit: Emit,
): DriftFinding[] {
  const live = roles.find((r) => r.name === plan.roleName);
  if (live?.system) return []; // built-in roles (Read-only in failover-only mode) cannot change
  const want = expected.get(plan.roleName);
  if (!want) {
    warn(
      emit,
      `tenant ${plan.tenant}: no role policy describes role ${plan.roleName}; its privileges were not compared (pass --role FILE)`,
    );
    return [];
  }
  return rolePrivilegeDrift(plan.tenant, plan.roleName, want, live);
}
