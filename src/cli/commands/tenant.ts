/**
 * `drperm tenant plan | apply | verify | rollback | drift`: onboarding a tenant's Azure
 * Site Recovery account (seed 001's object table, every grant without propagation)
 * and keeping it right. Plans resolve against a fresh collection of the live inventory,
 * the same model the audit uses. Only the tenant accounts' permissions are ever
 * changed; apply and rollback back up every permission of every object they touch
 * first, and verify each object afterwards.
 */
import type { Command } from 'commander';
import { Inventory } from '../../model/inventory';
import type { Role, Snapshot } from '../../model/snapshot';
import { checkAccounts } from '../../plan/accounts';
import {
  buildBackup,
  executeChanges,
  readOwnPermissions,
  DEFAULT_CONCURRENCY,
  type ExecutionReport,
} from '../../plan/apply';
import { DEFAULT_BACKUP_DIR, readBackup, writeBackup, type Backup } from '../../plan/backup';
import { changesFromPlan, type PermissionChange } from '../../plan/changes';
import { planRollback } from '../../plan/rollback';
import { roleDrift, tenantDrift, type DriftFinding } from '../../plan/tenant-drift';
import { hasChanges, planTenants, type PlanResult, type TenantPlan } from '../../plan/tenant-plan';
import {
  renderExecution,
  renderFindings,
  renderPlan,
  renderRefusals,
  renderRollbackPlan,
  tenantHeading,
} from '../../plan/tenant-render';
import { avsVariant } from '../../policy/cloudadmin';
import {
  defaultRolePolicyPath,
  loadBaselinePolicy,
  loadRolePolicy,
  resolveRolePrivileges,
} from '../../policy/role-policy';
import { loadTenantPolicies, type LoadedTenantPolicy } from '../../policy/tenant-policy';
import { resolveTenant } from '../../policy/tenant-resolve';
import { samePrincipal } from '../../model/principal';
import { ExitCode, InputError, ServerError } from '../../util/errors';
import type { VimClient } from '../../vsphere/client';
import { collectSnapshot } from '../../vsphere/collect';
import { ManagedObjectNotFoundFault } from '../../vsphere/faults';
import { withSession } from '../../vsphere/session';
import { confirm } from '../confirm';
import { addConnectionOptions, resolveConnection } from '../connection';
import { makeContext, printJson, type CommandContext, type GlobalOptions } from '../context';
import { addTenantFilesOption, tenantFiles, type TenantFileFlags } from '../tenant-option';
import { progressLine } from '../progress';

interface TenantOptions extends GlobalOptions, TenantFileFlags {
  json?: boolean;
  yes?: boolean;
  prune?: boolean;
  backup?: string;
  backupDir?: string;
  concurrency?: string;
  role?: string;
}

function withTenantOption(cmd: Command): Command {
  return addTenantFilesOption(
    cmd,
    'tenant',
    'tenant policy files or directories of them (repeatable); pass every tenant so that VMs claimed twice are caught',
  );
}

const EXAMPLES = `
Examples:
  drperm tenant plan --tenant policies/tenants/
  drperm tenant apply --tenant policies/tenants/contoso.yaml --tenant policies/tenants/fabrikam.yaml
  drperm tenant apply --tenant policies/tenants/ --prune --yes
  drperm tenant verify --tenant policies/tenants/ --json
  drperm tenant drift --tenant policies/tenants/        # from cron or CI: exit 1 on drift
  drperm tenant rollback --tenant policies/tenants/contoso.yaml --backup reports/backups/contoso-20260115T103000000Z.json

Exit codes: 0 ok / nothing to change; 1 differences or drift (verify, drift);
2 bad input or a refusal (VM claimed twice, shared account, bad path, missing role or account);
3 server error or a change that failed (run apply again to complete it).`;

export function register(program: Command): void {
  const tenant = program
    .command('tenant')
    .description(
      "onboard a tenant's Azure Site Recovery account: plan, apply, verify, rollback, drift",
    )
    .addHelpText('after', EXAMPLES);

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
    withTenantOption(tenant.command('apply'))
      .description(
        'show the plan, ask, back up every permission of the objects to touch, apply, and verify each object',
      )
      .option('--prune', "also remove the account's permissions the policy does not name")
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
      .option('--json', 'print the plan and the outcome as JSON on stdout')
      .option('--backup-dir <dir>', 'where backups are written', DEFAULT_BACKUP_DIR)
      .option('--concurrency <n>', 'objects changed at once', String(DEFAULT_CONCURRENCY)),
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
    withTenantOption(tenant.command('rollback'))
      .description(
        "restore the tenant account's permissions on the objects of a backup (other principals untouched), and verify",
      )
      .requiredOption('--backup <file>', 'a backup written by tenant apply (reports/backups/...)')
      .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
      .option('--json', 'print the outcome as JSON on stdout')
      .option('--backup-dir <dir>', 'where the pre-rollback backup is written', DEFAULT_BACKUP_DIR)
      .option('--concurrency <n>', 'objects changed at once', String(DEFAULT_CONCURRENCY)),
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

// ---------------------------------------------------------------------------------------
// Planning

async function planLive(
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

function printPlans(ctx: CommandContext, result: PlanResult): void {
  ctx.out(result.plans.map((p) => renderPlan(p).join('\n')).join('\n\n'));
}

function planJson(result: PlanResult) {
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

const entityJson = (e: { ref: string; type: string; path: string }) => ({
  ref: e.ref,
  type: e.type,
  path: e.path,
});

/** Refusals stop every command that could change something: exit 2, nothing changed. */
function refuseIfNeeded(ctx: CommandContext, result: PlanResult, jsonPrinted: boolean): void {
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
function withoutRoleRefusals(result: PlanResult): PlanResult {
  return { ...result, refusals: result.refusals.filter((r) => r.kind !== 'role-missing') };
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

// ---------------------------------------------------------------------------------------
// Role privileges (drift)

/** Role name → the privileges the role policy gives it on this server (the role and its AVS variant). */
async function expectedRolePrivileges(
  loaded: Awaited<ReturnType<typeof loadRolePolicy>>,
  snapshot: Snapshot,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const resolved = resolveRolePrivileges(loaded.policy, snapshot.privileges, loaded.source);
  out.set(loaded.policy.name, resolved.privileges);
  if (loaded.policy.avsName) {
    // The AVS variant drops what CloudAdmin lacks: the live CloudAdmin role where it exists.
    const live = snapshot.roles.find((r) => r.name === 'CloudAdmin');
    const cloudAdmin = live
      ? live.privileges
      : (await loadBaselinePolicy()).policy.privileges.map((p) => p.id);
    out.set(
      loaded.policy.avsName,
      avsVariant(loaded.policy.avsName, resolved.details, cloudAdmin).privileges,
    );
  }
  return out;
}

function roleFindings(
  plan: TenantPlan,
  roles: readonly Role[],
  expected: ReadonlyMap<string, string[]>,
  ctx: CommandContext,
): DriftFinding[] {
  const live = roles.find((r) => r.name === plan.roleName);
  if (live?.system) return []; // built-in roles (Read-only in failover-only mode) cannot change
  const want = expected.get(plan.roleName);
  if (!want) {
    ctx.log.warn(
      `tenant ${plan.tenant}: no role policy describes role ${plan.roleName}; its privileges were not compared (pass --role FILE)`,
    );
    return [];
  }
  return roleDrift(plan.tenant, plan.roleName, want, live);
}

function reportFindings(
  ctx: CommandContext,
  perTenant: { tenant: string; findings: DriftFinding[] }[],
  json: boolean,
  okMessage: string,
): void {
  const total = perTenant.reduce((n, t) => n + t.findings.length, 0);
  if (json) printJson(ctx, { differences: total, tenants: perTenant });
  else ctx.out(perTenant.map((t) => renderFindings(t.tenant, t.findings).join('\n')).join('\n\n'));
  if (total > 0) {
    ctx.log.info(`${total} difference(s) found`);
    process.exitCode = ExitCode.Findings;
  } else ctx.log.info(okMessage);
}

// ---------------------------------------------------------------------------------------
// Changing: apply and rollback share backup, execution and reporting

interface AppliedTenant {
  tenant: string;
  backupFile: string;
  report: ExecutionReport;
}

async function applyTenant(
  client: VimClient,
  snapshot: Pick<Snapshot, 'roles'>,
  plan: { tenant: string; principal: string; group: boolean },
  changes: PermissionChange[],
  options: {
    operation: Backup['operation'];
    dir: string;
    concurrency: number;
    ctx: CommandContext;
    signal: AbortSignal;
  },
): Promise<AppliedTenant> {
  const { ctx } = options;
  const entities = changes.map((c) => c.entity);
  // Read right before the changes (after any confirmation), so the backup is what they replace.
  const { own, errors } = await readOwnPermissions(client, entities, options.concurrency);
  const [firstError] = errors.values();
  if (firstError) {
    throw new ServerError(
      `cannot back up the permissions of ${errors.size} object(s) before changing them: ${firstError.message}; nothing was changed`,
      { cause: firstError },
    );
  }
  const backup = buildBackup({
    operation: options.operation,
    tenant: plan.tenant,
    principal: plan.principal,
    group: plan.group,
    vcenter: vcenterOf(client),
    entities,
    own,
    roles: snapshot.roles,
  });
  const backupFile = await writeBackup(options.dir, backup);
  ctx.log.info(`backup of ${entities.length} object(s) written to ${backupFile}`);
  const report = await executeChanges(client, {
    principal: plan.principal,
    group: plan.group,
    changes,
    backup,
    concurrency: options.concurrency,
    signal: options.signal,
    onOutcome: (o, finished, total) =>
      ctx.log.info(
        `[${finished}/${total}] ${o.change.action} ${o.change.entity.path}: ${o.status === 'done' ? 'done, verified' : o.status}${o.error ? ` (${o.error})` : ''}`,
      ),
  });
  return { tenant: plan.tenant, backupFile, report };
}

function vcenterOf(client: VimClient): Backup['vcenter'] {
  const a = client.about;
  return {
    url: client.url,
    instanceUuid: a.instanceUuid,
    name: a.name,
    version: a.version,
    build: a.build,
  };
}

function appliedJson(a: AppliedTenant) {
  return {
    tenant: a.tenant,
    backupFile: a.backupFile,
    done: a.report.done,
    failed: a.report.failed,
    notAttempted: a.report.notAttempted,
    othersChanged: a.report.othersChanged,
    interrupted: a.report.interrupted,
    outcomes: a.report.outcomes.map((o) => ({
      action: o.change.action,
      object: o.change.entity.path,
      status: o.status,
      ...(o.error ? { error: o.error } : {}),
      ...(o.restored ? { restored: o.restored } : {}),
    })),
  };
}

/** Partial failure: say what was done and what was not; running again completes it. */
function failIfIncomplete(
  applied: AppliedTenant[],
  pendingTenants: number,
  interrupted: boolean,
): void {
  const failed = applied.filter((a) => a.report.failed + a.report.notAttempted > 0);
  if (failed.length === 0 && applied.length === pendingTenants) return;
  const othersChanged = applied.some((a) => a.report.othersChanged);
  const done = applied.reduce((n, a) => n + a.report.done, 0);
  const notDone = applied.reduce((n, a) => n + a.report.failed + a.report.notAttempted, 0);
  const skipped = pendingTenants - applied.length;
  throw new ServerError(
    `${interrupted ? 'interrupted; ' : ''}` +
      `${othersChanged ? "ANOTHER PRINCIPAL'S PERMISSION CHANGED during the write (see above); " : ''}` +
      `${done} change(s) done and verified, ${notDone} not done${skipped > 0 ? `, ${skipped} tenant(s) not started` : ''}`,
    {
      hint: `backups: ${applied.map((a) => a.backupFile).join(', ')}; run the same command again to complete it, or tenant rollback --backup FILE to undo`,
    },
  );
}

function parseConcurrency(value: string | undefined): number {
  const n = Number(value ?? DEFAULT_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1 || n > 32) {
    throw new InputError(`--concurrency ${value}: expected a whole number from 1 to 32`);
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Rollback

function checkBackupTenant(backup: Backup, tenants: LoadedTenantPolicy[], file: string): void {
  const t = tenants.find((x) => x.policy.tenant.toLowerCase() === backup.tenant.toLowerCase());
  if (!t) {
    throw new InputError(
      `${file} is a backup of tenant ${backup.tenant}, which none of the --tenant files defines`,
      { hint: `tenants given: ${tenants.map((x) => x.policy.tenant).join(', ')}` },
    );
  }
  if (
    !samePrincipal(t.policy.account.principal, backup.principal) ||
    t.policy.account.group !== backup.group
  ) {
    throw new InputError(
      `${file} holds the permissions of ${backup.principal}, but ${t.file} names ${t.policy.account.principal}`,
    );
  }
}

async function rollback(
  client: VimClient,
  backup: Backup,
  opts: TenantOptions,
  concurrency: number,
  ctx: CommandContext,
  signal: AbortSignal,
): Promise<void> {
  if (client.about.instanceUuid !== backup.vcenter.instanceUuid) {
    throw new InputError(
      `${opts.backup} was taken on ${backup.vcenter.url} (instance ${backup.vcenter.instanceUuid}), not on ${client.url} (instance ${client.about.instanceUuid})`,
    );
  }
  const roles = (await client.roleList()).map((r) => ({
    id: r.roleId,
    name: r.name,
    system: r.system,
    privileges: r.privileges,
  }));
  const read = await readOwnPermissions(client, backup.entities, concurrency);
  for (const [ref, err] of read.errors) {
    if (!(err instanceof ManagedObjectNotFoundFault)) {
      throw new ServerError(
        `cannot read the permissions of ${ref}: ${err.message}; nothing was changed`,
        {
          cause: err,
        },
      );
    }
  }
  const plan = planRollback(backup, read.own, roles);
  if (!opts.json) {
    ctx.out(
      [
        `Rollback of ${backup.principal} (tenant ${backup.tenant}) to ${backup.createdAt}`,
        ...renderRollbackPlan(plan),
      ].join('\n'),
    );
  }
  if (plan.changes.length === 0) {
    if (opts.json) printJson(ctx, { rollback: plan, applied: null });
    ctx.log.info('nothing to roll back: the account already has the permissions of the backup');
    if (plan.problems.length > 0) process.exitCode = ExitCode.Findings;
    return;
  }
  const question = `Restore ${plan.changes.length} permission(s) of ${backup.principal} on ${client.url}?`;
  if (!(await confirm(question, { yes: opts.yes, ctx }))) {
    throw new InputError('cancelled: nothing was changed');
  }
  const applied = await applyTenant(client, { roles }, backup, plan.changes, {
    operation: 'rollback',
    dir: opts.backupDir ?? DEFAULT_BACKUP_DIR,
    concurrency,
    ctx,
    signal,
  });
  if (opts.json) printJson(ctx, { rollback: plan, applied: appliedJson(applied) });
  else ctx.out(renderExecution(applied.report).join('\n'));
  failIfIncomplete([applied], 1, signal.aborted);
  // Verify the whole backup once more: every object as the backup has it for this account.
  const after = await readOwnPermissions(client, backup.entities, concurrency);
  const remaining = planRollback(backup, after.own, roles);
  if (remaining.changes.length > 0) {
    throw new ServerError(
      `rollback verification failed: ${remaining.changes.map((c) => c.entity.path).join(', ')} still differ from the backup`,
    );
  }
  ctx.log.info(
    `rolled back and verified; the state before the rollback is in ${applied.backupFile}`,
  );
  if (plan.problems.length > 0) process.exitCode = ExitCode.Findings;
}
