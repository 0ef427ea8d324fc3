/**
 * tenant restore: put chosen principals' permissions back as a backup has them, on the
 * operator's explicit request (README "Restoring from a backup"). planRestoreLive reads what
 * is there now and plans; restoreFromBackup (after the caller's confirmation) backs up the
 * current state, writes, and verifies.
 */
import type { Role } from '../model/snapshot';
import {
  buildBackup,
  executeWrites,
  readOwnPermissions,
  type ChangeOutcome,
  type ExecutionReport,
} from '../plan/apply';
import { writeBackup, type Backup } from '../plan/backup';
import { planRestore, type RestorePlan } from '../plan/restore';
import { InputError, ServerError } from '../util/errors';
import type { VimClient } from '../vsphere/client';
import { ManagedObjectNotFoundFault } from '../vsphere/faults';
import { readRoles } from '../vsphere/roles';
import { recordOutcome, withPermissionWrites } from './permission-writes';

export interface LiveRestore {
  plan: RestorePlan;
  roles: Role[];
  /** The principal names asked for (undefined: every principal of the backup). */
  principals?: readonly string[];
}

export interface RestoreOptions {
  backupDir: string;
  concurrency: number;
  /** Aborted on Ctrl-C: writes in flight finish and are verified, no new one starts. */
  signal: AbortSignal;
  onWait?: (message: string) => void;
  onOutcome?: (outcome: ChangeOutcome, finished: number, total: number) => void;
}

export interface RestoreResult {
  /** The state right before the restore. */
  backupFile: string;
  report: ExecutionReport;
}

/** Refuses a backup of another vCenter. */
export function checkBackupServer(client: VimClient, backup: Backup, backupFile: string): void {
  if (client.about.instanceUuid !== backup.vcenter.instanceUuid) {
    throw new InputError(
      `${backupFile} was taken on ${backup.vcenter.url} (instance ${backup.vcenter.instanceUuid}), not on ${client.url} (instance ${client.about.instanceUuid})`,
    );
  }
}

/**
 * The account's own permissions now on every object of a backup; an object deleted since is
 * simply absent, any other read error refuses before anything is changed.
 */
export async function readBackupObjectsNow(
  client: VimClient,
  backup: Backup,
  concurrency: number,
): Promise<Awaited<ReturnType<typeof readOwnPermissions>>['own']> {
  const read = await readOwnPermissions(client, backup.entities, concurrency);
  for (const [ref, err] of read.errors) {
    if (!(err instanceof ManagedObjectNotFoundFault)) {
      throw new ServerError(
        `cannot read the permissions of ${ref}: ${err.message}; nothing was changed`,
        { cause: err },
      );
    }
  }
  return read.own;
}

/** What restoring the chosen principals would send, from the objects' permissions now. */
export async function planRestoreLive(
  client: VimClient,
  backup: Backup,
  backupFile: string,
  principals: readonly string[] | undefined,
  concurrency: number,
): Promise<LiveRestore> {
  checkBackupServer(client, backup, backupFile);
  const roles = await readRoles(client);
  const own = await readBackupObjectsNow(client, backup, concurrency);
  const plan = planRestore(backup, own, roles, principals ? { principals } : {});
  return { plan, roles, ...(principals ? { principals } : {}) };
}

/**
 * Backs up the objects to write, writes the plan, and reads every object of the backup again:
 * the restore is done only when the chosen principals' permissions are the backup's. Throws
 * ServerError (exit 3) when a write failed or the verification finds a difference.
 */
export async function restoreFromBackup(
  client: VimClient,
  backup: Backup,
  live: LiveRestore,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const writes = live.plan.writes;
  return withPermissionWrites(
    client,
    {
      purpose: `tenant restore ${backup.tenant}`,
      ...(options.onWait ? { onWait: options.onWait } : {}),
    },
    async (contract) => {
      const refs = new Set(writes.map((w) => w.change.entity.ref));
      const entities = backup.entities
        .filter((e) => refs.has(e.ref))
        .map((e) => ({ ref: e.ref, type: e.type, path: e.path }));
      const { own, errors } = await readOwnPermissions(client, entities, options.concurrency);
      const [firstError] = errors.values();
      if (firstError) {
        throw new ServerError(
          `cannot back up the permissions of ${errors.size} object(s) before restoring them: ${firstError.message}; nothing was changed`,
          { cause: firstError },
        );
      }
      const before = buildBackup({
        operation: 'restore',
        tenant: backup.tenant,
        principal: backup.principal,
        group: backup.group,
        vcenter: { ...backup.vcenter, url: client.url },
        entities,
        own,
        roles: live.roles,
      });
      const backupFile = await writeBackup(options.backupDir, before);
      const report = await executeWrites(client, {
        permissionWrites: contract.permissionWrites,
        serverKey: client.about.instanceUuid,
        backup: before,
        writes,
        concurrency: options.concurrency,
        signal: options.signal,
        ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
      });
      await recordOutcome(backupFile, report);
      if (report.failed + report.notAttempted > 0) {
        throw new ServerError(
          `${report.interrupted ? 'interrupted; ' : ''}${report.done} permission(s) restored and verified, ${report.failed + report.notAttempted} not`,
          {
            hint: `the state before the restore is in ${backupFile}; run the same command again to complete it`,
          },
        );
      }
      const after = await readBackupObjectsNow(client, backup, options.concurrency);
      const remaining = planRestore(
        backup,
        after,
        live.roles,
        live.principals ? { principals: live.principals } : {},
      );
      if (remaining.writes.length > 0) {
        throw new ServerError(
          `restore verification failed: ${remaining.writes.map((w) => `${w.principal.principal} on ${w.change.entity.path}`).join(', ')} still differ from the backup`,
        );
      }
      return { backupFile, report };
    },
  );
}
