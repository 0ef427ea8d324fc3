/** Reading drperm's own JSON files (snapshots, backups): errors name the file and the fields. */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { InputError } from './errors';
import { formatZodIssues } from './zod-errors';

/** The file's text (for hashing) and its parsed JSON; `what` names the file in errors, e.g. "backup". */
export async function readJsonFile(
  path: string,
  what: string,
): Promise<{ text: string; json: unknown }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return { text, json: JSON.parse(text) };
  } catch (err) {
    throw new InputError(`${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
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
