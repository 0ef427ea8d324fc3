/**
 * `drperm tenant plan | apply | verify | rollback | drift`: onboarding a tenant's Azure
 * Site Recovery account (seed 001's object table, every grant without propagation)
 * and keeping it right. Plans resolve against a fresh collection of the live inventory,
 * the same model the audit uses. Only the tenant accounts' permissions are ever
 * changed; apply and rollback back up every permission of every object they touch
 * first, and verify each object afterwards.
 */
import type { Command } from 'commander';
import { DEFAULT_CONCURRENCY } from '../../plan/apply';
import { DEFAULT_BACKUP_DIR, readBackup } from '../../plan/backup';
import { changesFromPlan } from '../../plan/changes';
import { tenantDrift } from '../../plan/tenant-drift';
import { hasChanges } from '../../plan/tenant-plan';
import { renderExecution, tenantHeading } from '../../plan/tenant-render';
import { defaultRolePolicyPath, loadRolePolicy } from '../../policy/role-policy';
import { loadTenantPolicies } from '../../policy/tenant-policy';
import { InputError } from '../../util/errors';
import { withSession } from '../../vsphere/session';
import { confirm } from '../confirm';
import { addConnectionOptions, resolveConnection } from '../connection';
import { makeContext, printJson } from '../context';
import { tenantFiles } from '../tenant-option';
import {
  appliedJson,
  applyTenant,
  failIfIncomplete,
  parseConcurrency,
  type AppliedTenant,
} from '../tenant/change';
import { reportFindings } from '../tenant/findings';
import { EXAMPLES, type TenantOptions, withTenantOption } from '../tenant/options';
import {
  planJson,
  planLive,
  printPlans,
  refuseIfNeeded,
  roleGone,
  withoutRoleRefusals,
} from '../tenant/plan-live';
import { expectedRolePrivileges, roleFindings } from '../tenant/role-drift';
import { registerDiscover } from '../tenant/discover';
import { checkBackupTenant, rollback } from '../tenant/rollback';
/** The options of the commands that change vCenter: confirmation, JSON, backups, concurrency. */
function withChangeOptions(cmd: Command, text: { json: string; backupDir: string }): Command {
  return cmd
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--json', text.json)
    .option('--backup-dir <dir>', text.backupDir, DEFAULT_BACKUP_DIR)
    .option('--concurrency <n>', 'objects changed at once', String(DEFAULT_CONCURRENCY));
}

export function register(program: Command): void {
  const tenant = program
    .command('tenant')
    .description(
      "onboard a tenant's Azure Site Recovery account: plan, apply, verify, rollback, drift",
    )
    .addHelpText('after', EXAMPLES);
  registerDiscover(tenant);

  addConnectionOptions(
    withTenantOption(tenant.command('plan'))
      .description(
        'show, per object, the permission to add, to change or already in place (changes nothing)',
      )
      .option('--prune', "plan the removal of the account's permissions the policy does not name")
      .option('--json', 'print the plan as JSON on stdout'),
  ).action(async (_o: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<TenantOptions>();
    const ctx = makeContext(opts);
    const tenants = await loadTenantPolicies(tenantFiles(opts));
    const connection = await resolveConnection(opts, ctx.log);
    const { result } = await withSession(connection, ctx.log, (client) =>
      planLive(client, tenants, opts.prune === true, ctx),
    );
    if (opts.json) printJson(ctx, planJson(result));
    else printPlans(ctx, result);
    refuseIfNeeded(ctx, result, opts.json === true);
  });

  addConnectionOptions(
    withChangeOptions(
      withTenantOption(tenant.command('apply'))
        .description(
          'show the plan, ask, back up every permission of the objects to touch, apply, and verify each object',
        )
        .option('--prune', "also remove the account's permissions the policy does not name"),
      {
        json: 'print the plan and the outcome as JSON on stdout',
        backupDir: 'where backups are written',
      },
    ),
  ).action(async (_o: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<TenantOptions>();
    const ctx = makeContext(opts);
    const concurrency = parseConcurrency(opts.concurrency);
    const tenants = await loadTenantPolicies(tenantFiles(opts));
    const connection = await resolveConnection(opts, ctx.log);
    await withSession(
      connection,
      ctx.log,
      async (client, { interrupted }) => {
        const { result, snapshot } = await planLive(client, tenants, opts.prune === true, ctx);
        if (!opts.json) printPlans(ctx, result);
        refuseIfNeeded(ctx, result, false);
        const pending = result.plans.filter(hasChanges);
        if (pending.length === 0) {
          const inPlace = result.plans.reduce((n, p) => n + p.summary.inPlace, 0);
          if (opts.json) printJson(ctx, { ...planJson(result), applied: [] });
          ctx.log.info(`nothing to change: ${inPlace} permission(s) already in place`);
          return;
        }
        const total = pending.reduce((n, p) => n + changesFromPlan(p).length, 0);
        const question = `Apply ${total} permission change(s) for ${pending.map((p) => p.tenant).join(', ')} on ${client.url}?`;
        if (!(await confirm(question, { yes: opts.yes, ctx }))) {
          throw new InputError('cancelled: nothing was changed');
        }
        const applied: AppliedTenant[] = [];
        for (const plan of pending) {
          const outcome = await applyTenant(client, snapshot, plan, changesFromPlan(plan), {
            operation: 'apply',
            dir: opts.backupDir ?? DEFAULT_BACKUP_DIR,
            concurrency,
            ctx,
            signal: interrupted,
          });
          applied.push(outcome);
          if (!opts.json)
            ctx.out([tenantHeading(plan), ...renderExecution(outcome.report)].join('\n'));
          if (outcome.report.failed + outcome.report.notAttempted > 0 || interrupted.aborted) break;
        }
        if (opts.json) printJson(ctx, { ...planJson(result), applied: applied.map(appliedJson) });
        failIfIncomplete(applied, pending.length, interrupted.aborted);
      },
      { finishOnSignal: true },
    );
  });

  addConnectionOptions(
    withTenantOption(tenant.command('verify'))
      .description(
        'check that the live permissions match the policy; exit 1 with the differences if not',
      )
      .option('--json', 'print the differences as JSON on stdout'),
  ).action(async (_o: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<TenantOptions>();
    const ctx = makeContext(opts);
    const tenants = await loadTenantPolicies(tenantFiles(opts));
    const connection = await resolveConnection(opts, ctx.log);
    const { result } = await withSession(connection, ctx.log, (client) =>
      planLive(client, tenants, false, ctx),
    );
    refuseIfNeeded(ctx, withoutRoleRefusals(result), false);
    const findings = result.plans.map((p) => ({
      tenant: p.tenant,
      findings: [...roleGone(p, result), ...tenantDrift(p)],
    }));
    reportFindings(
      ctx,
      findings,
      opts.json === true,
      'verified: the live permissions match the policy',
    );
  });

  addConnectionOptions(
    withTenantOption(tenant.command('drift'))
      .description(
        "find drift for cron or CI: tenant VMs without the grant, grants changed or removed, the role's privileges changed; exit 1 on drift",
      )
      .option('--role <file>', 'role policy the tenant role is compared with', undefined)
      .option('--json', 'print the findings as JSON on stdout'),
  ).action(async (_o: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<TenantOptions>();
    const ctx = makeContext(opts);
    const tenants = await loadTenantPolicies(tenantFiles(opts));
    const rolePolicyFile = opts.role ?? defaultRolePolicyPath();
    const rolePolicy = await loadRolePolicy(rolePolicyFile);
    const connection = await resolveConnection(opts, ctx.log);
    const findings = await withSession(connection, ctx.log, async (client) => {
      const { result, snapshot } = await planLive(client, tenants, false, ctx);
      refuseIfNeeded(ctx, withoutRoleRefusals(result), false);
      const expected = await expectedRolePrivileges(rolePolicy, snapshot);
      return result.plans.map((p) => ({
        tenant: p.tenant,
        findings: [...roleFindings(p, snapshot.roles, expected, ctx), ...tenantDrift(p)],
      }));
    });
    reportFindings(ctx, findings, opts.json === true, 'no drift');
  });

  addConnectionOptions(
    withChangeOptions(
      withTenantOption(tenant.command('rollback'))
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
  ).action(async (_o: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<TenantOptions>();
    const ctx = makeContext(opts);
    const concurrency = parseConcurrency(opts.concurrency);
    const backup = await readBackup(opts.backup!);
    if (opts.tenant ?? opts.tenants)
      checkBackupTenant(backup, await loadTenantPolicies(tenantFiles(opts)), opts.backup!);
    const connection = await resolveConnection(opts, ctx.log);
    await withSession(
      connection,
      ctx.log,
      (client, { interrupted }) => rollback(client, backup, opts, concurrency, ctx, interrupted),
      { finishOnSignal: true },
    );
  });
}
