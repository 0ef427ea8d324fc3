/**
 * Loads a YAML file and validates it with a zod schema. Errors name the file, the line
 * and the field (`policies/tenants/contoso.yaml:7 objects.hosts.0: ...`), because a
 * partner fixing a policy needs to know exactly where to look.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../util/errors';

export interface YamlSource {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

export async function readYamlSource(file: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseYamlSource(file, text);
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw new InputError(`${file}${line ? `:${line}` : ''}: YAML syntax error: ${first.message}`, {
      location: { file, ...(line ? { line } : {}) },
    });
  }
  return { file, text, doc, lineCounter };
}

/** 1-based line of the node at `path` (or of its nearest existing parent). */
export function lineOf(src: YamlSource, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = src.doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return src.lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

/** `file:line field: message`, the format every policy error uses. */
export function locate(src: YamlSource, path: readonly PropertyKey[], message: string): InputError {
  const line = lineOf(src, path);
  const field = path.map(String).join('.');
  return new InputError(
    `${src.file}${line ? `:${line}` : ''}${field ? ` ${field}` : ''}: ${message}`,
    {
      location: { file: src.file, ...(line ? { line } : {}), ...(field ? { field } : {}) },
    },
  );
}

export function validateYaml<S extends z.ZodType>(src: YamlSource, schema: S): z.infer<S> {
  const parsed = schema.safeParse(src.doc.toJS());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const err = locate(src, issue.path as PropertyKey[], issue.message);
  const more = parsed.error.issues.length - 1;
  if (more > 0) err.message += ` (and ${more} more problem${more > 1 ? 's' : ''})`;
  throw err;
}

export async function loadYaml<S extends z.ZodType>(
  file: string,
  schema: S,
): Promise<{ value: z.infer<S>; source: YamlSource }> {
  const source = await readYamlSource(file);
  return { value: validateYaml(source, schema), source };
}
