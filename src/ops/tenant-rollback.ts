/**
 * tenant rollback: restore the account permissions of a backup, then verify the whole backup.
 * planRollbackLive reads what is there now; rollbackTenant (after the caller's confirmation)
 * backs up, restores and verifies.
 */
import { samePrincipalId } from '../model/principal';
import type { Role } from '../model/snapshot';
import { readOwnPermissions } from '../plan/apply';
import type { Backup } from '../plan/backup';
import { planRollback, type RollbackPlan } from '../plan/rollback';
import type { LoadedTenantPolicy } from '../policy/tenant-policy';
import { InputError, ServerError } from '../util/errors';
import type { VimClient } from '../vsphere/client';
import { readRoles } from '../vsphere/roles';
import { info, type Emit } from './events';
import { checkBackupServer, readBackupObjectsNow } from './tenant-restore';
import {
  changeAccount,
  failIfIncomplete,
  followUpUnfinishedRuns,
  type AppliedTenant,
  type ChangeOptions,
  type UnfinishedRun,
} from './tenant';

/** The backup must belong to one of the tenants given, and to that tenant's account. */
export function checkBackupTenant(
  backup: Backup,
  tenants: readonly LoadedTenantPolicy[],
  file: string,
): void {
  const t = tenants.find((x) => x.policy.tenant.toLowerCase() === backup.tenant.toLowerCase());
  if (!t) {
    throw new InputError(
      `${file} is a backup of tenant ${backup.tenant}, which none of the --tenant files defines`,
      { hint: `tenants given: ${tenants.map((x) => x.policy.tenant).join(', ')}` },
    );
  }
  const account = t.policy.account;
  if (
    !samePrincipalId(
      { name: account.principal, group: account.group },
      { name: backup.principal, group: backup.group },
    )
  ) {
    throw new InputError(
      `${file} holds the permissions of ${backup.principal}, but ${t.file} names ${account.principal}`,
    );
  }
}

export interface LiveRollback {
  plan: RollbackPlan;
  roles: Role[];
}

/** What restoring the backup would send, from the objects' permissions now. */
export async function planRollbackLive(
  client: VimClient,
  backup: Backup,
  backupFile: string,
  concurrency: number,
): Promise<LiveRollback> {
  checkBackupServer(client, backup, backupFile);
  const roles = await readRoles(client);
  const own = await readBackupObjectsNow(client, backup, concurrency);
  return { plan: planRollback(backup, own, roles), roles };
}

export interface RolledBack {
  applied: AppliedTenant;
  /** An earlier run of this tenant that had not completed, and what changed since. */
  unfinished: UnfinishedRun[];
}

/**
 * Follows up an unfinished earlier run of the tenant, restores the plan's changes (backing
 * up first), then reads every object of the backup again: the rollback is done only when the
 * account's permissions are the backup's. Throws ServerError (exit 3) when a change failed
 * or the verification finds a difference.
 */
export async function rollbackTenant(
  client: VimClient,
  backup: Backup,
  live: LiveRollback,
  options: ChangeOptions,
  emit: Emit,
  onApplied: (applied: AppliedTenant) => void = () => undefined,
): Promise<RolledBack> {
  const unfinished = await followUpUnfinishedRuns(client, [backup.tenant], options, emit);
  const applied = await changeAccount(
    client,
    live.roles,
    backup,
    live.plan.changes,
    { ...options, operation: 'rollback' },
    emit,
  );
  onApplied(applied);
  failIfIncomplete([applied], 1, options.signal.aborted);
  const after = await readOwnPermissions(client, backup.entities, options.concurrency);
  const remaining = planRollback(backup, after.own, live.roles);
  if (remaining.changes.length > 0) {
    throw new ServerError(
      `rollback verification failed: ${remaining.changes.map((c) => c.entity.path).join(', ')} still differ from the backup`,
    );
  }
  info(emit, `rolled back and verified; the state before the rollback is in ${applied.backupFile}`);
  return { applied, unfinished };
}
