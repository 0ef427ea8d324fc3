import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWritableDir, checkWritableFile } from '../../../src/util/out-path';

const dir = mkdtempSync(join(tmpdir(), 'drperm-out-path-'));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'x');

describe('checkWritableDir', () => {
  it('accepts an existing directory and one that can be created, creating nothing', async () => {
    await checkWritableDir(dir, '--out');
    await checkWritableDir(join(dir, 'new', 'deeper'), '--out');
    expect(existsSync(join(dir, 'new'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it('refuses a file given as the directory', async () => {
    await expect(checkWritableDir(aFile, '--backup-dir')).rejects.toThrow(
      `--backup-dir ${aFile} is a file, not a directory`,
    );
  });

  it('refuses a directory that would sit under a file', async () => {
    await expect(checkWritableDir(join(aFile, 'reports', 'x'), '--out')).rejects.toThrow(
      `--out ${join(aFile, 'reports', 'x')} cannot be created: ${aFile} is a file, not a directory`,
    );
  });
});

describe('checkWritableFile', () => {
  it('refuses a directory given as the output file', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    await expect(checkWritableFile(sub, '--out')).rejects.toThrow(
      `--out ${sub} is a directory, not a file`,
    );
  });

  it('checks the directory the file goes into', async () => {
    await expect(checkWritableFile(join(aFile, 'snap.json'), '--out')).rejects.toThrow(
      /a-file is a file, not a directory/,
    );
    await checkWritableFile(join(dir, 'later', 'snap.json'), '--out');
  });
});
