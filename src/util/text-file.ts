/**
 * Reading an input file as text, refusing what would crash or hang a parser: something that
 * is not a regular file (a directory, a FIFO or /dev/zero would block or never end), a file
 * larger than its kind ever needs to be (a string beyond V8's limit aborts the process), an
 * empty file, and binary content. Every refusal is one InputError naming the file and the cause.
 */
import { open, stat } from 'node:fs/promises';
import { InputError } from './errors';

export const MiB = 1024 * 1024;

export interface TextFileLimits {
  /** Largest accepted size in bytes. */
  maxBytes: number;
}

/** `what` names the file in errors ("tenant file", "snapshot"). */
export async function readTextFile(
  path: string,
  what: string,
  limits: TextFileLimits,
): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError(`cannot read ${what} ${path}: ${reason(err)}`, {
      cause: err,
      location: { file: path },
    });
  }
  if (info.isDirectory()) {
    throw new InputError(`${what} ${path} is a directory, not a file`, {
      location: { file: path },
    });
  }
  if (!info.isFile()) {
    throw new InputError(`${what} ${path} is not a regular file (a device, FIFO or socket)`, {
      location: { file: path },
    });
  }
  if (info.size > limits.maxBytes) {
    throw new InputError(
      `${what} ${path} is ${formatSize(info.size)}; drperm reads ${what}s of at most ${formatSize(limits.maxBytes)}`,
      { location: { file: path } },
    );
  }
  let bytes: Buffer;
  try {
    // Read at most one byte past the limit: the file may have grown since stat().
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(info.size, limits.maxBytes) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === buffer.length) break;
      }
      bytes = buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new InputError(`cannot read ${what} ${path}: ${reason(err)}`, {
      cause: err,
      location: { file: path },
    });
  }
  if (bytes.length > limits.maxBytes) {
    throw new InputError(`${what} ${path} grew beyond ${formatSize(limits.maxBytes)} while read`, {
      location: { file: path },
    });
  }
  return decodeText(bytes, path, what);
}

/** UTF-8 text without a byte-order mark; refuses empty and binary content. */
export function decodeText(bytes: Uint8Array, path: string, what: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new InputError(
      `${what} ${path} is not a text file (binary data: a NUL byte at offset ${nul})`,
      {
        location: { file: path },
      },
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${what} ${path} is not a text file (not valid UTF-8)`, {
      location: { file: path },
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) {
    throw new InputError(`${what} ${path} is empty`, { location: { file: path } });
  }
  return text;
}

/** The operating system's reason without Node's "EACCES: ..., open 'x'" decoration. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return e.message ?? String(err);
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
