import { resolveConnection } from '../../../src/cli/connection';
import { normaliseUrl } from '../../../src/ops/connect';
import { parsePageSize } from '../../../src/cli/commands/collect';
import { defaultSnapshotPath } from '../../../src/model/snapshot-file';
import { ExitCode, InputError } from '../../../src/util/errors';
import { redact, silentLogger } from '../../../src/util/log';

const noTty = { stdinIsTty: false };

describe('connection settings', () => {
  it('turns a bare host into https://host/sdk and splits off credentials', () => {
    expect(normaliseUrl('vc01.example.com')).toEqual({ url: 'https://vc01.example.com/sdk' });
    expect(normaliseUrl('https://vc01:8443/')).toEqual({ url: 'https://vc01:8443/sdk' });
    expect(normaliseUrl('https://u%40vsphere.local:p%3Aw@vc01/custom')).toEqual({
      url: 'https://vc01/custom',
      username: 'u@vsphere.local',
      password: 'p:w',
    });
    expect(() => normaliseUrl('http://vc01')).toThrow(/only https/);
  });

  it('prefers flags, then DRPERM_*, then GOVC_* variables', async () => {
    const env = {
      DRPERM_URL: 'drperm-vc',
      GOVC_URL: 'govc-vc',
      DRPERM_USERNAME: 'd-user',
      GOVC_USERNAME: 'g-user',
      GOVC_PASSWORD: 'g-pass',
      GOVC_INSECURE: '1',
    };
    expect(
      await resolveConnection({ username: 'flag-user' }, silentLogger, { env, ...noTty }),
    ).toEqual({
      url: 'https://drperm-vc/sdk',
      username: 'flag-user',
      password: 'g-pass',
      insecure: true,
      timeoutMs: 120_000,
    });
  });

  it('bounds each call by --timeout, else DRPERM_TIMEOUT, else 120 s; refuses a bad value', async () => {
    const env = { DRPERM_URL: 'vc', DRPERM_USERNAME: 'u', DRPERM_PASSWORD: 'pw-1' };
    const resolve = (flags: object, extra: NodeJS.ProcessEnv = {}) =>
      resolveConnection(flags, silentLogger, { env: { ...env, ...extra }, ...noTty });
    expect((await resolve({})).timeoutMs).toBe(120_000);
    expect((await resolve({}, { DRPERM_TIMEOUT: '30' })).timeoutMs).toBe(30_000);
    expect((await resolve({ timeout: '2' }, { DRPERM_TIMEOUT: '30' })).timeoutMs).toBe(2_000);
    await expect(resolve({ timeout: 'soon' })).rejects.toThrow(/--timeout "soon"/);
    await expect(resolve({}, { DRPERM_TIMEOUT: '-1' })).rejects.toThrow(/DRPERM_TIMEOUT "-1"/);
  });

  it('reuses a govc GOVC_URL with user:pass@ without ever printing the password', async () => {
    const env = {
      GOVC_URL: 'https://admin%40vsphere.local:S3cret!x@vc02/sdk',
      DRPERM_THUMBPRINT: 'ab'.repeat(32),
    };
    const c = await resolveConnection({}, silentLogger, { env, ...noTty });
    expect(c).toEqual({
      url: 'https://vc02/sdk',
      username: 'admin@vsphere.local',
      password: 'S3cret!x',
      thumbprint: 'ab'.repeat(32),
      timeoutMs: 120_000,
    });
    expect(redact(`connecting with S3cret!x`)).toBe('connecting with ***');
  });

  it('reads the password from stdin with --password-stdin, without the trailing newline handled by the reader', async () => {
    const env = { DRPERM_URL: 'vc', DRPERM_USERNAME: 'u', DRPERM_PASSWORD: 'from-env' };
    const c = await resolveConnection({ passwordStdin: true }, silentLogger, {
      env,
      readStdin: async () => 'from-stdin',
    });
    expect(c.password).toBe('from-stdin');
    await expect(
      resolveConnection({ passwordStdin: true }, silentLogger, { env, readStdin: async () => '' }),
    ).rejects.toThrow(/standard input was empty/);
  });

  it('prompts on a terminal and fails with exit 2 and a hint otherwise', async () => {
    const env = { DRPERM_URL: 'vc', DRPERM_USERNAME: 'u' };
    const prompted = await resolveConnection({}, silentLogger, {
      env,
      stdinIsTty: true,
      prompt: async (q) => (q.includes('u') ? 'typed' : ''),
    });
    expect(prompted.password).toBe('typed');
    const err = await resolveConnection({}, silentLogger, { env, ...noTty }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(ExitCode.Usage);
    expect((err as InputError).hint).toMatch(/DRPERM_PASSWORD.*--password-stdin/);
  });

  it('reports a missing URL, a bad boolean and a malformed thumbprint as usage errors', async () => {
    await expect(resolveConnection({}, silentLogger, { env: {}, ...noTty })).rejects.toThrow(
      /no vCenter URL/,
    );
    const base = { DRPERM_URL: 'vc', DRPERM_USERNAME: 'u', DRPERM_PASSWORD: 'p' };
    await expect(
      resolveConnection({}, silentLogger, { env: { ...base, DRPERM_INSECURE: 'maybe' }, ...noTty }),
    ).rejects.toThrow(InputError);
    await expect(
      resolveConnection({ thumbprint: 'AB:CD' }, silentLogger, { env: base, ...noTty }),
    ).rejects.toThrow(InputError);
  });
});

describe('collect command helpers', () => {
  it('names the default snapshot after the vCenter host and the UTC time', () => {
    expect(
      defaultSnapshotPath(
        'snapshot',
        'https://127.0.0.1:8989/sdk',
        new Date('2025-03-04T05:06:07.891Z'),
      ),
    ).toBe('reports/snapshot-127.0.0.1_8989-20250304T050607Z.json');
  });
  it('validates --page-size', () => {
    expect(parsePageSize(undefined)).toBe(1000);
    expect(parsePageSize('50')).toBe(50);
    expect(() => parsePageSize('0')).toThrow(InputError);
    expect(() => parsePageSize('ten')).toThrow(InputError);
  });
});
