/**
 * Carries out permission changes for one account, object by object, with bounded
 * concurrency, and verifies each object by reading it back.
 *
 * Nobody else's permission may change. On a real vCenter SetEntityPermissions adds or
 * updates per principal, so only the account's permission is sent. The simulator
 * replaces the whole list instead (quirks.setEntityPermissionsReplaces): there the
 * object's own permissions are read, merged with the account's, and written as a whole.
 * Either way the other principals' permissions are compared with the backup afterwards;
 * a difference is restored from the backup at once and the object is reported failed.
 *
 * The caller writes the backup (readOwnPermissions + buildBackup + writeBackup) before
 * calling executeChanges.
 */
import type { Entity, Role } from '../model/snapshot';
import { redact } from '../util/log';
import { VERSION } from '../version';
import { Semaphore } from '../vsphere/semaphore';
import type { MoRef, ServerQuirks, VimPermission } from '../vsphere/types';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type Backup, type BackupPermission } from './backup';
import type { PermissionChange } from './changes';
import { principalKey, principalOf } from '../model/principal';
import { roleNameOf } from './tenant-plan';

export const DEFAULT_CONCURRENCY = 4;

/** The AuthorizationManager calls this module needs (VimClient provides them). */
export interface PermissionApi {
  readonly quirks: ServerQuirks;
  retrieveEntityPermissions(entity: MoRef, inherited: boolean): Promise<VimPermission[]>;
  setEntityPermissions(entity: MoRef, permissions: readonly VimPermission[]): Promise<void>;
  removeEntityPermission(entity: MoRef, user: string, isGroup: boolean): Promise<void>;
}

/** An object whose permissions are read or changed: the snapshot entity's moref, type and path. */
export type PermissionTarget = Pick<Entity, 'ref' | 'type' | 'path'>;

const moRef = (e: PermissionTarget): MoRef => ({ type: e.type, value: e.ref });

/** Permissions defined on the object itself. The simulator may omit `entity`; with inherited=false they are all the object's. */
export async function readOwn(api: PermissionApi, e: PermissionTarget): Promise<VimPermission[]> {
  const list = await api.retrieveEntityPermissions(moRef(e), false);
  return list
    .filter((p) => p.entity === undefined || p.entity.value === e.ref)
    .map((p) => ({ ...p, entity: moRef(e) }));
}

export interface OwnPermissionsResult {
  /** ref → the object's own permissions. */
  own: Map<string, VimPermission[]>;
  /** Objects that could not be read (e.g. deleted since the collection). */
  errors: Map<string, Error>;
}

export async function readOwnPermissions(
  api: PermissionApi,
  entities: readonly PermissionTarget[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<OwnPermissionsResult> {
  const semaphore = new Semaphore(concurrency);
  const result: OwnPermissionsResult = { own: new Map(), errors: new Map() };
  await Promise.all(
    entities.map((e) =>
      semaphore.run(async () => {
        try {
          result.own.set(e.ref, await readOwn(api, e));
        } catch (err) {
          result.errors.set(e.ref, err as Error);
        }
      }),
    ),
  );
  return result;
}

export interface BackupInput {
  operation: Backup['operation'];
  tenant: string;
  principal: string;
  group: boolean;
  vcenter: Backup['vcenter'];
  entities: readonly PermissionTarget[];
  own: ReadonlyMap<string, readonly VimPermission[]>;
  roles: readonly Role[];
  now?: Date;
}

export function buildBackup(input: BackupInput): Backup {
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    tool: { name: 'drperm', version: VERSION },
    createdAt: (input.now ?? new Date()).toISOString(),
    operation: input.operation,
    tenant: input.tenant,
    principal: input.principal,
    group: input.group,
    vcenter: input.vcenter,
    entities: input.entities.map((e) => ({
      ref: e.ref,
      type: e.type,
      path: e.path,
      permissions: (input.own.get(e.ref) ?? []).map((p) => ({
        principal: p.principal,
        group: p.group,
        roleId: p.roleId,
        roleName: roleNameOf(input.roles, p.roleId),
        propagate: p.propagate,
      })),
    })),
  };
}

export type OutcomeStatus = 'done' | 'failed' | 'not-attempted';

export interface ChangeOutcome {
  change: PermissionChange;
  status: OutcomeStatus;
  error?: string;
  /** Other principals whose permission was found changed and restored from the backup. */
  restored?: string[];
}

export interface ExecutionReport {
  outcomes: ChangeOutcome[];
  done: number;
  failed: number;
  notAttempted: number;
  /** True when another principal's permission changed on any object (restored or not): always a loud failure. */
  othersChanged: boolean;
  /** True when the signal stopped the run (Ctrl-C): the changes in flight finished, no new one started. */
  interrupted: boolean;
}

export interface ExecuteInput {
  principal: string;
  group: boolean;
  changes: readonly PermissionChange[];
  /** Taken before the changes: the reference for every other principal's permission. */
  backup: Backup;
  concurrency?: number;
  /** Aborted (e.g. on Ctrl-C): the changes in flight finish and are verified, no new one starts. */
  signal?: AbortSignal;
  onOutcome?: (outcome: ChangeOutcome, finished: number, total: number) => void;
}

/** Comparable form of one principal's permission. */
const stateOf = (p: { roleId: number; propagate: boolean }) => `${p.roleId}/${p.propagate}`;

function othersOf(
  list: readonly (VimPermission | BackupPermission)[],
  account: string,
): Map<string, (typeof list)[number]> {
  const out = new Map<string, (typeof list)[number]>();
  for (const p of list) {
    const key = principalKey(principalOf(p));
    if (key !== account) out.set(key, p);
  }
  return out;
}

/** Principals (other than the account) whose permission differs between `expected` and `actual`. */
export function changedOthers(
  expected: readonly (VimPermission | BackupPermission)[],
  actual: readonly VimPermission[],
  account: string,
): string[] {
  const want = othersOf(expected, account);
  const have = othersOf(actual, account);
  const out: string[] = [];
  for (const [key, p] of want) {
    const h = have.get(key);
    if (!h || stateOf(h) !== stateOf(p)) out.push(p.principal);
  }
  // On a real vCenter a principal that appeared meanwhile was added by someone else, not by us;
  // on the simulator a replace could not add one. Either way only missing or changed ones count.
  return out;
}

class ChangeExecutor {
  private readonly account: string;
  /** The backup by object: one lookup per change, however many objects a tenant has. */
  private readonly backupByRef: ReadonlyMap<string, BackupPermission[]>;
  private stop = false;

  constructor(
    private readonly api: PermissionApi,
    private readonly input: ExecuteInput,
  ) {
    this.account = principalKey({ name: input.principal, group: input.group });
    this.backupByRef = new Map(input.backup.entities.map((e) => [e.ref, e.permissions]));
  }

  private backupOf(ref: string): BackupPermission[] {
    return this.backupByRef.get(ref) ?? [];
  }

  private accountPermission(desired: NonNullable<PermissionChange['desired']>): VimPermission {
    return {
      principal: this.input.principal,
      group: this.input.group,
      roleId: desired.roleId,
      propagate: desired.propagate,
    };
  }

  async run(): Promise<ExecutionReport> {
    const { changes } = this.input;
    const semaphore = new Semaphore(this.input.concurrency ?? DEFAULT_CONCURRENCY);
    let finished = 0;
    const outcomes = await Promise.all(
      changes.map((change) =>
        semaphore.run(async () => {
          // After a failure nothing new starts: the operator sees a short, exact report and runs again.
          const outcome: ChangeOutcome =
            this.stop || this.input.signal?.aborted === true
              ? { change, status: 'not-attempted' }
              : await this.one(change);
          if (outcome.status === 'failed') this.stop = true;
          finished++;
          this.input.onOutcome?.(outcome, finished, changes.length);
          return outcome;
        }),
      ),
    );
    const count = (s: OutcomeStatus) => outcomes.filter((o) => o.status === s).length;
    return {
      outcomes,
      done: count('done'),
      failed: count('failed'),
      notAttempted: count('not-attempted'),
      othersChanged: outcomes.some((o) => o.restored !== undefined),
      interrupted: this.input.signal?.aborted === true,
    };
  }

  private async one(change: PermissionChange): Promise<ChangeOutcome> {
    const backup = this.backupOf(change.entity.ref);
    try {
      await this.write(change, backup);
    } catch (err) {
      return { change, status: 'failed', error: errorText(err) };
    }
    return this.verify(change, backup);
  }

  private async write(
    change: PermissionChange,
    backup: readonly BackupPermission[],
  ): Promise<void> {
    const entity = moRef(change.entity);
    if (change.desired === null) {
      // Per principal on both a real vCenter and the simulator.
      await this.api.removeEntityPermission(entity, this.input.principal, this.input.group);
      return;
    }
    const mine = this.accountPermission(change.desired);
    if (!this.api.quirks.setEntityPermissionsReplaces) {
      await this.api.setEntityPermissions(entity, [mine]);
      return;
    }
    // Replace semantics: send everybody's permission. If the list moved since the backup
    // was read, stop rather than overwrite someone else's fresh change.
    const fresh = await readOwn(this.api, change.entity);
    const moved = changedOthers(backup, fresh, this.account);
    const appeared = [...othersOf(fresh, this.account).keys()].filter(
      (k) => !othersOf(backup, this.account).has(k),
    );
    if (moved.length > 0 || appeared.length > 0) {
      throw new Error(
        `the permissions of other principals on ${change.entity.path} changed since the backup was taken; nothing written there, run again`,
      );
    }
    const others = fresh.filter((p) => principalKey(principalOf(p)) !== this.account);
    await this.api.setEntityPermissions(entity, [...others, mine]);
  }

  private async verify(
    change: PermissionChange,
    backup: readonly BackupPermission[],
  ): Promise<ChangeOutcome> {
    let after: VimPermission[];
    try {
      after = await readOwn(this.api, change.entity);
    } catch (err) {
      return {
        change,
        status: 'failed',
        error: `written, but could not read back: ${errorText(err)}`,
      };
    }
    const changed = changedOthers(backup, after, this.account);
    if (changed.length > 0) return this.restoreOthers(change, backup, changed);

    const mine = after.find((p) => principalKey(principalOf(p)) === this.account);
    const want = change.desired;
    const ok =
      want === null ? mine === undefined : mine !== undefined && stateOf(mine) === stateOf(want);
    if (ok) return { change, status: 'done' };
    return {
      change,
      status: 'failed',
      error: `read back ${mine ? `role ${mine.roleId}, propagate ${mine.propagate}` : 'no permission'} for ${this.input.principal}, expected ${want ? `role ${want.roleId}, propagate ${want.propagate}` : 'none'}`,
    };
  }

  /** Puts the other principals' permissions back as the backup has them, and fails loudly. */
  private async restoreOthers(
    change: PermissionChange,
    backup: readonly BackupPermission[],
    changed: string[],
  ): Promise<ChangeOutcome> {
    const entity = moRef(change.entity);
    const othersBackup: VimPermission[] = backup
      .filter((p) => principalKey(principalOf(p)) !== this.account)
      .map((p) => ({
        principal: p.principal,
        group: p.group,
        roleId: p.roleId,
        propagate: p.propagate,
      }));
    const base = `permissions of ${changed.join(', ')} on ${change.entity.path} changed while writing ${this.input.principal}'s`;
    try {
      if (this.api.quirks.setEntityPermissionsReplaces) {
        // The whole list is replaced: keep the account's entry and any principal that is not
        // in the backup (added by someone else meanwhile), and put the backed-up ones back.
        const after = await readOwn(this.api, change.entity);
        const backedUp = othersOf(backup, this.account);
        const keep = after.filter((p) => !backedUp.has(principalKey(principalOf(p))));
        await this.api.setEntityPermissions(entity, [...othersBackup, ...keep]);
      } else {
        const restore = othersBackup.filter((p) => changed.includes(p.principal));
        await this.api.setEntityPermissions(entity, restore);
      }
      const still = changedOthers(backup, await readOwn(this.api, change.entity), this.account);
      if (still.length > 0) throw new Error(`still different after restoring: ${still.join(', ')}`);
    } catch (err) {
      return {
        change,
        status: 'failed',
        restored: [],
        error: `${base}, and restoring them FAILED (${errorText(err)}); restore them by hand from the backup`,
      };
    }
    return {
      change,
      status: 'failed',
      restored: changed,
      error: `${base}; restored from the backup`,
    };
  }
}

/** Error text for reports, which reach stdout and files: registered secrets are removed. */
function errorText(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}

export function executeChanges(api: PermissionApi, input: ExecuteInput): Promise<ExecutionReport> {
  return new ChangeExecutor(api, input).run();
}
