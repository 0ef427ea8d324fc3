import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireLock,
  lockFileFor,
  LockTimeoutError,
  lockTimeoutFromEnv,
  type LockOwner,
} from '../../../src/util/server-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'drperm-lock-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'DBED6E0C-bd88-4ef6-b594-21283e1c677f';

function ownerFile(pid: number, startedAt = '2026-01-01T00:00:00.000Z'): LockOwner {
  const owner = { pid, hostname: hostname(), startedAt, purpose: 'tenant apply' };
  writeFileSync(lockFileFor(KEY, dir), JSON.stringify(owner));
  return owner;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => child.once('exit', () => r()));
}

describe('acquireLock', () => {
  it('creates the lock file with its owner, keyed by the instance UUID, and removes it on release', async () => {
    const lock = await acquireLock(KEY, 'tenant apply', { dir });
    expect(lock.file).toBe(join(dir, 'drperm-dbed6e0c-bd88-4ef6-b594-21283e1c677f.lock'));
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({
      pid: process.pid,
      purpose: 'tenant apply',
    });
    await lock.release();
    expect(existsSync(lock.file)).toBe(false);
    await lock.release(); // idempotent
  });

  it('lets a second holder in only after the first released it', async () => {
    const first = await acquireLock(KEY, 'first', { dir });
    const order: string[] = [];
    const waits: string[] = [];
    const second = acquireLock(KEY, 'second', {
      dir,
      pollMs: 10,
      onWait: (owner) => waits.push(owner?.purpose ?? '?'),
    }).then((l) => {
      order.push('second acquired');
      return l;
    });
    await new Promise((r) => setTimeout(r, 60));
    order.push('first releases');
    await first.release();
    const lock = await second;
    expect(order).toEqual(['first releases', 'second acquired']);
    expect(waits).toEqual(['first']);
    await lock.release();
  });

  it('waits for a live process of another run and fails after the timeout with a clear error', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      ownerFile(other.pid!);
      const messages: number[] = [];
      const err = await acquireLock(KEY, 'tenant apply', {
        dir,
        timeoutMs: 200,
        pollMs: 20,
        onWait: (owner) => messages.push(owner!.pid),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockTimeoutError);
      expect((err as Error).message).toMatch(
        new RegExp(`another drperm run \\(pid ${other.pid} .*nothing was changed`),
      );
      expect((err as LockTimeoutError).hint).toContain(lockFileFor(KEY, dir));
      expect(messages).toEqual([other.pid]);
      expect(existsSync(lockFileFor(KEY, dir))).toBe(true); // never broken while alive
    } finally {
      other.kill();
      await exited(other);
    }
  });

  it('breaks the stale lock of a process that died', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await exited(dead);
    ownerFile(dead.pid!);
    const lock = await acquireLock(KEY, 'tenant apply', { dir, timeoutMs: 1000, pollMs: 10 });
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('treats a lock naming this process that it does not hold as a leftover', async () => {
    ownerFile(process.pid);
    const lock = await acquireLock(KEY, 'x', { dir, timeoutMs: 500, pollMs: 10 });
    await lock.release();
  });

  it('lets only one of several waiters break a stale lock and take it', async () => {
    ownerFile(999_999);
    const isAlive = (pid: number) => pid !== 999_999 && pid > 0;
    const holders: number[] = [];
    let inside = 0;
    await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const lock = await acquireLock(KEY, `w${n}`, { dir, pollMs: 5, isAlive });
        inside++;
        holders.push(inside);
        await new Promise((r) => setTimeout(r, 20));
        inside--;
        await lock.release();
      }),
    );
    expect(holders).toEqual([1, 1, 1, 1]);
  });
});

describe('lockTimeoutFromEnv', () => {
  it('reads DRPERM_LOCK_TIMEOUT in seconds, default 300, and refuses nonsense', () => {
    expect(lockTimeoutFromEnv({})).toBe(300_000);
    expect(lockTimeoutFromEnv({ DRPERM_LOCK_TIMEOUT: '2.5' })).toBe(2500);
    expect(() => lockTimeoutFromEnv({ DRPERM_LOCK_TIMEOUT: 'soon' })).toThrow(
      /DRPERM_LOCK_TIMEOUT=soon: expected seconds/,
    );
  });
});
