import { parseNsxUrl, nsxError } from '../../../src/nsx/client';
import { resolveNsxConnection, type ResolveIo } from '../../../src/cli/nsx-connection';
import { InputError, ServerError } from '../../../src/util/errors';

function io(over: Partial<ResolveIo> = {}): ResolveIo & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    env: {},
    readStdin: () => Promise.reject(new Error('stdin not expected')),
    stdinIsTTY: false,
    prompt: () => Promise.reject(new Error('prompt not expected')),
    warn: (m) => warnings.push(m),
    warnings,
    ...over,
  };
}

describe('resolveNsxConnection', () => {
  it('takes URL, user and password from DRPERM_NSX_* and verifies TLS by default', async () => {
    const s = await resolveNsxConnection(
      {},
      io({
        env: {
          DRPERM_NSX_URL: 'https://nsx',
          DRPERM_NSX_USERNAME: 'cloudadmin',
          DRPERM_NSX_PASSWORD: 'pw-123',
        },
      }),
    );
    expect(s).toEqual({
      url: 'https://nsx',
      username: 'cloudadmin',
      password: 'pw-123',
      trust: { mode: 'verify' },
      timeoutMs: 120_000,
    });
  });

  it('bounds each call by --timeout, else DRPERM_TIMEOUT (the same setting as for vCenter)', async () => {
    const env = {
      DRPERM_NSX_URL: 'https://nsx',
      DRPERM_NSX_USERNAME: 'cloudadmin',
      DRPERM_NSX_PASSWORD: 'pw-123',
      DRPERM_TIMEOUT: '7',
    };
    expect((await resolveNsxConnection({}, io({ env }))).timeoutMs).toBe(7_000);
    expect((await resolveNsxConnection({ timeout: '2' }, io({ env }))).timeoutMs).toBe(2_000);
    await expect(resolveNsxConnection({ timeout: '0' }, io({ env }))).rejects.toThrow(/--timeout/);
  });

  it('prefers flags to the environment and reads the first line of stdin with --password-stdin', async () => {
    const s = await resolveNsxConnection(
      { nsxUrl: 'https://a', nsxUsername: 'u', passwordStdin: true },
      io({
        env: {
          DRPERM_NSX_URL: 'https://b',
          DRPERM_NSX_USERNAME: 'v',
          DRPERM_NSX_PASSWORD: 'env-pw',
        },
        readStdin: () => Promise.resolve('from-stdin\nignored\n'),
      }),
    );
    expect([s.url, s.username, s.password]).toEqual(['https://a', 'u', 'from-stdin']);
  });

  it('asks on a terminal when no password is given', async () => {
    const asked: string[] = [];
    const s = await resolveNsxConnection(
      { nsxUrl: 'https://a', nsxUsername: 'u' },
      io({ stdinIsTTY: true, prompt: (q) => (asked.push(q), Promise.resolve('typed-pw')) }),
    );
    expect(s.password).toBe('typed-pw');
    expect(asked).toEqual(['NSX password for u: ']);
  });

  it('refuses without a password and without a terminal', async () => {
    await expect(
      resolveNsxConnection({ nsxUrl: 'https://a', nsxUsername: 'u' }, io()),
    ).rejects.toThrow(/no NSX password given/);
  });

  it('refuses without URL or user', async () => {
    await expect(resolveNsxConnection({}, io())).rejects.toThrow(/no NSX Manager given/);
    await expect(resolveNsxConnection({ nsxUrl: 'https://a' }, io())).rejects.toThrow(
      /no NSX user given/,
    );
  });

  it('pins a thumbprint from DRPERM_NSX_THUMBPRINT and warns about --insecure', async () => {
    const sha1 = 'AB:'.repeat(19) + 'AB';
    const pinned = await resolveNsxConnection(
      { nsxUrl: 'https://a', nsxUsername: 'u' },
      io({ env: { DRPERM_NSX_PASSWORD: 'pw-1', DRPERM_NSX_THUMBPRINT: sha1 } }),
    );
    expect(pinned.trust).toEqual({
      mode: 'pin',
      thumbprint: { algorithm: 'sha1', hex: 'ab'.repeat(20) },
    });
    const i = io({ env: { DRPERM_NSX_PASSWORD: 'pw-1' } });
    const insecure = await resolveNsxConnection(
      { nsxUrl: 'https://a', nsxUsername: 'u', insecure: true },
      i,
    );
    expect(insecure.trust).toEqual({ mode: 'insecure' });
    expect(i.warnings.join()).toMatch(/not verified/);
  });
});

describe('parseNsxUrl', () => {
  it('accepts a bare host name as https and drops any path', () => {
    expect(parseNsxUrl('nsx.example.net').href).toBe('https://nsx.example.net/');
    expect(parseNsxUrl('https://nsx:8443/policy/api').href).toBe('https://nsx:8443/');
  });

  it('refuses http and embedded credentials', () => {
    expect(() => parseNsxUrl('http://nsx')).toThrow(InputError);
    expect(() => parseNsxUrl('https://admin:pw@nsx')).toThrow(/must not contain credentials/);
  });
});

describe('nsxError', () => {
  it('turns an NSX error body into one clear message', () => {
    const err = nsxError('PUT', '/policy/api/v1/aaa/roles/x', {
      status: 400,
      headers: {},
      body: JSON.stringify({
        error_code: 5045,
        module_name: 'AAA',
        error_message: 'Permissions exceed the current user',
        related_errors: [{ error_message: 'policy_t0=crud' }],
      }),
    });
    expect(err).toBeInstanceOf(ServerError);
    expect(err.message).toBe(
      'NSX Manager refused PUT /policy/api/v1/aaa/roles/x: Permissions exceed the current user (HTTP 400, error_code 5045, module AAA); related: policy_t0=crud',
    );
  });

  it('keeps a short excerpt of a body that is not JSON, and hints on 403', () => {
    const err = nsxError('GET', '/x', { status: 403, headers: {}, body: '<html>Forbidden</html>' });
    expect(err.message).toContain('<html>Forbidden</html> (HTTP 403)');
    expect(err.hint).toMatch(/lacks the permission/);
  });
});
