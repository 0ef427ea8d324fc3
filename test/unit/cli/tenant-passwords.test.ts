/** Where tenant passwords come from: a file only its owner can read, one environment variable, or a prompt. */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tenantPasswords } from '../../../src/cli/tenant-passwords';
import { InputError } from '../../../src/util/errors';
import { redact } from '../../../src/util/log';

const TENANTS = [
  { tenant: 'contoso', principal: 'VSPHERE.LOCAL\\asr-contoso' },
  { tenant: 'fabrikam', principal: 'VSPHERE.LOCAL\\asr-fabrikam' },
];

function passwordFile(text: string, mode: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'drperm-pw-')), 'pw.yaml');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

const noTty = { env: {}, stdinIsTty: false };

describe('tenantPasswords', () => {
  it('reads a file readable by its owner only, and registers every password as a secret', async () => {
    const file = passwordFile("contoso: 'C&<1>pw'\nfabrikam: F-pw-2\nother: ignored\n", 0o600);
    const out = await tenantPasswords(TENANTS, { tenantPasswords: file }, noTty);
    expect([...out]).toEqual([
      ['contoso', 'C&<1>pw'],
      ['fabrikam', 'F-pw-2'],
    ]);
    expect(redact('login C&amp;&lt;1&gt;pw and F-pw-2')).toBe('login *** and ***');
  });

  it.each([0o640, 0o604, 0o666])('refuses a file with mode %o', async (mode) => {
    const file = passwordFile('contoso: x-secret\n', mode);
    const err = await tenantPasswords(TENANTS, { tenantPasswords: file }, noTty).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain('accessible to others');
    expect((err as InputError).hint).toBe(`make it readable by its owner only: chmod 600 ${file}`);
  });

  it('points at the line of a password that is not a string', async () => {
    const file = passwordFile('contoso: ok-pass\nfabrikam: [1, 2]\n', 0o400);
    await expect(tenantPasswords(TENANTS, { tenantPasswords: file }, noTty)).rejects.toThrow(
      /pw\.yaml:2/,
    );
  });

  it('DRPERM_TENANT_PASSWORD serves a single tenant only', async () => {
    const env = { DRPERM_TENANT_PASSWORD: 'only-one' };
    const one = await tenantPasswords(TENANTS.slice(0, 1), {}, { env, stdinIsTty: false });
    expect(one.get('contoso')).toBe('only-one');
    await expect(tenantPasswords(TENANTS, {}, { env, stdinIsTty: false })).rejects.toThrow(
      'DRPERM_TENANT_PASSWORD is for a single tenant; 2 are given',
    );
  });

  it('prompts per tenant on a terminal for what the file lacks', async () => {
    const file = passwordFile('contoso: from-file\n', 0o600);
    const asked: string[] = [];
    const out = await tenantPasswords(
      TENANTS,
      { tenantPasswords: file },
      {
        env: {},
        stdinIsTty: true,
        prompt: (q) => {
          asked.push(q);
          return Promise.resolve('typed-pw');
        },
      },
    );
    expect(asked).toEqual(['Password for VSPHERE.LOCAL\\asr-fabrikam (tenant fabrikam): ']);
    expect(out.get('fabrikam')).toBe('typed-pw');
    expect(out.get('contoso')).toBe('from-file');
  });

  it('without a terminal, names the tenants without a password and how to give one', async () => {
    const err = (await tenantPasswords(TENANTS, {}, noTty).catch((e: unknown) => e)) as InputError;
    expect(err.message).toBe('no password for the vCenter account of contoso, fabrikam');
    expect(err.hint).toContain('--tenant-passwords FILE');
  });
});
