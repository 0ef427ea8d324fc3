/** The data of a command: a snapshot file, or a live collection from one vCenter. */
import type { Logger } from '../util/log';
import { withSession } from '../vsphere/session';
import type { ConnectOptions } from '../vsphere/types';
import { info, type Emit } from './events';
import {
  fileSnapshotInput,
  liveSnapshotInput,
  type SnapshotEnrichment,
  type SnapshotInput,
} from './snapshot';

export type SnapshotSource = { file: string } | { connection: ConnectOptions };

/** Reads the file, or collects in one session (then `enrich` reads more in it: membership). */
export async function obtainSnapshot(
  source: SnapshotSource,
  sessionLog: Logger,
  emit: Emit,
  enrich?: SnapshotEnrichment,
): Promise<SnapshotInput> {
  if ('file' in source) return fileSnapshotInput(source.file, emit);
  info(emit, `collecting from ${source.connection.url} ...`);
  return withSession(source.connection, sessionLog, (client) =>
    liveSnapshotInput(client, emit, enrich),
  );
}
