import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../src/util/errors';
import { readJsonFile } from '../../../src/util/json-file';
import { readTextFile } from '../../../src/util/text-file';

const dir = mkdtempSync(join(tmpdir(), 'drperm-text-file-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

async function failure(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected a refusal');
}

describe('readTextFile', () => {
  const limits = { maxBytes: 1024 };

  it('reads UTF-8 text and drops a byte-order mark', async () => {
    expect(await readTextFile(file('ok.yaml', '\ufefftenant: x\n'), 'tenant file', limits)).toBe(
      'tenant: x\n',
    );
  });

  it('refuses an empty file, also one of blank lines only', async () => {
    for (const content of ['', '\n  \n']) {
      const p = file('empty.yaml', content);
      expect((await failure(readTextFile(p, 'tenant file', limits))).message).toBe(
        `tenant file ${p} is empty`,
      );
    }
  });

  it('refuses binary data, naming the offset of the first NUL byte', async () => {
    const p = file('bin.yaml', Buffer.from([0x74, 0x3a, 0x00, 0xff]));
    expect((await failure(readTextFile(p, 'tenant file', limits))).message).toBe(
      `tenant file ${p} is not a text file (binary data: a NUL byte at offset 2)`,
    );
  });

  it('refuses bytes that are not UTF-8', async () => {
    const p = file('latin1.yaml', Buffer.from('tenant: caf\xe9\n', 'latin1'));
    expect((await failure(readTextFile(p, 'tenant file', limits))).message).toMatch(
      /is not a text file \(not valid UTF-8\)$/,
    );
  });

  it('refuses a file above the limit before reading it', async () => {
    const p = file('big.yaml', 'x'.repeat(2048));
    expect((await failure(readTextFile(p, 'tenant file', limits))).message).toBe(
      `tenant file ${p} is 2 KiB; drperm reads tenant files of at most 1 KiB`,
    );
  });

  it('refuses a directory, a missing file and a FIFO (which would block a read forever)', async () => {
    const d = join(dir, 'adir');
    mkdirSync(d, { recursive: true });
    expect((await failure(readTextFile(d, 'snapshot', limits))).message).toBe(
      `snapshot ${d} is a directory, not a file`,
    );
    expect((await failure(readTextFile(join(dir, 'nope'), 'snapshot', limits))).message).toBe(
      `cannot read snapshot ${join(dir, 'nope')}: no such file or directory`,
    );
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect((await failure(readTextFile(fifo, 'snapshot', limits))).message).toMatch(
      /is not a regular file/,
    );
  });

  it('refuses a character device such as /dev/zero', async () => {
    expect((await failure(readTextFile('/dev/zero', 'snapshot', limits))).message).toMatch(
      /^snapshot \/dev\/zero is not a regular file/,
    );
  });
});

describe('readJsonFile', () => {
  it('refuses JSON whose top level is not an object, naming what it is', async () => {
    const p = file('null.json', 'null\n');
    expect((await failure(readJsonFile(p, 'snapshot'))).message).toBe(
      `snapshot ${p} is not a snapshot: its JSON is null, not an object`,
    );
    const q = file('list.json', '[1]');
    expect((await failure(readJsonFile(q, 'backup'))).message).toMatch(/its JSON is an array/);
  });

  it('names the file when the text is not JSON', async () => {
    const p = file('bad.json', '{"a": ');
    expect((await failure(readJsonFile(p, 'snapshot'))).message).toMatch(
      new RegExp(`^snapshot ${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not JSON: `),
    );
  });

  it('applies its size bound', async () => {
    const p = file('big.json', `{"a":"${'x'.repeat(100)}"}`);
    expect((await failure(readJsonFile(p, 'snapshot', 50))).message).toMatch(/at most 50 bytes$/);
  });
});
