/**
 * Carries out permission writes, object by object, with bounded concurrency, and verifies
 * each by reading it back. Nobody else's permission is ever written back (README "Safety"):
 *
 * - add-or-update (a real vCenter: SetEntityPermissions adds or updates per principal, see
 *   the vSphere API reference, AuthorizationManager): only the written principal's
 *   permission is sent, and only it is verified. Per object: the write, and its read-back;
 *   for many objects (readAllPays) the read-backs are one RetrieveAllPermissions once every
 *   write is answered (a write answered with an error is read back at once).
 * - replace (the simulator: SetEntityPermissions replaces the object's whole list): the
 *   object's permissions are read immediately before the write, merged, written and read
 *   back; a list is never written that was not just read. Writes to one object are
 *   serialised inside the process; the caller holds the cross-process server lock.
 *
 * Either way, the read-back of every other principal is compared with the backup and any
 * difference is reported as changed by someone else, never touched.
 *
 * The caller writes the backup (readOwnPermissions + buildBackup + writeBackup) before
 * calling executeChanges / executeWrites. The server is injected (PermissionApi).
 */
import { principalKey, principalOf } from '../model/principal';
import type { Entity, Role } from '../model/snapshot';
import { redact } from '../util/log';
import { VERSION } from '../version';
import { NotFoundFault } from '../vsphere/faults';
import { Semaphore } from '../vsphere/semaphore';
import type { PermissionWrites } from '../vsphere/server-contract';
import type { MoRef, VimPermission } from '../vsphere/types';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type Backup, type BackupPermission } from './backup';
import type { PermissionChange } from './changes';
import { otherChanges, uniqueOtherChanges, type OtherChange } from './others';
import { roleNameOf } from './tenant-plan';

/**
 * Objects changed at once (--concurrency). Chosen from `npm run bench` (README
 * "Performance"): through 10 ms of added round trip, 16 in flight applied 1,001 objects in
 * 1.94 s against 13.0 s at 1, 2.42 s at 8 and 1.78 s at 32; without latency 16 costs ~0.1 s more.
 */
export const DEFAULT_CONCURRENCY = 16;

/** The AuthorizationManager calls this module needs (VimClient provides them). */
export interface PermissionApi {
  retrieveEntityPermissions(entity: MoRef, inherited: boolean): Promise<VimPermission[]>;
  setEntityPermissions(entity: MoRef, permissions: readonly VimPermission[]): Promise<void>;
  removeEntityPermission(entity: MoRef, user: string, isGroup: boolean): Promise<void>;
  /** Every permission on the server, in one call (optional: without it, backups read per object). */
  retrieveAllPermissions?(): Promise<VimPermission[]>;
}

/**
 * Whether one RetrieveAllPermissions (every permission on the server) costs less than one
 * RetrieveEntityPermissions per object: from BULK_READ_MIN_OBJECTS objects on, and when the
 * server's permission count is known, from one object per PERMISSIONS_PER_CALL of them. The
 * ratio is what a call's round trip and a permission's decoding cost on the benchmark lab
 * (README "Performance of apply"): at vCenter's 45,000 permissions, from 450 objects on.
 */
export function readAllPays(objects: number, serverPermissions?: number): boolean {
  return (
    objects >= BULK_READ_MIN_OBJECTS &&
    (serverPermissions === undefined || objects * PERMISSIONS_PER_CALL >= serverPermissions)
  );
}
export const BULK_READ_MIN_OBJECTS = 8;
export const PERMISSIONS_PER_CALL = 100;

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

/**
 * Every permission defined on each object (the backup before a change, the read-back after
 * it), once per object. Many objects: one RetrieveAllPermissions, split by entity (an object
 * without permissions there has none, also one deleted since the plan: its write then fails
 * and is reported). When that call fails, or the server returns permissions without their
 * entity (the simulator's own, not written by drperm), one call per object instead.
 */
export async function readOwnPermissions(
  api: PermissionApi,
  entities: readonly PermissionTarget[],
  concurrency = DEFAULT_CONCURRENCY,
  /** Permissions on the server (the plan's count), if known: see readAllPays. */
  serverPermissions?: number,
): Promise<OwnPermissionsResult> {
  if (readAllPays(entities.length, serverPermissions) && api.retrieveAllPermissions) {
    const bulk = await readAllOwn(() => api.retrieveAllPermissions!(), entities);
    if (bulk) return bulk;
  }
  return readEach(api, entities, concurrency);
}

async function readAllOwn(
  retrieveAll: () => Promise<VimPermission[]>,
  entities: readonly PermissionTarget[],
): Promise<OwnPermissionsResult | undefined> {
  const result: OwnPermissionsResult = { own: new Map(), errors: new Map() };
  let all: VimPermission[];
  try {
    all = await retrieveAll();
  } catch {
    return undefined; // each object is then read (and fails, or not) on its own
  }
  if (all.some((p) => p.entity === undefined)) return undefined;
  const byRef = new Map<string, VimPermission[]>();
  for (const p of all) {
    const list = byRef.get(p.entity!.value);
    if (list) list.push(p);
    else byRef.set(p.entity!.value, [p]);
  }
  for (const e of entities) {
    result.own.set(
      e.ref,
      (byRef.get(e.ref) ?? []).map((p) => ({ ...p, entity: moRef(e) })),
    );
  }
  return result;
}

async function readEach(
  api: PermissionApi,
  entities: readonly PermissionTarget[],
  concurrency: number,
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

export interface PrincipalRef {
  principal: string;
  group: boolean;
}

export interface ChangeOutcome {
  change: PermissionChange;
  /** The principal written (the tenant account, or the one a restore puts back). */
  principal: PrincipalRef;
  status: OutcomeStatus;
  error?: string;
  /** Set when the write's answer was lost but the read-back shows it applied. */
  note?: string;
  /** Other principals' permissions on the object that differ from the backup: reported, not touched. */
  othersChanged?: OtherChange[];
}

export interface ExecutionReport {
  outcomes: ChangeOutcome[];
  done: number;
  failed: number;
  notAttempted: number;
  /** Every other principal's permission found different from the backup (one entry per object and principal). */
  othersChanged: OtherChange[];
  /** True when the signal stopped the run (Ctrl-C): the changes in flight finished, no new one started. */
  interrupted: boolean;
}

interface CommonInput {
  /** How the server's SetEntityPermissions treats other principals (server-contract.ts). */
  permissionWrites: PermissionWrites;
  /** Identifies the server (its instance UUID): writes to one object are serialised per server. */
  serverKey: string;
  /** Taken right before the writes: the reference for every other principal's permission. */
  backup: Backup;
  concurrency?: number;
  /** Permissions on the server when the plan was made, if known: whether reading them all pays (readAllPays). */
  serverPermissions?: number;
  /** Aborted (e.g. on Ctrl-C): the writes in flight finish and are verified, no new one starts. */
  signal?: AbortSignal;
  onOutcome?: (outcome: ChangeOutcome, finished: number, total: number) => void;
}

export interface ExecuteInput extends CommonInput {
  /** The tenant account every change is for. */
  principal: string;
  group: boolean;
  changes: readonly PermissionChange[];
}

/** One principal's permission on one object. */
export interface PermissionWrite {
  change: PermissionChange;
  principal: PrincipalRef;
}

export interface WritesInput extends CommonInput {
  writes: readonly PermissionWrite[];
}

/** Comparable form of one principal's permission. */
const stateOf = (p: { roleId: number; propagate: boolean }) => `${p.roleId}/${p.propagate}`;
const keyOf = (p: PrincipalRef) => principalKey(principalOf(p));

/**
 * Read-merge-write on one object must not interleave with another on the same object, also
 * across executions in this process (e.g. two tenants sharing a datacenter). Tails of the
 * queue per server and object.
 */
const objectQueues = new Map<string, Promise<void>>();

async function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = objectQueues.get(key) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  const tail = before.then(() => mine);
  objectQueues.set(key, tail);
  await before;
  try {
    return await work();
  } finally {
    done();
    if (objectQueues.get(key) === tail) objectQueues.delete(key);
  }
}

class WriteExecutor {
  /** principalKey of every principal this run writes: everybody else is an "other". */
  private readonly writers: ReadonlySet<string>;
  /** The backup by object: one lookup per write, however many objects a tenant has. */
  private readonly backupByRef: ReadonlyMap<string, BackupPermission[]>;
  private stop = false;

  constructor(
    private readonly api: PermissionApi,
    private readonly input: WritesInput,
  ) {
    this.writers = new Set(input.writes.map((w) => keyOf(w.principal)));
    this.backupByRef = new Map(input.backup.entities.map((e) => [e.ref, e.permissions]));
  }

  async run(): Promise<ExecutionReport> {
    const { writes } = this.input;
    const concurrency = this.input.concurrency ?? DEFAULT_CONCURRENCY;
    const semaphore = new Semaphore(concurrency);
    // Add-or-update: the writes go first, and the objects written are read back together
    // afterwards (one RetrieveAllPermissions for many). A write whose answer is an error is
    // read back at once, so that a failure still stops the run before anything new starts.
    const readBackTogether =
      this.input.permissionWrites === 'add-or-update' &&
      readAllPays(writes.length, this.input.serverPermissions) &&
      this.api.retrieveAllPermissions !== undefined;
    let finished = 0;
    const done = (outcome: ChangeOutcome): ChangeOutcome => {
      if (outcome.status === 'failed') this.stop = true;
      finished++;
      this.input.onOutcome?.(outcome, finished, writes.length);
      return outcome;
    };
    const written: PermissionWrite[] = [];
    const first = await Promise.all(
      writes.map((w) =>
        semaphore.run(async (): Promise<ChangeOutcome | undefined> => {
          // After a failure nothing new starts: the operator sees a short, exact report and runs again.
          if (this.stop || this.input.signal?.aborted === true) {
            return done({ change: w.change, principal: w.principal, status: 'not-attempted' });
          }
          const key = `${this.input.serverKey}\0${w.change.entity.ref}`;
          if (!readBackTogether) return done(await serialised(key, () => this.one(w)));
          const failed = await serialised(key, () => this.writeOnly(w));
          if (failed) return done(failed);
          written.push(w);
          return undefined;
        }),
      ),
    );
    const later = new Map<PermissionWrite, ChangeOutcome>();
    if (written.length > 0) {
      // Read once every write is answered: also when interrupted, what was written is verified.
      const read = await readOwnPermissions(
        this.api,
        written.map((w) => w.change.entity),
        concurrency,
        this.input.serverPermissions,
      );
      for (const w of written) {
        const after = read.own.get(w.change.entity.ref);
        const error = read.errors.get(w.change.entity.ref);
        later.set(
          w,
          done(
            after === undefined
              ? {
                  change: w.change,
                  principal: w.principal,
                  status: 'failed',
                  error: `written, but could not read back: ${errorText(error ?? 'no answer')}`,
                }
              : this.judge(w, after, undefined, undefined),
          ),
        );
      }
    }
    const outcomes = first.map((o, i) => o ?? later.get(writes[i]!)!);
    const count = (s: OutcomeStatus) => outcomes.filter((o) => o.status === s).length;
    return {
      outcomes,
      done: count('done'),
      failed: count('failed'),
      notAttempted: count('not-attempted'),
      othersChanged: uniqueOtherChanges(outcomes.map((o) => o.othersChanged ?? [])),
      interrupted: this.input.signal?.aborted === true,
    };
  }

  /**
   * The write alone (add-or-update, read back later); undefined when the server accepted it.
   * A write that failed is read back now: its answer may have been lost after it applied.
   */
  private async writeOnly(w: PermissionWrite): Promise<ChangeOutcome | undefined> {
    try {
      await this.write(w);
      return undefined;
    } catch (err) {
      return this.readBack(w, err, undefined);
    }
  }

  private async one(w: PermissionWrite): Promise<ChangeOutcome> {
    const base = { change: w.change, principal: w.principal };
    let writeError: unknown;
    let justRead: VimPermission[] | undefined;
    try {
      justRead = await this.write(w);
    } catch (err) {
      if (err instanceof ReadBeforeWriteError) {
        return { ...base, status: 'failed', error: `nothing written: ${errorText(err.cause)}` };
      }
      // The answer may have been lost after the server applied the write: the read-back tells.
      writeError = err;
    }
    return this.readBack(w, writeError, justRead);
  }

  /** Reads the object back and judges the write by it. */
  private async readBack(
    w: PermissionWrite,
    writeError: unknown,
    justRead: VimPermission[] | undefined,
  ): Promise<ChangeOutcome> {
    let after: VimPermission[];
    try {
      after = await readOwn(this.api, w.change.entity);
    } catch (err) {
      return {
        change: w.change,
        principal: w.principal,
        status: 'failed',
        error:
          writeError === undefined
            ? `written, but could not read back: ${errorText(err)}`
            : `${errorText(writeError)}; could not read back to tell whether it was applied: ${errorText(err)}`,
      };
    }
    return this.judge(w, after, justRead, writeError);
  }

  /** Done when the read-back shows the wanted permission; other principals compared with the backup. */
  private judge(
    w: PermissionWrite,
    after: readonly VimPermission[],
    justRead: readonly VimPermission[] | undefined,
    writeError: unknown,
  ): ChangeOutcome {
    const base = { change: w.change, principal: w.principal };
    const others = this.othersChanged(w, after, justRead);
    const withOthers = others.length > 0 ? { othersChanged: others } : {};
    const mine = after.find((p) => keyOf(p) === keyOf(w.principal));
    const want = w.change.desired;
    const ok =
      want === null ? mine === undefined : mine !== undefined && stateOf(mine) === stateOf(want);
    if (ok) {
      return writeError === undefined
        ? { ...base, status: 'done', ...withOthers }
        : {
            ...base,
            status: 'done',
            note: `the server's answer was lost (${errorText(writeError)}); the read-back shows it applied`,
            ...withOthers,
          };
    }
    const readBack = `read back ${mine ? `role ${mine.roleId}, propagate ${mine.propagate}` : 'no permission'} for ${w.principal.principal}, expected ${want ? `role ${want.roleId}, propagate ${want.propagate}` : 'none'}`;
    return {
      ...base,
      status: 'failed',
      error: writeError === undefined ? readBack : `${errorText(writeError)}; ${readBack}`,
      ...withOthers,
    };
  }

  /** Sends the write; on a replace server returns the list it read right before writing. */
  private async write(w: PermissionWrite): Promise<VimPermission[] | undefined> {
    const entity = moRef(w.change.entity);
    const { principal, group } = w.principal;
    const desired = w.change.desired;
    if (this.input.permissionWrites === 'add-or-update') {
      if (desired === null) await this.remove(entity, w.principal);
      else await this.api.setEntityPermissions(entity, [{ principal, group, ...pick(desired) }]);
      return undefined;
    }
    let fresh: VimPermission[];
    try {
      fresh = await readOwn(this.api, w.change.entity);
    } catch (err) {
      throw new ReadBeforeWriteError(err);
    }
    const current = fresh.find((p) => keyOf(p) === keyOf(w.principal));
    if (desired === null) {
      // RemoveEntityPermission is per principal on every server: no list is written.
      if (current !== undefined) await this.remove(entity, w.principal);
      return fresh;
    }
    if (current !== undefined && stateOf(current) === stateOf(desired)) return fresh;
    const kept = fresh.filter((p) => keyOf(p) !== keyOf(w.principal));
    await this.api.setEntityPermissions(entity, [...kept, { principal, group, ...pick(desired) }]);
    return fresh;
  }

  private async remove(entity: MoRef, who: PrincipalRef): Promise<void> {
    try {
      await this.api.removeEntityPermission(entity, who.principal, who.group);
    } catch (err) {
      // Already gone (a rerun after a lost answer): the read-back confirms it.
      if (!(err instanceof NotFoundFault)) throw err;
    }
  }

  /**
   * Other principals that differ from the backup, and on a replace server also from the
   * list read right before the write (a change that landed meanwhile): reported, not touched.
   */
  private othersChanged(
    w: PermissionWrite,
    after: readonly VimPermission[],
    justRead: readonly VimPermission[] | undefined,
  ): OtherChange[] {
    const entity = w.change.entity;
    const sinceBackup = otherChanges(
      entity,
      this.backupByRef.get(entity.ref) ?? [],
      after,
      this.writers,
    );
    if (justRead === undefined) return sinceBackup;
    return uniqueOtherChanges([otherChanges(entity, justRead, after, this.writers), sinceBackup]);
  }
}

/** The read that must precede a write on a replace server failed: nothing was written. */
class ReadBeforeWriteError extends Error {
  constructor(cause: unknown) {
    super('read before write failed', { cause });
  }
}

const pick = (d: { roleId: number; propagate: boolean }) => ({
  roleId: d.roleId,
  propagate: d.propagate,
});

/** Error text for reports, which reach stdout and files: registered secrets are removed. */
function errorText(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
}

/** Writes of several principals (e.g. a restore). */
export function executeWrites(api: PermissionApi, input: WritesInput): Promise<ExecutionReport> {
  return new WriteExecutor(api, input).run();
}

/** The tenant account's changes (apply, rollback). */
export function executeChanges(api: PermissionApi, input: ExecuteInput): Promise<ExecutionReport> {
  const principal = { principal: input.principal, group: input.group };
  return executeWrites(api, {
    ...input,
    writes: input.changes.map((change) => ({ change, principal })),
  });
}
