/** Reading drperm's own JSON files (snapshots, backups): errors name the file and the fields. */
import type { z } from 'zod';
import { InputError } from './errors';
import { MiB, readTextFile } from './text-file';
import { formatZodIssues } from './zod-errors';

/**
 * Far above a 45,000-VM snapshot (about 20 MiB) and below V8's longest string (512 MiB), which
 * would otherwise abort the process.
 */
export const MAX_JSON_FILE_BYTES = 256 * MiB;

/**
 * The file's text (for hashing) and its parsed JSON object; `what` names the file in errors,
 * e.g. "backup". Directories, devices, oversized, empty and binary files are refused
 * (src/util/text-file.ts), as is JSON whose top level is not an object.
 */
export async function readJsonFile(
  path: string,
  what: string,
  maxBytes = MAX_JSON_FILE_BYTES,
): Promise<{ text: string; json: unknown }> {
  const text = await readTextFile(path, what, { maxBytes });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} ${path} is not JSON: ${(err as Error).message}`, {
      cause: err,
      location: { file: path },
    });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    const found = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    throw new InputError(`${what} ${path} is not a ${what}: its JSON is ${found}, not an object`, {
      location: { file: path },
    });
  }
  return { text, json };
}

/** Validates parsed JSON; the error lists the offending fields. */
export function parseJsonWith<S extends z.ZodType>(
  schema: S,
  json: unknown,
  path: string,
  what: string,
  hint?: string,
): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = formatZodIssues(parsed.error);
  throw new InputError(`${path} is not a valid ${what}:\n  ${issues.join('\n  ')}`, {
    location: { file: path, field: issues[0]?.split(':')[0] ?? '' },
    ...(hint ? { hint } : {}),
  });
}
