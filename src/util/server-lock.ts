/**
 * An exclusive lock across drperm processes on one machine, as a file in the OS temporary
 * directory. Permission writes to a server that replaces an object's whole permission list
 * (the simulator) take it, keyed by the server's instance UUID, so that two drperm runs
 * never interleave a read-merge-write on the same server.
 *
 * The file is created with O_EXCL and holds its owner (pid, host, start, purpose). A lock
 * whose owner process is gone is stale and is broken; breaking goes through a second
 * exclusive file so that two waiters never both break it (and the second remove the lock
 * the first just took).
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, ServerError } from './errors';

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  purpose: string;
}

export interface LockOptions {
  /** Directory of the lock files (default: the OS temporary directory). */
  dir?: string;
  /** How long to wait for another run (default 300 s). */
  timeoutMs?: number;
  /** Poll interval while waiting (default 250 ms). */
  pollMs?: number;
  /** Called once when the lock is held by another run and this one starts waiting. */
  onWait?: (owner: LockOwner | undefined, file: string, timeoutMs: number) => void;
  /** Whether a process is running; default process.kill(pid, 0). Injected by tests. */
  isAlive?: (pid: number) => boolean;
}

export interface HeldLock {
  readonly file: string;
  /** Removes the lock file if it is still this process's. Idempotent, never throws. */
  release(): Promise<void>;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 300_000;
/** A break file older than this belongs to a waiter that died while breaking. */
const BREAK_STALE_MS = 10_000;

export class LockTimeoutError extends ServerError {
  constructor(file: string, owner: LockOwner | undefined, timeoutMs: number) {
    super(
      `another drperm run ${describeOwner(owner)} has been writing permissions on this server for longer than ${Math.round(timeoutMs / 1000)} s; gave up waiting, nothing was changed`,
      {
        hint: `run again when it has finished; if no drperm is running, remove ${file}`,
      },
    );
  }
}

/** DRPERM_LOCK_TIMEOUT: seconds a run waits for another one (default 300). */
export function lockTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.DRPERM_LOCK_TIMEOUT;
  if (value === undefined || value === '') return DEFAULT_LOCK_TIMEOUT_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 86_400) {
    throw new InputError(
      `DRPERM_LOCK_TIMEOUT=${value}: expected seconds from 0 to 86400 (default 300)`,
    );
  }
  return Math.round(seconds * 1000);
}

/** `drperm-<key>.lock`; the key is reduced to file-name-safe characters. */
export function lockFileFor(key: string, dir: string = tmpdir()): string {
  const safe = key.toLowerCase().replace(/[^a-z0-9._-]/g, '_');
  return join(dir, `drperm-${safe}.lock`);
}

/** Lock files this process holds: a lock naming our pid that is not here is a leftover. */
const held = new Set<string>();
process.on('exit', () => {
  for (const file of held) {
    try {
      if (ownerOf(readFileSync(file, 'utf8'))?.pid === process.pid) unlinkSync(file);
    } catch {
      // already gone
    }
  }
});

export async function acquireLock(
  key: string,
  purpose: string,
  options: LockOptions = {},
): Promise<HeldLock> {
  const file = lockFileFor(key, options.dir);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const pollMs = options.pollMs ?? 250;
  const isAlive = options.isAlive ?? processAlive;
  const deadline = Date.now() + timeoutMs;
  const me: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    purpose,
  };
  let announced = false;
  for (;;) {
    if (await tryCreate(file, me)) {
      held.add(file);
      return { file, release: () => release(file) };
    }
    const owner = await readOwner(file);
    if (owner !== 'gone') {
      if (owner === undefined ? await unreadableForLong(file) : isStale(file, owner, isAlive)) {
        await breakStale(file, owner);
        continue;
      }
      if (Date.now() >= deadline) throw new LockTimeoutError(file, owner, timeoutMs);
      if (!announced) {
        announced = true;
        options.onWait?.(owner, file, timeoutMs);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ServerError(`cannot create the lock file ${file}: ${(err as Error).message}`);
  }
  try {
    await handle.writeFile(JSON.stringify(owner) + '\n', 'utf8');
  } finally {
    await handle.close();
  }
  return true;
}

/** The owner, undefined when unreadable (being written, or garbage), 'gone' when there is no file. */
async function readOwner(file: string): Promise<LockOwner | undefined | 'gone'> {
  try {
    return ownerOf(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined;
  }
}

function ownerOf(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid !== 'number' || typeof v.hostname !== 'string') return undefined;
    return {
      pid: v.pid,
      hostname: v.hostname,
      startedAt: String(v.startedAt),
      purpose: String(v.purpose),
    };
  } catch {
    return undefined;
  }
}

function isStale(file: string, owner: LockOwner, isAlive: (pid: number) => boolean): boolean {
  // Another machine's process cannot be checked from here (a shared temporary directory).
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return !held.has(file);
  return !isAlive(owner.pid);
}

/** A lock file nobody could read for a while: its writer died between creating and filling it. */
async function unreadableForLong(file: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > BREAK_STALE_MS;
  } catch {
    return false;
  }
}

/** Removes a stale lock, unless another waiter is already doing so or it changed meanwhile. */
async function breakStale(file: string, owner: LockOwner | undefined): Promise<void> {
  const breaker = `${file}.break`;
  let handle;
  try {
    handle = await open(breaker, 'wx', 0o644);
  } catch {
    try {
      if (Date.now() - (await stat(breaker)).mtimeMs > BREAK_STALE_MS) await unlink(breaker);
    } catch {
      // removed by its owner meanwhile
    }
    await new Promise((r) => setTimeout(r, 50));
    return;
  }
  try {
    await handle.close();
    const now = await readOwner(file);
    const same =
      now !== 'gone' &&
      (owner === undefined
        ? now === undefined
        : now !== undefined && now.pid === owner.pid && now.startedAt === owner.startedAt);
    if (same) await unlink(file).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function release(file: string): Promise<void> {
  if (!held.delete(file)) return;
  const owner = await readOwner(file);
  if (owner !== 'gone' && owner?.pid === process.pid) await unlink(file).catch(() => undefined);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return '(owner unknown)';
  return `(pid ${owner.pid} on ${owner.hostname}, ${owner.purpose}, since ${owner.startedAt})`;
}

export function lockWaitMessage(
  owner: LockOwner | undefined,
  file: string,
  timeoutMs: number,
): string {
  return `another drperm run ${describeOwner(owner)} is writing permissions on this server; waiting up to ${Math.round(timeoutMs / 1000)} s (lock ${file})`;
}
