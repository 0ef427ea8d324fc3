/** Apply and rollback share this: back up, execute with bounded concurrency, report, and fail when incomplete. */
import type { Snapshot } from '../../model/snapshot';
import {
  buildBackup,
  executeChanges,
  readOwnPermissions,
  DEFAULT_CONCURRENCY,
  type ExecutionReport,
} from '../../plan/apply';
import { writeBackup, type Backup } from '../../plan/backup';
import type { PermissionChange } from '../../plan/changes';
import { InputError, ServerError } from '../../util/errors';
import type { VimClient } from '../../vsphere/client';
import { requireContract } from '../../vsphere/server-contract';
import type { CommandContext } from '../context';

export interface AppliedTenant {
  tenant: string;
  backupFile: string;
  report: ExecutionReport;
}

export async function applyTenant(
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
  const contract = requireContract(client.contract, client.url);
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
    permissionWrites: contract.permissionWrites,
    serverKey: client.about.instanceUuid,
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

export function appliedJson(a: AppliedTenant) {
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
      ...(o.note ? { note: o.note } : {}),
      ...(o.othersChanged ? { othersChanged: o.othersChanged } : {}),
    })),
  };
}

/** Partial failure: say what was done and what was not; running again completes it. */
export function failIfIncomplete(
  applied: AppliedTenant[],
  pendingTenants: number,
  interrupted: boolean,
): void {
  const failed = applied.filter((a) => a.report.failed + a.report.notAttempted > 0);
  if (failed.length === 0 && applied.length === pendingTenants) return;
  const othersChanged = applied.some((a) => a.report.othersChanged.length > 0);
  const done = applied.reduce((n, a) => n + a.report.done, 0);
  const notDone = applied.reduce((n, a) => n + a.report.failed + a.report.notAttempted, 0);
  const skipped = pendingTenants - applied.length;
  throw new ServerError(
    `${interrupted ? 'interrupted; ' : ''}` +
      `${othersChanged ? 'permissions of other principals were changed by someone else during the apply and were not touched (see above); ' : ''}` +
      `${done} change(s) done and verified, ${notDone} not done${skipped > 0 ? `, ${skipped} tenant(s) not started` : ''}`,
    {
      hint: `backups: ${applied.map((a) => a.backupFile).join(', ')}; run the same command again to complete it, or tenant rollback --backup FILE to undo`,
    },
  );
}

export function parseConcurrency(value: string | undefined): number {
  const n = Number(value ?? DEFAULT_CONCURRENCY);
  if (!Number.isInteger(n) || n < 1 || n > 32) {
    throw new InputError(`--concurrency ${value}: expected a whole number from 1 to 32`);
  }
  return n;
}
