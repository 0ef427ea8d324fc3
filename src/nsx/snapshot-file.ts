/**
 * The NSX snapshot file written by `drperm nsx collect --out FILE`: a sibling of the vCenter
 * snapshot (NSX Manager is a different server, collected with different credentials, often
 * at a different moment). Readers also accept a vCenter snapshot that carries an `nsx` section.
 */
import { z } from 'zod';
import { NsxDataSchema, type NsxData } from '../model/nsx';
import { SNAPSHOT_FORMAT } from '../model/snapshot';
import { sha256Hex } from '../model/snapshot-file';
import { InputError } from '../util/errors';
import { parseJsonWith, readJsonFile } from '../util/json-file';
import { formatZodIssues } from '../util/zod-errors';
import { VERSION } from '../version';

export const NSX_SNAPSHOT_FORMAT = 'drperm-nsx-snapshot';
export const NSX_SNAPSHOT_FORMAT_VERSION = 1;

export const NsxSnapshotSchema = z.object({
  format: z.literal(NSX_SNAPSHOT_FORMAT),
  formatVersion: z.literal(NSX_SNAPSHOT_FORMAT_VERSION),
  tool: z.object({ name: z.literal('drperm'), version: z.string() }),
  nsx: NsxDataSchema,
});
export type NsxSnapshot = z.infer<typeof NsxSnapshotSchema>;

/** The file's text (validated): stable JSON, one trailing newline. */
export function nsxSnapshotText(nsx: NsxData): string {
  const snapshot: NsxSnapshot = {
    format: NSX_SNAPSHOT_FORMAT,
    formatVersion: NSX_SNAPSHOT_FORMAT_VERSION,
    tool: { name: 'drperm', version: VERSION },
    nsx,
  };
  const parsed = NsxSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) {
    // A collector bug, not user input: never write a file an audit could not trust.
    throw new Error(
      `refusing to write an invalid NSX snapshot:\n  ${formatZodIssues(parsed.error).join('\n  ')}`,
    );
  }
  return JSON.stringify(parsed.data, null, 1) + '\n';
}

export interface LoadedNsxData {
  nsx: NsxData;
  path: string;
  sha256: string;
}

/** Reads an NSX snapshot (a file of its own: NSX Manager is another server). */
export async function readNsxSnapshot(path: string): Promise<LoadedNsxData> {
  const { text, json } = await readJsonFile(path, 'NSX snapshot');
  const format = (json as { format?: unknown } | null)?.format;
  const hint = 'create one with `drperm nsx collect --out FILE`';
  if (format === NSX_SNAPSHOT_FORMAT) {
    const { nsx } = parseJsonWith(NsxSnapshotSchema, json, path, 'NSX snapshot', hint);
    return { nsx, path, sha256: sha256Hex(text) };
  }
  if (format === SNAPSHOT_FORMAT) {
    throw new InputError(`${path} is a vCenter snapshot, not an NSX snapshot`, { hint });
  }
  throw new InputError(
    `${path} is not a drperm NSX snapshot (format is not "${NSX_SNAPSHOT_FORMAT}")`,
    {
      hint,
    },
  );
}
