/** `--snapshot FILE`, or a live collection from the vCenter the connection options name. */
import {
  fileSnapshotInput,
  liveSnapshotInput,
  type SnapshotEnrichment,
  type SnapshotInput,
} from '../ops/snapshot';
import { info } from '../ops/events';
import { withSession } from '../vsphere/session';
import { resolveConnection, type ConnectionFlags } from './connection';
import type { CommandContext } from './context';
import { refuseSnapshotWithUrl } from './source-flags';

export async function obtainSnapshot(
  opts: ConnectionFlags & { snapshot?: string },
  ctx: CommandContext,
  enrich?: SnapshotEnrichment,
): Promise<SnapshotInput> {
  refuseSnapshotWithUrl(opts);
  if (opts.snapshot !== undefined) return fileSnapshotInput(opts.snapshot, ctx.emit);
  const connection = await resolveConnection(opts, ctx.log);
  info(ctx.emit, `collecting from ${connection.url} ...`);
  return withSession(connection, ctx.log, (client) => liveSnapshotInput(client, ctx.emit, enrich));
}
