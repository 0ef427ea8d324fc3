import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsxSnapshotText, readNsxSnapshot } from '../../../src/nsx/snapshot-file';
import { binding, CLOUDADMIN, nsxData } from './data';

const dir = mkdtempSync(join(tmpdir(), 'drperm-nsx-snap-'));

it('writes and reads back an NSX snapshot unchanged', async () => {
  const data = nsxData([CLOUDADMIN], [binding('g@corp', 'remote_group', { '/': ['auditor'] })]);
  const file = join(dir, 'nsx.json');
  writeFileSync(file, nsxSnapshotText(data));
  const loaded = await readNsxSnapshot(file);
  expect(loaded.nsx).toEqual(data);
  expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
});

it('refuses files that are not NSX snapshots, naming the command that makes one', async () => {
  const file = join(dir, 'other.json');
  writeFileSync(file, JSON.stringify({ format: 'something-else' }));
  await expect(readNsxSnapshot(file)).rejects.toMatchObject({
    message: expect.stringContaining('is not a drperm NSX snapshot'),
    hint: expect.stringContaining('drperm nsx collect'),
  });
});

it('names the field of an invalid snapshot', async () => {
  const file = join(dir, 'bad.json');
  const text = JSON.parse(nsxSnapshotText(nsxData([CLOUDADMIN]))) as {
    nsx: { roles: { features: { permission: string }[] }[] };
  };
  text.nsx.roles[0]!.features[0]!.permission = 'admin';
  writeFileSync(file, JSON.stringify(text));
  await expect(readNsxSnapshot(file)).rejects.toThrow(/nsx\.roles\[0\]\.features\[0\]\.permission/);
});
