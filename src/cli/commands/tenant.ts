/**
 * `drperm tenant plan | apply | verify | rollback | drift | restore`: onboarding a tenant's Azure
 * Site Recovery account (README "Onboarding a tenant": every grant without propagation)
 * and keeping it right. Plans resolve against a fresh collection of the live inventory,
 * the same model the audit uses. Only the tenant accounts' permissions are ever
 * changed; apply and rollback back up every permission of every object they touch
 * first, and verify each object afterwards.
 */
import type { Command } from 'commander';
import {
  applyTenants,
  driftTenants,
  failIfIncomplete,
  followUpUnfinishedRuns,
  othersReported,
  pendingChanges,
  planTenants,
  refuseIfNeeded,
  verifyTenants,
} from '../../ops/tenant';
import { planRestoreLive, restoreFromBackup } from '../../ops/tenant-restore';
import { checkBackupTenant } from '../../ops/tenant-rollback';
import { DEFAULT_CONCURRENCY } from '../../plan/apply';
import { DEFAULT_BACKUP_DIR, readBackup } from '../../plan/backup';
import {
  pending,
  planSummaryLine,
  tenantPlanCounts,
  type PlanCounts,
} from '../../plan/plan-summary';
import { readSavedPlan } from '../../plan/saved-plan-file';
import {
  renderChanges,
  renderExecution,
  renderRestorePlan,
  tenantHeading,
} from '../../plan/tenant-render';
import { defaultRolePolicyPath, loadRolePolicy } from '../../policy/role-policy';
import { loadTenantPolicies, omittedTenantFiles } from '../../policy/tenant-policy';
import { checkWritableDir, checkWritableFile } from '../../util/out-path';
import {
  applySavedPlan,
  checkSavedPlan,
  planTenantsToFile,
  savedPending,
} from '../../ops/saved-plan';
import { ExitCode, InputError } from '../../util/errors';
import { confirm } from '../confirm';
import { addConnectionOptions, onVcenter } from '../connection';
import { addFleetOptions } from '../fleet-connection';
import type * as Fleet from '../tenant/fleet';
import type { FleetTenantOptions } from '../tenant/fleet';
import { makeContext, printJson, type CommandContext } from '../context';
import { run } from '../run';
import { registerInit } from './tenant-init';
import { tenantFiles } from '../tenant-option';
import { appliedJson, parseConcurrency } from '../tenant/change';
import { reportFindings } from '../tenant/findings';
import { EXAMPLES, TENANT_EXAMPLES, type TenantOptions, withTenantOption } from '../tenant/options';
import { registerDiscover } from '../tenant/discover';
import { rollbackOn } from '../tenant/rollback';
import { listingRefusals, planJson, printPlans } from '../tenant/plan-live';

/** The fleet's use cases bring the audit, NSX and reports along: loaded for --fleet only. */
function fleet(): typeof Fleet {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../tenant/fleet') as typeof Fleet;
}

/** The options of the commands that change vCenter: confirmation, JSON, backups, concurrency. */
function withChangeOptions(cmd: Command, text: { json: string; backupDir: string }): Command {
  return cmd
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', text.json)
    .option('--backup-dir <dir>', text.backupDir, DEFAULT_BACKUP_DIR)
    .option(
      '--concurrency <n>',
      'objects changed at once, 1 to 32 (also the requests in flight); the default is the best measured through 10 ms of round trip (README "Performance of apply")',
      String(DEFAULT_CONCURRENCY),
    );
}

const DETAILED_EXITCODE = '--detailed-exitcode';
const DETAILED_EXITCODE_HELP = 'exit 0 when there is nothing to do, 1 when changes are pending';

/** Plans exit 0; with --detailed-exitcode, 1 while changes are pending (as terraform plan). */
export function planExitCode(counts: PlanCounts, detailed: boolean): ExitCode {
  return detailed && pending(counts) ? ExitCode.Findings : ExitCode.Ok;
}

/** `tenant apply --plan FILE`: check that nothing it read changed, show, ask, apply exactly it. */
async function applyPlanFile(
  opts: TenantOptions,
  ctx: CommandContext,
  concurrency: number,
  backupDir: string,
): Promise<void> {
  const planFile = opts.plan!;
  if (opts.tenant !== undefined || opts.tenants !== undefined || opts.prune === true) {
    throw new InputError(
      '--plan applies exactly the saved plan; --tenant and --prune were fixed when it was made',
      { hint: `drperm tenant apply --plan ${planFile}` },
    );
  }
  const saved = await readSavedPlan(planFile);
  await checkWritableDir(backupDir, '--backup-dir');
  await onVcenter(
    opts,
    ctx,
    async (client, { interrupted }) => {
      const snapshot = await checkSavedPlan(client, saved, planFile, ctx.emit);
      const pending = savedPending(saved);
      if (!opts.json) {
        for (const t of saved.tenants) {
          ctx.out(
            [
              `Tenant ${t.tenant}: ${t.group ? 'group' : 'user'} ${t.principal}, role ${t.roleName} (from ${planFile})`,
              ...(t.changes.length > 0 ? renderChanges(t.changes) : ['  nothing to change']),
            ].join('\n'),
          );
        }
      }
      if (pending.total === 0) {
        if (opts.json) printJson(ctx, { plan: planFile, applied: [] });
        ctx.log.info('nothing to change: the saved plan has no changes');
        return;
      }
      const question = `Apply ${pending.total} permission change(s) of ${planFile} for ${pending.tenants.map((t) => t.tenant).join(', ')} on ${client.url}?`;
      if (!(await confirm(question, { yes: opts.yes, ctx }))) {
        throw new InputError('cancelled: nothing was changed');
      }
      const applied = await applySavedPlan(
        client,
        saved,
        { backupDir, concurrency, signal: interrupted },
        snapshot.roles,
        ctx.emit,
        (t, outcome) => {
          if (!opts.json)
            ctx.out([`Tenant ${t.tenant}`, ...renderExecution(outcome.report)].join('\n'));
        },
      );
      if (opts.json) printJson(ctx, { plan: planFile, applied: applied.map(appliedJson) });
      failIfIncomplete(applied, pending.tenants.length, interrupted.aborted);
    },
    { finishOnSignal: true },
  );
}

export function register(program: Command): void {
  const tenant = program
    .command('tenant')
    .description(
      "onboard a tenant's Azure Site Recovery account: plan, apply, verify, rollback, drift, restore",
    )
    .addHelpText('after', EXAMPLES);
  registerInit(tenant);
  registerDiscover(tenant);

  addFleetOptions(
    addConnectionOptions(
      withTenantOption(tenant.command('plan'), TENANT_EXAMPLES.plan)
        .description(
          'show, per object, the permission to add, to change or already in place (changes nothing)',
        )
        .option('--prune', "plan the removal of the account's permissions the policy does not name")
        .option(
          '--out <file>',
          'save the exact plan, with a fingerprint of what it read, for `tenant apply --plan FILE`',
        )
        .option(DETAILED_EXITCODE, DETAILED_EXITCODE_HELP)
        .option('--json', 'print the plan as JSON on stdout'),
    ),
  ).action(
    run(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TenantOptions & FleetTenantOptions>();
      const ctx = makeContext(opts);
      if (opts.fleet !== undefined) return fleet().fleetPlan(opts, ctx);
      const files = tenantFiles(opts);
      const tenants = await loadTenantPolicies(files);
      for (const w of await omittedTenantFiles(files)) ctx.log.warn(w);
      if (opts.out !== undefined) await checkWritableFile(opts.out, '--out');
      const prune = opts.prune === true;
      const out = opts.out;
      const { result } = await onVcenter(opts, ctx, (client) =>
        out === undefined
          ? planTenants(client, tenants, { prune }, ctx.emit)
          : listingRefusals(ctx, false, () =>
              planTenantsToFile(client, tenants, { prune, out }, ctx.emit),
            ),
      );
      if (opts.json) printJson(ctx, planJson(result));
      else printPlans(ctx, result);
      await listingRefusals(ctx, opts.json === true, async () => refuseIfNeeded(result));
      const counts = tenantPlanCounts(result.plans);
      if (!opts.json) ctx.out(planSummaryLine(counts));
      return planExitCode(counts, opts.detailedExitcode === true);
    }),
  );

  addFleetOptions(
    addConnectionOptions(
      withChangeOptions(
        withTenantOption(tenant.command('apply'), TENANT_EXAMPLES.apply)
          .description(
            'show the plan, ask, back up every permission of the objects to touch, apply, and verify each object',
          )
          .option('--prune', "also remove the account's permissions the policy does not name")
          .option(
            '--plan <file>',
            'apply exactly a plan saved by `tenant plan --out`; refused if what it read has changed',
          ),
        {
          json: 'print the plan and the outcome as JSON on stdout',
          backupDir: 'where backups are written',
        },
      ),
    ),
  ).action(
    run(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TenantOptions & FleetTenantOptions>();
      const ctx = makeContext(opts);
      const concurrency = parseConcurrency(opts.concurrency);
      const backupDir = opts.backupDir ?? DEFAULT_BACKUP_DIR;
      if (opts.plan !== undefined) return applyPlanFile(opts, ctx, concurrency, backupDir);
      if (opts.fleet !== undefined) return fleet().fleetApply(opts, ctx, concurrency);
      const files = tenantFiles(opts);
      const tenants = await loadTenantPolicies(files);
      for (const w of await omittedTenantFiles(files)) ctx.log.warn(w);
      await checkWritableDir(backupDir, '--backup-dir');
      return onVcenter(
        opts,
        ctx,
        async (client, { interrupted }) => {
          const live = await planTenants(client, tenants, { prune: opts.prune === true }, ctx.emit);
          const { result } = live;
          if (!opts.json) printPlans(ctx, result);
          await listingRefusals(ctx, false, async () => refuseIfNeeded(result));
          if (!opts.json) ctx.out(planSummaryLine(tenantPlanCounts(result.plans)));
          const pending = pendingChanges(result);
          if (pending.plans.length === 0) {
            // Nothing to write, but an unfinished earlier run is still followed up.
            const unfinished = await followUpUnfinishedRuns(
              client,
              result.plans.map((p) => p.tenant),
              { backupDir, concurrency },
              ctx.emit,
            );
            const inPlace = result.plans.reduce((n, p) => n + p.summary.inPlace, 0);
            if (opts.json) {
              printJson(ctx, { ...planJson(result), applied: [], unfinishedRuns: unfinished });
            }
            ctx.log.info(`nothing to change: ${inPlace} permission(s) already in place`);
            return othersReported({ applied: [], unfinished }) > 0
              ? ExitCode.Findings
              : ExitCode.Ok;
          }
          const question = `Apply ${pending.total} permission change(s) for ${pending.plans.map((p) => p.tenant).join(', ')} on ${client.url}?`;
          if (!(await confirm(question, { yes: opts.yes, ctx }))) {
            throw new InputError('cancelled: nothing was changed');
          }
          const { applied, unfinished } = await applyTenants(
            client,
            live,
            { backupDir, concurrency, signal: interrupted },
            ctx.emit,
            (plan, outcome) => {
              if (!opts.json) {
                ctx.out(
                  [
                    tenantHeading(plan),
                    ...renderExecution(outcome.report, outcome.backupFile),
                  ].join('\n'),
                );
              }
            },
          );
          if (opts.json) {
            printJson(ctx, {
              ...planJson(result),
              applied: applied.map(appliedJson),
              unfinishedRuns: unfinished,
            });
          }
          // exit 3 when a change failed; 1 when others' changes were reported; else 0
          return failIfIncomplete(applied, pending.plans.length, interrupted.aborted, unfinished);
        },
        { finishOnSignal: true },
      );
    }),
  );

  addFleetOptions(
    addConnectionOptions(
      withTenantOption(tenant.command('verify'), TENANT_EXAMPLES.verify)
        .description(
          'check that the live permissions match the policy; exit 1 with the differences if not',
        )
        .option('--role <file>', "role policy the tenant role's privileges are compared with")
        .option('--json', 'print the differences as JSON on stdout'),
    ),
  ).action(
    run(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TenantOptions & FleetTenantOptions>();
      const ctx = makeContext(opts);
      if (opts.fleet !== undefined) return fleet().fleetCheck(opts, ctx, 'verify');
      const tenants = await loadTenantPolicies(tenantFiles(opts));
      const rolePolicy = await loadRolePolicy(opts.role ?? defaultRolePolicyPath());
      const check = await listingRefusals(ctx, false, () =>
        onVcenter(opts, ctx, (client) => verifyTenants(client, tenants, rolePolicy, ctx.emit)),
      );
      return reportFindings(
        ctx,
        check,
        opts.json === true,
        'verified: the live permissions match the policy',
      );
    }),
  );

  addFleetOptions(
    addConnectionOptions(
      withTenantOption(tenant.command('drift'), TENANT_EXAMPLES.drift)
        .description(
          "find drift for cron or CI: tenant VMs without the grant, grants changed or removed, the role's privileges changed; exit 1 on drift",
        )
        .option('--role <file>', 'role policy the tenant role is compared with', undefined)
        .option('--json', 'print the findings as JSON on stdout'),
    ),
  ).action(
    run(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TenantOptions & FleetTenantOptions>();
      const ctx = makeContext(opts);
      if (opts.fleet !== undefined) return fleet().fleetCheck(opts, ctx, 'drift');
      const tenants = await loadTenantPolicies(tenantFiles(opts));
      const rolePolicy = await loadRolePolicy(opts.role ?? defaultRolePolicyPath());
      const check = await listingRefusals(ctx, false, () =>
        onVcenter(opts, ctx, (client) => driftTenants(client, tenants, rolePolicy, ctx.emit)),
      );
      return reportFindings(ctx, check, opts.json === true, 'no drift');
    }),
  );

  addFleetOptions(
    addConnectionOptions(
      withChangeOptions(
        withTenantOption(tenant.command('rollback'), TENANT_EXAMPLES.rollback)
          .description(
            "restore the tenant account's permissions on the objects of a backup (other principals untouched), and verify",
          )
          .requiredOption(
            '--backup <file>',
            'a backup written by tenant apply (reports/backups/...)',
          ),
        {
          json: 'print the outcome as JSON on stdout',
          backupDir: 'where the pre-rollback backup is written',
        },
      ),
    ),
  ).action(
    run(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TenantOptions & FleetTenantOptions>();
      const ctx = makeContext(opts);
      const concurrency = parseConcurrency(opts.concurrency);
      if (opts.fleet !== undefined) return fleet().fleetRollback(opts, ctx, concurrency);
      const backupFile = opts.backup!;
      const backup = await readBackup(backupFile);
      if (opts.tenant ?? opts.tenants)
        checkBackupTenant(backup, await loadTenantPolicies(tenantFiles(opts)), backupFile);
      await checkWritableDir(opts.backupDir ?? DEFAULT_BACKUP_DIR, '--backup-dir');
      return onVcenter(
        opts,
        ctx,
        (client, { interrupted }) =>
          rollbackOn(client, backup, backupFile, opts, ctx, {
            concurrency,
            backupDir: opts.backupDir ?? DEFAULT_BACKUP_DIR,
            signal: interrupted,
          }),
        { finishOnSignal: true },
      );
    }),
  );

  addConnectionOptions(
    withChangeOptions(
      tenant
        .command('restore')
        .description(
          "put chosen principals' permissions back as a backup has them: shown first, confirmed, then written and verified (drperm never does this by itself)",
        )
        .requiredOption(
          '--backup <file>',
          'a backup written by tenant apply, rollback or restore (its .sha256 must match)',
        )
        .option(
          '--principal <name>',
          'a user or group to restore (repeatable); default: every principal of the backup',
          (value: string, list: string[] = []) => [...list, value],
        )
        .addHelpText('after', EXAMPLES),
      {
        json: 'print the plan and the outcome as JSON on stdout',
        backupDir: 'where the pre-restore backup is written',
      },
    ),
  ).action(
    run(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TenantOptions>();
      const ctx = makeContext(opts);
      const concurrency = parseConcurrency(opts.concurrency);
      const backupDir = opts.backupDir ?? DEFAULT_BACKUP_DIR;
      const backupFile = opts.backup!;
      const backup = await readBackup(backupFile);
      const principals = opts.principal && opts.principal.length > 0 ? opts.principal : undefined;
      return onVcenter(
        opts,
        ctx,
        async (client, { interrupted }) => {
          const unfinished = await followUpUnfinishedRuns(
            client,
            [backup.tenant],
            { backupDir, concurrency },
            ctx.emit,
          );
          const live = await planRestoreLive(client, backup, backupFile, principals, concurrency);
          const { plan } = live;
          const found = othersReported({ applied: [], unfinished }) > 0;
          const code = plan.problems.length > 0 || found ? ExitCode.Findings : ExitCode.Ok;
          if (!opts.json) {
            ctx.out(
              [
                `Restore from ${backupFile} (tenant ${backup.tenant}, taken ${backup.createdAt})`,
                ...renderRestorePlan(plan),
              ].join('\n'),
            );
          }
          if (plan.writes.length === 0) {
            if (opts.json)
              printJson(ctx, { restore: plan, applied: null, unfinishedRuns: unfinished });
            ctx.log.info('nothing to restore: the permissions are already as in the backup');
            return code;
          }
          const who = plan.principals.map((p) => p.principal).join(', ');
          const question = `Restore ${plan.writes.length} permission(s) of ${who} on ${client.url}?`;
          if (!(await confirm(question, { yes: opts.yes, ctx }))) {
            throw new InputError('cancelled: nothing was changed');
          }
          const restored = await restoreFromBackup(client, backup, live, {
            backupDir,
            concurrency,
            signal: interrupted,
            onWait: (message) => ctx.log.info(message),
            onOutcome: (outcome, finished, total) =>
              ctx.emit({ type: 'change', outcome, finished, total }),
          });
          const applied = { tenant: backup.tenant, ...restored };
          if (opts.json) {
            printJson(ctx, {
              restore: plan,
              applied: appliedJson(applied),
              unfinishedRuns: unfinished,
            });
          } else {
            ctx.out(renderExecution(restored.report, restored.backupFile).join('\n'));
          }
          ctx.log.info(
            `restored and verified; the state before the restore is in ${restored.backupFile}`,
          );
          return othersReported({ applied: [applied] }) > 0 ? ExitCode.Findings : code;
        },
        { finishOnSignal: true },
      );
    }),
  );
}
