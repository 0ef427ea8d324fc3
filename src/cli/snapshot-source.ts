/** `--snapshot FILE`, or a live collection from the vCenter the connection options name. */
import type { SnapshotEnrichment, SnapshotInput } from '../ops/snapshot';
import { obtainSnapshot as obtain, type SnapshotSource } from '../ops/snapshot-source';
import type { Logger } from '../util/log';
import { resolveConnection, type ConnectionFlags } from './connection';
import type { CommandContext } from './context';
import { refuseSnapshotWithUrl } from './source-flags';

/** The source the flags name; for a live one the connection is resolved (password asked) now. */
export async function snapshotSource(
  opts: ConnectionFlags & { snapshot?: string },
  log: Logger,
): Promise<SnapshotSource> {
  refuseSnapshotWithUrl(opts);
  if (opts.snapshot !== undefined) return { file: opts.snapshot };
  return { connection: await resolveConnection(opts, log) };
}

export async function obtainSnapshot(
  opts: ConnectionFlags & { snapshot?: string },
  ctx: CommandContext,
  enrich?: SnapshotEnrichment,
): Promise<SnapshotInput> {
  return obtain(await snapshotSource(opts, ctx.log), ctx.log, ctx.emit, enrich);
}
