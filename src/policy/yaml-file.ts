/**
 * Loads a YAML file and validates it with a zod schema. Errors name the file, the line
 * and the field (`policies/tenants/contoso.yaml:7 objects.hosts[0]: ...`), because a
 * partner fixing a policy needs to know exactly where to look.
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../util/errors';
import { MiB, readTextFile } from '../util/text-file';
import { editDistance, nearest } from '../util/suggest';
import { fieldPath } from '../util/zod-errors';

export interface YamlSource {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The document as plain data, aliases expanded within bounds. */
  value: unknown;
}

/**
 * Policy files are small: the largest tenant file a partner writes (thousands of VM paths)
 * is well under 1 MiB. The bound keeps a runaway file (a generated list of a million globs)
 * from exhausting memory; membership files, listing directory groups, get more room.
 */
export const MAX_POLICY_FILE_BYTES = 4 * MiB;

/**
 * Aliases expanded at most this many times per file: policy files need few or none, and a
 * "billion laughs" file of nested aliases must fail at once instead of filling memory.
 */
const MAX_ALIAS_COUNT = 100;

/** What V8 says when a recursive parser runs out of stack. */
const TOO_DEEP = /call stack/i;

export async function readYamlSource(
  file: string,
  options: { what?: string; maxBytes?: number } = {},
): Promise<YamlSource> {
  const what = options.what ?? 'policy file';
  const text = await readTextFile(file, what, {
    maxBytes: options.maxBytes ?? MAX_POLICY_FILE_BYTES,
  });
  return parseYamlSource(file, text);
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false });
  } catch (err) {
    // The parser's own limits (e.g. nesting deep enough to exhaust the stack).
    const message = (err as Error).message;
    throw new InputError(
      `${file}: ${TOO_DEEP.test(message) ? 'nested too deeply for a policy file' : `cannot parse the YAML: ${message}`}`,
      {
        cause: err,
        location: { file },
      },
    );
  }
  const first = doc.errors[0];
  if (first) {
    // With prettyErrors off the error carries only offsets: turn them into a line here.
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    const message = TOO_DEEP.test(first.message)
      ? 'nested too deeply for a policy file'
      : `YAML syntax error: ${first.message}`;
    throw new InputError(`${file}${line ? `:${line}` : ''}: ${message}`, {
      location: { file, ...(line ? { line } : {}) },
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = (err as Error).message;
    throw new InputError(
      /alias/i.test(message)
        ? `${file}: YAML aliases expand too far (more than ${MAX_ALIAS_COUNT} uses); write the values out instead of nesting aliases`
        : `${file}: cannot read the YAML: ${message}`,
      { cause: err, location: { file } },
    );
  }
  if (value === null || value === undefined) {
    throw new InputError(`${file} holds no YAML content (only comments or blank lines)`, {
      location: { file },
    });
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      `${file}: expected a mapping of fields (field: value), found ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
      { location: { file, line: 1 } },
    );
  }
  return { file, text, doc, lineCounter, value };
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
  const field = fieldPath(path);
  return new InputError(
    `${src.file}${line ? `:${line}` : ''}${field ? ` ${field}` : ''}: ${message}`,
    {
      location: { file: src.file, ...(line ? { line } : {}), ...(field ? { field } : {}) },
    },
  );
}

export function validateYaml<S extends z.ZodType>(src: YamlSource, schema: S): z.infer<S> {
  const parsed = schema.safeParse(src.value);
  if (parsed.success) return parsed.data;
  // Every problem, in file order: a partner fixing a file should not need one run per typo.
  const problems = parsed.error.issues
    .flatMap(splitUnknownKeys)
    .map((issue) => {
      const path = issue.path as PropertyKey[];
      return { path, line: lineOf(src, path) ?? 0, message: describeIssue(src, schema, issue) };
    })
    .sort((a, b) => a.line - b.line);
  const [first, ...rest] = problems;
  const err = locate(src, first!.path, first!.message);
  if (rest.length > 0) {
    err.message +=
      ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` +
      rest.map((p) => `\n  ${locate(src, p.path, p.message).message}`).join('');
  }
  throw err;
}

/** One issue per unknown field, located at that field's own line. */
function splitUnknownKeys(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'unrecognized_keys') return [issue];
  return issue.keys.map((key) => ({ ...issue, keys: [key], path: [...issue.path, key] }));
}

/** zod's message, plus the nearest valid name for a misspelt value or field. */
function describeIssue(src: YamlSource, schema: z.ZodType, issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    // splitUnknownKeys has put the unknown key itself at the end of the path.
    const known = objectKeysAt(schema, issue.path.slice(0, -1));
    return issue.keys
      .map((key) => {
        const near = closeEnough(key, known);
        return `unknown field "${key}"${near ? `; did you mean "${near}"?` : ''}`;
      })
      .join('; ');
  }
  if (issue.code === 'invalid_value') {
    const given = src.doc.getIn(issue.path as unknown[]);
    const allowed = issue.values.filter((v): v is string => typeof v === 'string');
    const near = typeof given === 'string' ? closeEnough(given, allowed) : undefined;
    if (near) return `${issue.message}; did you mean "${near}"?`;
  }
  return issue.message;
}

/** The nearest candidate, unless it is so far off that suggesting it would mislead. */
function closeEnough(input: string, candidates: readonly string[]): string | undefined {
  const near = nearest(input, candidates, 1)[0];
  if (near === undefined) return undefined;
  const limit = Math.max(2, Math.floor(input.length / 3));
  return editDistance(input.toLowerCase(), near.toLowerCase()) <= limit ? near : undefined;
}

/** The field names the schema allows for the object at `path` (empty when unknown). */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of [undefined, ...path]) {
    node = unwrap(node);
    if (key === undefined) continue;
    const def = (node as { def?: Record<string, unknown> }).def;
    if (def?.type === 'object') node = (def.shape as Record<string, unknown>)[String(key)];
    else if (def?.type === 'array') node = def.element;
    else if (def?.type === 'record') node = def.valueType;
    else return [];
  }
  const def = (unwrap(node) as { def?: { type?: string; shape?: object } }).def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Looks through optional, default, nullable and pipe wrappers to the schema inside. */
function unwrap(node: unknown): unknown {
  for (;;) {
    const def = (node as { def?: { type?: string; innerType?: unknown; in?: unknown } }).def;
    if (!def) return node;
    if (def.innerType !== undefined) node = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) node = def.in;
    else return node;
  }
}

export async function loadYaml<S extends z.ZodType>(
  file: string,
  schema: S,
  options: { what?: string; maxBytes?: number } = {},
): Promise<{ value: z.infer<S>; source: YamlSource }> {
  const source = await readYamlSource(file, options);
  return { value: validateYaml(source, schema), source };
}
