/**
 * writeSnapshot: the file is JSON.stringify(snapshot, null, 1) + '\n' made in pieces, its
 * digest is snapshotDigest's (a live audit records the same one), and a snapshot the schema
 * refuses is not written, the bad field named.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  snapshotDigest,
  snapshotIssues,
  snapshotText,
  writeSnapshot,
} from '../../../src/model/snapshot-file';
import type { Snapshot } from '../../../src/model/snapshot';
import { SnapshotBuilder } from '../audit/snapshot-builder';

function sample(): Snapshot {
  const b = new SnapshotBuilder();
  const dc = b.datacenter('DC0');
  const tenant = b.folder(dc.vmFolder, 'tenant "a"\n/b');
  const { rootPool } = b.cluster(dc, 'C0');
  for (let i = 0; i < 300; i++)
    b.permit(b.vm(tenant, rootPool, `vm-${i}`), 'VSPHERE.LOCAL\\asr', -2);
  return b.build();
}

describe('writeSnapshot', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'drperm-snapshot-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the JSON text of the snapshot and returns its SHA-256, the live digest', async () => {
    const snapshot = sample();
    const path = join(dir, 'out', 'snapshot.json');
    const sha256 = await writeSnapshot(path, snapshot);
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(JSON.stringify(snapshot, null, 1) + '\n');
    expect(text).toBe(snapshotText(snapshot));
    expect(sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(snapshotDigest(snapshot)).toBe(sha256);
  });

  it('refuses an invalid snapshot, naming the element and field, and writes nothing', async () => {
    const snapshot = sample();
    (snapshot.entities[3] as { ref: unknown }).ref = 7;
    (snapshot.permissions as unknown[]).push({ entity: '', principal: 'x' });
    expect(snapshotIssues(snapshot).join('\n')).toMatch(/^entities\[3\]\.ref: /m);
    expect(snapshotIssues(snapshot).join('\n')).toMatch(/^permissions\[\d+\]\.entity: /m);
    const path = join(dir, 'snapshot.json');
    await expect(writeSnapshot(path, snapshot)).rejects.toThrow(/entities\[3\]\.ref/);
    expect(existsSync(path)).toBe(false);
  });

  it('finds nothing wrong in a valid snapshot', () => {
    expect(snapshotIssues(sample())).toEqual([]);
  });
});
