/**
 * Checks, before any collection or change, that an output can be written: a report directory,
 * a backup directory, or an output file's directory. A directory that is read-only, is a file,
 * or sits under a file is refused at once (exit 2) instead of failing after minutes of work.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from './errors';

/** `what` names the directory in errors ("--out", "backup directory"). */
export async function checkWritableDir(dir: string, what: string): Promise<void> {
  const existing = await nearestExisting(dir, what);
  if (!existing.isDir) {
    throw new InputError(
      existing.path === resolve(dir)
        ? `${what} ${dir} is a file, not a directory`
        : `${what} ${dir} cannot be created: ${existing.path} is a file, not a directory`,
    );
  }
  // access(W_OK) says yes to root on a read-only mount; writing a probe file says the truth.
  const probe = resolve(existing.path, `.drperm-write-check-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    throw new InputError(`${what} ${dir} is not writable: ${existing.path}: ${describe(err)}`, {
      cause: err,
    });
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

/** Checks the directory an output file goes into, and that the file itself is not a directory. */
export async function checkWritableFile(file: string, what: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) throw new InputError(`${what} ${file} is a directory, not a file`);
  await checkWritableDir(dirname(file), what);
}

/** Creates the directory (after checkWritableDir, this only fails on a race). */
export async function makeDir(dir: string, what: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`${what} ${dir} cannot be created: ${describe(err)}`, { cause: err });
  }
}

async function nearestExisting(
  dir: string,
  what: string,
): Promise<{ path: string; isDir: boolean }> {
  let cur = resolve(dir);
  for (;;) {
    try {
      const info = await stat(cur);
      return { path: cur, isDir: info.isDirectory() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        // Some component above is a file: keep climbing to find it.
      } else if (code !== 'ENOENT') {
        throw new InputError(`${what} ${dir} cannot be checked: ${describe(err)}`, { cause: err });
      }
      const up = dirname(cur);
      if (up === cur) return { path: cur, isDir: true };
      cur = up;
    }
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EROFS') return 'read-only file system';
  if (e.code === 'ENOSPC') return 'no space left on the device';
  return e.message ?? String(err);
}
