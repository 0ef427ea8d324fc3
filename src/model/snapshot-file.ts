/** Reading and writing snapshot files, validated against the schema both ways. */
import { createHash } from 'node:crypto';
import { writeOutputPieces } from '../util/output-files';
import { batched, jsonPieces } from '../util/json-stream';
import { InputError } from '../util/errors';
import { parseJsonWith, readJsonFile } from '../util/json-file';
import { z } from 'zod';
import { formatZodIssues } from '../util/zod-errors';
import { checkSnapshot } from './snapshot-check';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  EntitySchema,
  PermissionSchema,
  SnapshotSchema,
  type Snapshot,
} from './snapshot';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The text of a snapshot file (JSON, one-space indent) in pieces of about 64 KB: written and
 * hashed as it is made, never one string (16 MB at 45,000 VMs).
 */
export function snapshotPieces(snapshot: Snapshot): Iterable<string> {
  return batched(jsonPieces(snapshot));
}

/** The bytes of a snapshot file; its SHA-256 is the digest reports record. */
export function snapshotText(snapshot: Snapshot): string {
  return [...snapshotPieces(snapshot)].join('');
}

/** SHA-256 of the file writeSnapshot writes for `snapshot`, without making that text. */
export function snapshotDigest(snapshot: Snapshot): string {
  const hash = createHash('sha256');
  for (const piece of snapshotPieces(snapshot)) hash.update(piece, 'utf8');
  return hash.digest('hex');
}

/**
 * Validates and writes the snapshot; returns the SHA-256 of the bytes written. What is written
 * is the snapshot as collected (its digest is the one a live audit records), checked against
 * the schema element by element so that no copy of a large inventory is made.
 */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<string> {
  const issues = snapshotIssues(snapshot);
  if (issues.length > 0) {
    // A collector bug, not user input: refuse to write a file an audit could not trust.
    throw new Error(`refusing to write an invalid snapshot:\n  ${issues.join('\n  ')}`);
  }
  const hash = createHash('sha256');
  await writeOutputPieces(
    path,
    (function* () {
      for (const piece of snapshotPieces(snapshot)) {
        hash.update(piece, 'utf8');
        yield piece;
      }
    })(),
  );
  return hash.digest('hex');
}

const SnapshotHeadSchema = SnapshotSchema.omit({ entities: true, permissions: true });

/** What the schema finds wrong (at most 10 formatZodIssues lines); nothing is copied. */
export function snapshotIssues(snapshot: Snapshot): string[] {
  const { entities, permissions, ...head } = snapshot;
  const found: string[] = [];
  const check = (schema: z.ZodType, value: unknown, at: (string | number)[]) => {
    if (found.length >= 10) return;
    const r = schema.safeParse(value);
    if (r.success) return;
    const error = new z.ZodError(r.error.issues.map((i) => ({ ...i, path: [...at, ...i.path] })));
    found.push(...formatZodIssues(error, 10 - found.length));
  };
  check(SnapshotHeadSchema, head, []);
  const list = (name: string, schema: z.ZodType, values: unknown) => {
    if (!Array.isArray(values)) return check(z.array(schema), values, [name]);
    for (let i = 0; i < values.length && found.length < 10; i++)
      check(schema, values[i], [name, i]);
  };
  list('entities', EntitySchema, entities);
  list('permissions', PermissionSchema, permissions);
  return found;
}

export interface LoadedSnapshot {
  snapshot: Snapshot;
  sha256: string;
  path: string;
}

export async function readSnapshot(path: string): Promise<LoadedSnapshot> {
  const { text, json } = await readJsonFile(path, 'snapshot');
  const header = json as { format?: unknown; formatVersion?: unknown } | null;
  if (header?.format !== SNAPSHOT_FORMAT) {
    throw new InputError(`${path} is not a drperm snapshot (format is not "${SNAPSHOT_FORMAT}")`, {
      hint: 'create one with `drperm collect --out FILE`',
    });
  }
  if (header.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    throw new InputError(
      `${path} has snapshot format version ${String(header.formatVersion)}; this drperm reads version ${SNAPSHOT_FORMAT_VERSION}`,
    );
  }
  const snapshot = parseJsonWith(SnapshotSchema, json, path, 'snapshot');
  const check = checkSnapshot(snapshot);
  if (check.errors.length > 0) {
    throw new InputError(`${path} is not a usable snapshot: ${check.errors.join('; ')}`, {
      location: { file: path },
    });
  }
  // Carried into the report's warnings with the collector's own notes.
  snapshot.warnings.push(...check.warnings.map((w) => `snapshot file: ${w}`));
  return { snapshot, sha256: sha256Hex(text), path };
}

/**
 * Where a snapshot goes when --out is not given: `reports/<kind>-<host>-<YYYYMMDDTHHMMSSZ>.json`
 * (`snapshot` for vCenter, `nsx-snapshot` for NSX Manager); ':' of a port becomes '_' for
 * portable file names.
 */
export function defaultSnapshotPath(
  kind: 'snapshot' | 'nsx-snapshot',
  url: string,
  at: Date,
): string {
  const host = new URL(url).host.replace(/[^A-Za-z0-9._-]/g, '_');
  const time = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `reports/${kind}-${host}-${time}.json`;
}
