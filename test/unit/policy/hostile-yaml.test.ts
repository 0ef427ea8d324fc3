/** Policy files that used to crash or exhaust drperm: each is one clear InputError, at once. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTenantPolicy } from '../../../src/policy/tenant-policy';
import { InputError } from '../../../src/util/errors';

const dir = mkdtempSync(join(tmpdir(), 'drperm-hostile-yaml-'));
let n = 0;
const write = (content: string | Buffer) => {
  const p = join(dir, `t${n++}.yaml`);
  writeFileSync(p, content);
  return p;
};

const VALID = `tenant: contoso
mode: failback
account: { principal: 'VSPHERE.LOCAL\\asr-contoso' }
objects:
  datacenters: [/DC0]
  vms: { folders: [/DC0/vm/contoso] }
`;

async function refusal(file: string): Promise<string> {
  try {
    await loadTenantPolicy(file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(file);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

/** "Billion laughs": nine levels of nine aliases, 9^9 strings if expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\ntenant: x\n`;
}

describe('hostile tenant files', () => {
  it('loads the valid base file (the cases below differ from it only as stated)', async () => {
    expect((await loadTenantPolicy(write(VALID))).policy.tenant).toBe('contoso');
  });

  it('refuses a YAML alias bomb without expanding it', async () => {
    const started = Date.now();
    expect(await refusal(write(aliasBomb()))).toMatch(/YAML aliases expand too far/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses nesting deep enough to exhaust a recursive parser', async () => {
    const deep = `tenant: x\nobjects: ${'['.repeat(20000)}${']'.repeat(20000)}\n`;
    const message = await refusal(write(deep));
    expect(message).toMatch(/:2: nested too deeply for a policy file$/);
  });

  it('says that an empty file, or one of comments only, is empty', async () => {
    expect(await refusal(write(''))).toMatch(/^tenant file .* is empty$/);
    expect(await refusal(write('# just a comment\n'))).toMatch(
      /holds no YAML content \(only comments or blank lines\)$/,
    );
  });

  it('says what a top-level list or scalar is instead of "expected object, received null"', async () => {
    expect(await refusal(write('- a\n- b\n'))).toMatch(
      /expected a mapping of fields .*found a list/,
    );
    expect(await refusal(write('just words\n'))).toMatch(/found a string/);
  });

  it('refuses a binary file', async () => {
    expect(await refusal(write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0])))).toMatch(
      /is not a text file \(binary data/,
    );
  });

  it('refuses a principal holding control characters, escaped in the message', async () => {
    const file = write(
      VALID.replace("'VSPHERE.LOCAL\\asr-contoso'", '"VSPHERE.LOCAL\\\\asr\\e[2Jx"'),
    );
    const message = await refusal(file);
    expect(message).toMatch(
      /:3 account\.principal: "VSPHERE\.LOCAL\\asr\\x1b\[2Jx" holds a control character \(\\x1b at position 18\)/,
    );
    expect(message).not.toContain('\x1b');
  });

  it('refuses a control character in an NSX principal', async () => {
    const file = write(`${VALID}nsx: { principals: ["ok@x", "bad\\u0007@x"] }\n`);
    expect(await refusal(file)).toMatch(
      /nsx\.principals\[1\]: "bad\\x07@x" holds a control character/,
    );
  });

  it('refuses a file far beyond any tenant file by its size, before parsing it', async () => {
    const globs = Array.from({ length: 400000 }, (_, i) => `  - vm-${i}-*`).join('\n');
    const file = write(`${VALID}extra:\n${globs}\n`);
    const started = Date.now();
    expect(await refusal(file)).toMatch(
      /is \d+(\.\d)? MiB; drperm reads tenant files of at most 4 MiB$/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('bounds the number of name globs, each of which is tested against every VM', async () => {
    const globs = Array.from({ length: 1001 }, (_, i) => `'vm-${i}-*'`).join(', ');
    const file = write(
      VALID.replace('vms: { folders: [/DC0/vm/contoso] }', `vms: { names: [${globs}] }`),
    );
    expect(await refusal(file)).toMatch(
      /objects\.vms\.names: at most 1000 name globs; select large tenants by folder/,
    );
  });
});
