/**
 * The snapshot use cases: collect one from a live vCenter (optionally writing it, as
 * `drperm collect` does), or read one from a file, for `audit` and `access` alike so that
 * both modes work on the same data.
 */
import type { Snapshot } from '../model/snapshot';
import {
  defaultSnapshotPath,
  readSnapshot,
  snapshotDigest,
  writeSnapshot,
} from '../model/snapshot-file';
import { silentLogger } from '../util/log';
import type { VimClient } from '../vsphere/client';
import { collectSnapshot as collectFromServer } from '../vsphere/collect';
import { debug, warn, type Emit } from './events';

/** The snapshot an audit reads, and where it came from. */
export interface SnapshotInput {
  snapshot: Snapshot;
  sha256: string;
  source: 'live' | 'snapshot';
  file?: string;
}

/** Collects from the connected vCenter; progress and the collection's warnings are emitted. */
export async function collectSnapshot(
  client: VimClient,
  emit: Emit,
  options: { pageSize?: number } = {},
): Promise<Snapshot> {
  try {
    const snapshot = await collectFromServer(client, {
      log: { ...silentLogger, debug: (m) => debug(emit, m) },
      progress: (message) => emit({ type: 'progress', message }),
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    });
    emit({ type: 'progress-done' });
    for (const w of snapshot.warnings) warn(emit, w);
    return snapshot;
  } catch (err) {
    emit({ type: 'progress-done' });
    throw err;
  }
}

/** More reading in the same vCenter session after collection (group membership), recorded in the snapshot. */
export type SnapshotEnrichment = (client: VimClient, snapshot: Snapshot) => Promise<void>;

/** Collected live: the digest is that of the file `drperm collect` would write, so live and offline audits of the same data record the same SHA-256. */
export async function liveSnapshotInput(
  client: VimClient,
  emit: Emit,
  enrich?: SnapshotEnrichment,
): Promise<SnapshotInput> {
  const snapshot = await collectSnapshot(client, emit);
  await enrich?.(client, snapshot);
  return { snapshot, sha256: snapshotDigest(snapshot), source: 'live' };
}

export async function fileSnapshotInput(file: string, emit: Emit): Promise<SnapshotInput> {
  const loaded = await readSnapshot(file);
  debug(emit, `snapshot ${loaded.path} sha256 ${loaded.sha256}`);
  return { snapshot: loaded.snapshot, sha256: loaded.sha256, source: 'snapshot', file };
}

/** What `drperm collect` reports about the file it wrote. */
export interface CollectReport {
  path: string;
  sha256: string;
  vcenter: { url: string; fullName: string; instanceUuid: string };
  counts: {
    entities: number;
    virtualMachines: number;
    roles: number;
    permissions: number;
    privileges: number;
  };
  privilegeSource: Snapshot['privilegeSource'];
  /** Group membership recorded (--membership-from vcenter, --ldap). */
  membership?: { sources: string[]; groups: number; edges: number; unresolved: number };
  warnings: string[];
}

/** `drperm collect`: collect and write the snapshot file (default path under reports/). */
export async function collectToFile(
  client: VimClient,
  options: { out?: string; pageSize?: number; enrich?: SnapshotEnrichment },
  emit: Emit,
): Promise<CollectReport> {
  const snapshot = await collectSnapshot(client, emit, options);
  await options.enrich?.(client, snapshot);
  const path =
    options.out ?? defaultSnapshotPath('snapshot', client.url, new Date(snapshot.collectedAt));
  const sha256 = await writeSnapshot(path, snapshot);
  return {
    path,
    sha256,
    vcenter: {
      url: snapshot.source.url,
      fullName: snapshot.vcenter.fullName,
      instanceUuid: snapshot.vcenter.instanceUuid,
    },
    counts: {
      entities: snapshot.entities.length,
      virtualMachines: snapshot.entities.filter((e) => e.type === 'VirtualMachine').length,
      roles: snapshot.roles.length,
      permissions: snapshot.permissions.length,
      privileges: snapshot.privileges.length,
    },
    privilegeSource: snapshot.privilegeSource,
    ...(snapshot.membership
      ? {
          membership: {
            sources: snapshot.membership.sources.map((s) => `${s.kind} ${s.location}`),
            groups: snapshot.membership.groups.length,
            edges: snapshot.membership.edges.length,
            unresolved: snapshot.membership.unresolved.length,
          },
        }
      : {}),
    warnings: snapshot.warnings,
  };
}
