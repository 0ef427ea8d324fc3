/** tenant rollback: restore the account permissions of a backup, then verify the whole backup. */
import { readOwnPermissions } from '../../plan/apply';
import { DEFAULT_BACKUP_DIR, type Backup } from '../../plan/backup';
import { planRollback } from '../../plan/rollback';
import { renderExecution, renderRollbackPlan } from '../../plan/tenant-render';
import type { LoadedTenantPolicy } from '../../policy/tenant-policy';
import { samePrincipal } from '../../model/principal';
import { ExitCode, InputError, ServerError } from '../../util/errors';
import type { VimClient } from '../../vsphere/client';
import { ManagedObjectNotFoundFault } from '../../vsphere/faults';
import { confirm } from '../confirm';
import { printJson, type CommandContext } from '../context';
import { appliedJson, applyTenant, failIfIncomplete } from './change';
import type { TenantOptions } from './options';

export function checkBackupTenant(
  backup: Backup,
  tenants: LoadedTenantPolicy[],
  file: string,
): void {
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

export async function rollback(
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
  else ctx.out(renderExecution(applied.report, applied.backupFile).join('\n'));
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
