/** `tenant rollback` on one vCenter (also each fleet's): show the plan, ask, restore, render. */
import { othersReported } from '../../ops/tenant';
import { planRollbackLive, rollbackTenant } from '../../ops/tenant-rollback';
import type { Backup } from '../../plan/backup';
import { renderExecution, renderRollbackPlan } from '../../plan/tenant-render';
import { ExitCode, InputError } from '../../util/errors';
import type { VimClient } from '../../vsphere/client';
import { confirm } from '../confirm';
import { printJson, type CommandContext } from '../context';
import { appliedJson } from './change';

export async function rollbackOn(
  client: VimClient,
  backup: Backup,
  backupFile: string,
  opts: { json?: boolean; yes?: boolean },
  ctx: CommandContext,
  options: { concurrency: number; backupDir: string; signal: AbortSignal; vcenter?: string },
): Promise<number> {
  const live = await planRollbackLive(client, backup, backupFile, options.concurrency);
  const { plan } = live;
  const on = options.vcenter !== undefined ? ` on vCenter ${options.vcenter}` : '';
  const vcenter = options.vcenter !== undefined ? { vcenter: options.vcenter } : {};
  // Objects that cannot be restored (deleted, role gone) are reported: exit 1.
  const code = plan.problems.length > 0 ? ExitCode.Findings : ExitCode.Ok;
  if (!opts.json) {
    ctx.out(
      [
        `Rollback of ${backup.principal} (tenant ${backup.tenant})${on} to ${backup.createdAt}`,
        ...renderRollbackPlan(plan),
      ].join('\n'),
    );
  }
  if (plan.changes.length === 0) {
    if (opts.json) printJson(ctx, { ...vcenter, rollback: plan, applied: null });
    ctx.log.info('nothing to roll back: the account already has the permissions of the backup');
    return code;
  }
  const where = options.vcenter !== undefined ? `vCenter ${options.vcenter}` : client.url;
  const question = `Restore ${plan.changes.length} permission(s) of ${backup.principal} on ${where}?`;
  if (!(await confirm(question, { yes: opts.yes, ctx }))) {
    throw new InputError('cancelled: nothing was changed');
  }
  const rolledBack = await rollbackTenant(
    client,
    backup,
    live,
    { backupDir: options.backupDir, concurrency: options.concurrency, signal: options.signal },
    ctx.emit,
    (applied) => {
      if (!opts.json) ctx.out(renderExecution(applied.report, applied.backupFile).join('\n'));
    },
  );
  if (opts.json) {
    printJson(ctx, {
      ...vcenter,
      rollback: plan,
      applied: appliedJson(rolledBack.applied),
      unfinishedRuns: rolledBack.unfinished,
    });
  }
  return othersReported({ applied: [rolledBack.applied], unfinished: rolledBack.unfinished }) > 0
    ? ExitCode.Findings
    : code;
}
