/**
 * `drperm tenant plan|apply|verify|drift|rollback --fleet`: flags, the one confirmation for
 * the whole estate, rendering and exit codes. The use cases are in src/ops/tenant-fleet.ts.
 */
import { join } from 'node:path';
import type { TenantPlan } from '../../plan/tenant-plan';
import { DEFAULT_BACKUP_DIR, readBackup } from '../../plan/backup';
import { renderExecution, tenantHeading } from '../../plan/tenant-render';
import { defaultRolePolicyPath, loadRolePolicy } from '../../policy/role-policy';
import { loadTenantPolicies } from '../../policy/tenant-policy';
import type { AppliedTenant } from '../../ops/tenant';
import {
  applyFleetPlan,
  checkFleetTenants,
  fleetApplyExitCode,
  fleetExitCode,
  fleetMembers,
  onBackupVcenter,
  planFleetApply,
  planFleetTenants,
  refuseFleetPlans,
  type FleetFailure,
  type FleetMember,
} from '../../ops/tenant-fleet';
import { checkBackupTenant } from '../../ops/tenant-rollback';
import { ExitCode, InputError } from '../../util/errors';
import { confirm } from '../confirm';
import { printJson, type CommandContext } from '../context';
import { fleetTargets, type FleetFlags } from '../fleet-connection';
import { tenantFiles } from '../tenant-option';
import { appliedJson } from './change';
import { reportFindings } from './findings';
import type { TenantOptions } from './options';
import { planJson, printPlans } from './plan-live';
import { rollbackOn } from './rollback';

export type FleetTenantOptions = TenantOptions & FleetFlags;

/** The vCenters of the run that carry at least one of the given tenants. */
async function members(opts: FleetTenantOptions): Promise<FleetMember[]> {
  const tenants = await loadTenantPolicies(tenantFiles(opts));
  const { loaded, targets } = await fleetTargets(opts);
  return fleetMembers(loaded.fleet, targets, tenants);
}

const heading = (m: FleetMember) => `== vCenter ${m.target.name} (${m.target.connection.url}) ==`;

function reportFailed(ctx: CommandContext, failed: readonly FleetFailure[]): void {
  for (const f of failed) ctx.log.error(`vCenter ${f.vcenter}: ${f.reason}`);
}

export async function fleetPlan(opts: FleetTenantOptions, ctx: CommandContext): Promise<number> {
  const { done, failed } = await planFleetTenants(
    await members(opts),
    { prune: opts.prune === true },
    ctx.log,
    ctx.emit,
  );
  reportFailed(ctx, failed);
  if (opts.json) {
    printJson(ctx, {
      vcenters: done.map(({ member, result }) => ({
        vcenter: member.target.name,
        ...planJson(result),
      })),
      failed: failed.map((f) => f.vcenter),
    });
  } else {
    for (const { member, result } of done) {
      ctx.out(heading(member));
      printPlans(ctx, result);
    }
  }
  refuseFleetPlans(done.map((d) => d.result));
  return fleetExitCode(failed, ExitCode.Ok);
}

/** Plans every vCenter, asks once, then applies vCenter by vCenter (BACKUP_DIR/<vcenter>/). */
export async function fleetApply(
  opts: FleetTenantOptions,
  ctx: CommandContext,
  concurrency: number,
): Promise<number> {
  const list = await members(opts);
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  const plan = await planFleetApply(
    list,
    { prune: opts.prune === true },
    ctx.log,
    ctx.emit,
    (s) => {
      if (!opts.json) {
        ctx.out(heading(s.member));
        printPlans(ctx, s.live.result);
      }
    },
  ).catch((err: unknown) => {
    process.off('SIGINT', onSignal);
    throw err;
  });
  try {
    reportFailed(ctx, plan.failed);
    if (plan.total === 0) {
      ctx.log.info('nothing to change on any vCenter');
      return fleetExitCode(plan.failed, ExitCode.Ok);
    }
    const where = plan.pending
      .map((p) => `${p.session.member.target.name} (${p.plans.map((x) => x.tenant).join(', ')})`)
      .join('; ');
    if (
      !(await confirm(
        `Apply ${plan.total} permission change(s) on ${plan.pending.length} vCenter(s): ${where}?`,
        { yes: opts.yes, ctx },
      ))
    ) {
      throw new InputError('cancelled: nothing was changed');
    }
    const result = await applyFleetPlan(
      plan,
      {
        backupDir: opts.backupDir ?? DEFAULT_BACKUP_DIR,
        concurrency,
        signal: interrupt.signal,
      },
      ctx.emit,
      (vcenter: string, p: TenantPlan, outcome: AppliedTenant) => {
        if (!opts.json)
          ctx.out(
            [`${vcenter}: ${tenantHeading(p)}`, ...renderExecution(outcome.report)].join('\n'),
          );
      },
    );
    if (opts.json) {
      printJson(ctx, {
        vcenters: result.vcenters.map((r) => ({
          vcenter: r.vcenter,
          applied: r.applied.map(appliedJson),
          unfinishedRuns: r.unfinished,
        })),
        failed: plan.failed.map((f) => f.vcenter),
      });
    }
    return fleetApplyExitCode(result, plan.failed, interrupt.signal.aborted);
  } finally {
    process.off('SIGINT', onSignal);
    await plan.close();
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
  const { check, failed } = await checkFleetTenants(
    await members(opts),
    rolePolicy,
    kind,
    ctx.log,
    ctx.emit,
  );
  reportFailed(ctx, failed);
  const code = reportFindings(
    ctx,
    check,
    opts.json === true,
    kind === 'verify' ? 'verified: the live permissions match the policy' : 'no drift',
  );
  for (const f of failed) ctx.log.error(`vCenter ${f.vcenter} was not checked`);
  return fleetExitCode(failed, code);
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
  return onBackupVcenter(targets, backup, ctx.log, ctx.emit, (client, target) =>
    rollbackOn(client, backup, backupFile, opts, ctx, {
      concurrency,
      backupDir: join(opts.backupDir ?? DEFAULT_BACKUP_DIR, target.name),
      signal: new AbortController().signal,
      vcenter: target.name,
    }),
  );
}
