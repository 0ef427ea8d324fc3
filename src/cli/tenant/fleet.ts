/**
 * `drperm tenant plan|apply|verify|drift|rollback --fleet`: each tenant on the vCenters its
 * policy names (README "Dedicated and managed-service models"). apply asks once for the
 * whole estate and backs up into one directory per vCenter; a vCenter that cannot be
 * reached is reported and the others go on (exit 3 at the end).
 */
import { join } from 'node:path';
import { failureReason, type FleetTarget } from '../../ops/fleet';
import {
  applyTenants,
  driftTenants,
  failIfIncomplete,
  pendingChanges,
  planTenants,
  refuseIfNeeded,
  verifyTenants,
  type CheckResult,
  type LivePlan,
} from '../../ops/tenant';
import { checkBackupTenant, planRollbackLive, rollbackTenant } from '../../ops/tenant-rollback';
import { DEFAULT_BACKUP_DIR, readBackup } from '../../plan/backup';
import { renderExecution, renderRollbackPlan, tenantHeading } from '../../plan/tenant-render';
import { assignTenants } from '../../policy/fleet';
import { defaultRolePolicyPath, loadRolePolicy } from '../../policy/role-policy';
import { loadTenantPolicies, type LoadedTenantPolicy } from '../../policy/tenant-policy';
import { DrpermError, ExitCode, InputError } from '../../util/errors';
import { VimClient } from '../../vsphere/client';
import { confirm } from '../confirm';
import { printJson, type CommandContext } from '../context';
import { fleetTargets, type FleetFlags } from '../fleet-connection';
import { tenantFiles } from '../tenant-option';
import { appliedJson } from './change';
import { reportFindings } from './findings';
import type { TenantOptions } from './options';
import { planJson, printPlans } from './plan-live';

export type FleetTenantOptions = TenantOptions & FleetFlags;

interface Member {
  target: FleetTarget;
  tenants: LoadedTenantPolicy[];
}

/** The vCenters of the run that carry at least one of the given tenants. */
async function members(opts: FleetTenantOptions): Promise<Member[]> {
  const tenants = await loadTenantPolicies(tenantFiles(opts));
  const { loaded, targets } = await fleetTargets(opts);
  const byVcenter = assignTenants(
    loaded.fleet.vcenters.map((v) => v.name),
    tenants,
  );
  return targets
    .map((target) => ({ target, tenants: byVcenter.get(target.name) ?? [] }))
    .filter((m) => m.tenants.length > 0);
}

/** Work on each vCenter in turn; a server failure is reported and the others go on. */
async function eachVcenter<T>(
  list: readonly Member[],
  ctx: CommandContext,
  work: (client: VimClient, m: Member) => Promise<T>,
): Promise<{ done: Array<{ m: Member; value: T }>; failed: string[] }> {
  const done: Array<{ m: Member; value: T }> = [];
  const failed: string[] = [];
  for (const m of list) {
    let client: VimClient;
    try {
      client = await VimClient.connect(m.target.connection, ctx.log);
    } catch (err) {
      if (!(err instanceof DrpermError) || err.exitCode !== ExitCode.Server) throw err;
      ctx.log.error(`vCenter ${m.target.name}: ${failureReason(err)}`);
      failed.push(m.target.name);
      continue;
    }
    try {
      done.push({ m, value: await work(client, m) });
    } finally {
      await client.logout();
    }
  }
  return { done, failed };
}

const heading = (m: Member) => `== vCenter ${m.target.name} (${m.target.connection.url}) ==`;

export async function fleetPlan(opts: FleetTenantOptions, ctx: CommandContext): Promise<number> {
  const { done, failed } = await eachVcenter(await members(opts), ctx, (client, m) =>
    planTenants(client, m.tenants, { prune: opts.prune === true }, prefixedEmit(ctx, m)),
  );
  if (opts.json) {
    printJson(ctx, {
      vcenters: done.map(({ m, value }) => ({ vcenter: m.target.name, ...planJson(value.result) })),
      failed,
    });
  } else {
    for (const { m, value } of done) {
      ctx.out(heading(m));
      printPlans(ctx, value.result);
    }
  }
  for (const { value } of done) refuseIfNeeded(value.result);
  return failed.length > 0 ? ExitCode.Server : ExitCode.Ok;
}

/**
 * Plans every vCenter first with all sessions open, asks once, then applies vCenter by
 * vCenter; each vCenter's backups go to BACKUP_DIR/<vcenter>/.
 */
export async function fleetApply(
  opts: FleetTenantOptions,
  ctx: CommandContext,
  concurrency: number,
): Promise<number> {
  const list = await members(opts);
  const sessions: Array<{ m: Member; client: VimClient; live: LivePlan }> = [];
  const failed: string[] = [];
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  try {
    for (const m of list) {
      let client: VimClient;
      try {
        client = await VimClient.connect(m.target.connection, ctx.log);
      } catch (err) {
        if (!(err instanceof DrpermError) || err.exitCode !== ExitCode.Server) throw err;
        ctx.log.error(`vCenter ${m.target.name}: ${failureReason(err)}`);
        failed.push(m.target.name);
        continue;
      }
      const entry = { m, client, live: undefined as unknown as LivePlan };
      sessions.push(entry);
      entry.live = await planTenants(
        client,
        m.tenants,
        { prune: opts.prune === true },
        prefixedEmit(ctx, m),
      );
      if (!opts.json) {
        ctx.out(heading(m));
        printPlans(ctx, entry.live.result);
      }
    }
    for (const s of sessions) refuseIfNeeded(s.live.result);
    const pending = sessions
      .map((s) => ({ s, pending: pendingChanges(s.live.result) }))
      .filter((p) => p.pending.plans.length > 0);
    const total = pending.reduce((n, p) => n + p.pending.total, 0);
    if (total === 0) {
      ctx.log.info('nothing to change on any vCenter');
      return failed.length > 0 ? ExitCode.Server : ExitCode.Ok;
    }
    const where = pending
      .map((p) => `${p.s.m.target.name} (${p.pending.plans.map((x) => x.tenant).join(', ')})`)
      .join('; ');
    if (
      !(await confirm(
        `Apply ${total} permission change(s) on ${pending.length} vCenter(s): ${where}?`,
        { yes: opts.yes, ctx },
      ))
    ) {
      throw new InputError('cancelled: nothing was changed');
    }
    const results = [];
    for (const { s, pending: p } of pending) {
      const { applied, unfinished } = await applyTenants(
        s.client,
        s.live,
        {
          backupDir: join(opts.backupDir ?? DEFAULT_BACKUP_DIR, s.m.target.name),
          concurrency,
          signal: interrupt.signal,
        },
        prefixedEmit(ctx, s.m),
        (plan, outcome) => {
          if (!opts.json)
            ctx.out(
              [
                `${s.m.target.name}: ${tenantHeading(plan)}`,
                ...renderExecution(outcome.report),
              ].join('\n'),
            );
        },
      );
      results.push({
        vcenter: s.m.target.name,
        applied,
        unfinished,
        pendingTenants: p.plans.length,
      });
      if (interrupt.signal.aborted) break;
    }
    if (opts.json) {
      printJson(ctx, {
        vcenters: results.map((r) => ({
          vcenter: r.vcenter,
          applied: r.applied.map(appliedJson),
          unfinishedRuns: r.unfinished,
        })),
        failed,
      });
    }
    // exit 3 when a change failed (on any vCenter); 1 when others' changes were reported
    const codes = results.map((r) =>
      failIfIncomplete(r.applied, r.pendingTenants, interrupt.signal.aborted, r.unfinished),
    );
    if (failed.length > 0) return ExitCode.Server;
    return codes.includes(ExitCode.Findings) ? ExitCode.Findings : ExitCode.Ok;
  } finally {
    process.off('SIGINT', onSignal);
    await Promise.all(sessions.map((s) => s.client.logout()));
  }
}

/** verify and drift across the fleet: the differences of every vCenter, each tenant tagged with it. */
export async function fleetCheck(
  opts: FleetTenantOptions,
  ctx: CommandContext,
  kind: 'verify' | 'drift',
): Promise<number> {
  // verify reports role drift too (issue 14): both compare the role with its policy.
  const rolePolicy = await loadRolePolicy(opts.role ?? defaultRolePolicyPath());
  const checkTenants = kind === 'drift' ? driftTenants : verifyTenants;
  const { done, failed } = await eachVcenter(await members(opts), ctx, (client, m) =>
    checkTenants(client, m.tenants, rolePolicy, prefixedEmit(ctx, m)),
  );
  const check: CheckResult = {
    tenants: done.flatMap(({ m, value }) =>
      value.tenants.map((t) => ({ ...t, tenant: `${t.tenant} @ ${m.target.name}` })),
    ),
    differences: done.reduce((n, d) => n + d.value.differences, 0),
  };
  const code = reportFindings(
    ctx,
    check,
    opts.json === true,
    kind === 'verify' ? 'verified: the live permissions match the policy' : 'no drift',
  );
  for (const f of failed) ctx.log.error(`vCenter ${f} was not checked`);
  return failed.length > 0 ? ExitCode.Server : code;
}

/** rollback --fleet: the backup names its vCenter (instance UUID); it is restored there only. */
export async function fleetRollback(
  opts: FleetTenantOptions,
  ctx: CommandContext,
  concurrency: number,
): Promise<number> {
  const backupFile = opts.backup!;
  const backup = await readBackup(backupFile);
  if (opts.tenant ?? opts.tenants)
    checkBackupTenant(backup, await loadTenantPolicies(tenantFiles(opts)), backupFile);
  const { targets } = await fleetTargets(opts);
  for (const target of targets) {
    const client = await VimClient.connect(target.connection, ctx.log).catch((err: unknown) => {
      ctx.log.warn(`vCenter ${target.name}: ${failureReason(err)}`);
      return undefined;
    });
    if (!client) continue;
    try {
      if (client.about.instanceUuid !== backup.vcenter.instanceUuid) continue;
      const live = await planRollbackLive(client, backup, backupFile, concurrency);
      const { plan } = live;
      const code = plan.problems.length > 0 ? ExitCode.Findings : ExitCode.Ok;
      if (!opts.json)
        ctx.out(
          [
            `Rollback of ${backup.principal} (tenant ${backup.tenant}) on vCenter ${target.name} to ${backup.createdAt}`,
            ...renderRollbackPlan(plan),
          ].join('\n'),
        );
      if (plan.changes.length === 0) {
        if (opts.json) printJson(ctx, { vcenter: target.name, rollback: plan, applied: null });
        ctx.log.info('nothing to roll back: the account already has the permissions of the backup');
        return code;
      }
      if (
        !(await confirm(
          `Restore ${plan.changes.length} permission(s) of ${backup.principal} on vCenter ${target.name}?`,
          { yes: opts.yes, ctx },
        ))
      ) {
        throw new InputError('cancelled: nothing was changed');
      }
      await rollbackTenant(
        client,
        backup,
        live,
        {
          backupDir: join(opts.backupDir ?? DEFAULT_BACKUP_DIR, target.name),
          concurrency,
          signal: new AbortController().signal,
        },
        ctx.emit,
        (applied) => {
          if (opts.json)
            printJson(ctx, { vcenter: target.name, rollback: plan, applied: appliedJson(applied) });
          else ctx.out(renderExecution(applied.report).join('\n'));
        },
      );
      return code;
    } finally {
      await client.logout();
    }
  }
  throw new InputError(
    `no vCenter of the fleet is the backup's (${backup.vcenter.url}, instance ${backup.vcenter.instanceUuid})`,
    {
      hint: 'a backup is restored on the vCenter it was taken from',
    },
  );
}

function prefixedEmit(ctx: CommandContext, m: Member): CommandContext['emit'] {
  return (e) => {
    if (e.type === 'info' || e.type === 'warning' || e.type === 'debug' || e.type === 'progress')
      return ctx.emit({ ...e, message: `${m.target.name}: ${e.message}` });
    return ctx.emit(e);
  };
}
