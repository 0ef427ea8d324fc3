/**
 * What every use case that writes permissions (tenant apply, rollback, restore) does around
 * its writes (README "Safety"):
 *
 * - the server contract must be known (fail closed: UndecidedContractError, exit 3);
 * - on a server that replaces an object's whole list, the cross-process lock for that
 *   server is held for the whole run;
 * - an earlier run on the same tenant that did not complete is followed up: the other
 *   principals on its backup's objects are compared with what is there now and reported;
 * - the run's outcome is recorded next to its backup.
 */
import { readOwnPermissions, type ExecutionReport, type PermissionApi } from '../plan/apply';
import { findUnfinishedBackup, writeBackupOutcome, type BackupOutcome } from '../plan/backup';
import { otherChangesSince, type OtherChange } from '../plan/others';
import { principalKey } from '../model/principal';
import { acquireLock, lockTimeoutFromEnv, lockWaitMessage } from '../util/server-lock';
import type { AboutInfo } from '../vsphere/types';
import {
  requireContract,
  type ContractDecision,
  type ServerContract,
} from '../vsphere/server-contract';

export interface WritingServer {
  readonly url: string;
  readonly about: AboutInfo;
  readonly contract: ContractDecision;
}

export interface WriteGuardOptions {
  /** What the lock file says this run is doing, e.g. "tenant apply contoso". */
  purpose: string;
  /** How long to wait for another drperm run on the same server (default DRPERM_LOCK_TIMEOUT). */
  lockTimeoutMs?: number;
  /** Told once when another run holds the lock and this one waits. */
  onWait?: (message: string) => void;
}

/**
 * Runs `work` with the server's contract, holding the server lock when the server replaces
 * permission lists. Throws before any write when the contract is not known.
 */
export async function withPermissionWrites<T>(
  server: WritingServer,
  options: WriteGuardOptions,
  work: (contract: ServerContract) => Promise<T>,
): Promise<T> {
  const contract = requireContract(server.contract, server.url);
  if (contract.permissionWrites !== 'replace') return work(contract);
  const lock = await acquireLock(server.about.instanceUuid, options.purpose, {
    timeoutMs: options.lockTimeoutMs ?? lockTimeoutFromEnv(),
    onWait: (owner, file, timeoutMs) => options.onWait?.(lockWaitMessage(owner, file, timeoutMs)),
  });
  try {
    return await work(contract);
  } finally {
    await lock.release();
  }
}

export type UnfinishedRunReport =
  /** Other principals' permissions that differ from the unfinished run's backup. */
  | { backupFile: string; changes: OtherChange[] }
  /** The newest backup could not be used (hash, format, another server): said, not compared. */
  | { backupFile: string; problem: string };

/**
 * After an interrupted or failed apply, rollback or restore of this tenant: compares every
 * other principal on the objects of its backup with now, once (the backup is then marked as
 * checked). Undefined when the last run completed or there is none.
 */
export async function followUpUnfinishedRun(
  api: PermissionApi & WritingServer,
  backupDir: string,
  tenant: string,
  concurrency: number,
  now: Date = new Date(),
): Promise<UnfinishedRunReport | undefined> {
  const found = await findUnfinishedBackup(backupDir, tenant);
  if (found === undefined) return undefined;
  if ('error' in found) return { backupFile: found.file, problem: found.error.message };
  const { backup } = found;
  if (backup.vcenter.instanceUuid !== api.about.instanceUuid) return undefined; // another server's
  const read = await readOwnPermissions(api, backup.entities, concurrency);
  const writers = new Set([principalKey({ name: backup.principal, group: backup.group })]);
  const changes = otherChangesSince(backup, read.own, writers);
  await writeBackupOutcome(found.file, {
    ...(found.outcome ?? { status: 'incomplete' }),
    checkedAt: now.toISOString(),
  });
  return { backupFile: found.file, changes };
}

/** The outcome file of a run that ended (completed, failed or interrupted). */
export async function recordOutcome(
  backupFile: string,
  report: ExecutionReport,
  now: Date = new Date(),
): Promise<void> {
  const complete = report.failed + report.notAttempted === 0 && !report.interrupted;
  const outcome: BackupOutcome = {
    status: complete ? 'completed' : 'incomplete',
    finishedAt: now.toISOString(),
    done: report.done,
    failed: report.failed,
    notAttempted: report.notAttempted,
    othersChanged: report.othersChanged.length,
  };
  await writeBackupOutcome(backupFile, outcome);
}
