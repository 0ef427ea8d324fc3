/** The NSX client against drperm's NSX Manager test server, in process. */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { NsxClient } from '../../../src/nsx/client';
import { AAA, collectNsx } from '../../../src/nsx/collect';
import { DEFAULT_RETRY } from '../../../src/net/retry';
import { ServerError } from '../../../src/util/errors';
import { silentLogger } from '../../../src/util/log';
import { trustPolicyFrom } from '../../../src/net/tls';
import { loadNsxFixture, startNsxServer, type RunningNsxServer } from '../../lab/nsx-server';

let server: RunningNsxServer;
beforeAll(async () => {
  server = await startNsxServer({ scenario: 'avs', pageSize: 4 });
});
afterAll(() => server.stop());
beforeEach(() => server.requests.splice(0));

const connect = (over: Partial<Parameters<typeof NsxClient.connect>[0]> = {}) =>
  NsxClient.connect({
    url: server.url,
    username: server.username,
    password: server.password,
    trust: trustPolicyFrom({ thumbprint: server.thumbprintSha256 }),
    log: silentLogger,
    pageSize: 4,
    ...over,
  });

async function withClient<T>(fn: (c: NsxClient) => Promise<T>, over = {}): Promise<T> {
  const c = await connect(over);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

const sessionCreates = () => server.requests.filter((r) => r.url === '/api/session/create').length;

it('collects features, roles and bindings through many pages with one session', async () => {
  const data = await withClient((c) => collectNsx(c, server.username, silentLogger));
  expect(data.features).toHaveLength(44);
  expect(data.features.filter((f) => f.internal).map((f) => f.id)).toEqual([
    'internal_corfu_admin',
    'internal_policy_realization',
  ]);
  expect(data.roles).toHaveLength(15);
  expect(data.bindings).toHaveLength(7);
  const cloudadmin = data.roles.find((r) => r.displayName === 'cloudadmin');
  expect(cloudadmin?.features).toHaveLength(44);
  expect(cloudadmin?.features.find((f) => f.feature === 'policy_t0')?.permission).toBe('read');
  expect(data.bindings.find((b) => b.name === 'jdoe@contoso.example')?.rolesForPaths).toEqual([
    { path: '/orgs/default/projects/contoso', roles: ['vpn_admin'] },
    { path: '/orgs/default/projects/fabrikam', roles: ['auditor'] },
  ]);
  expect(data.manager.version).toBe('4.1.1.0.0.22224312');
  expect(data.warnings).toEqual([]);
  const featurePages = server.requests.filter((r) =>
    r.url.startsWith(`${AAA}/features-with-properties`),
  );
  expect(featurePages).toHaveLength(11);
  expect(featurePages.filter((r) => r.url.includes('cursor='))).toHaveLength(10);
  expect(sessionCreates()).toBe(1);
  expect(
    server.requests
      .filter((r) => r.url !== '/api/session/create')
      .every((r) => r.auth === 'session'),
  ).toBe(true);
});

it('warns about a binding to a role the manager does not list', async () => {
  const fixture = loadNsxFixture('clean');
  fixture.bindings[0]!.roles_for_paths[0]!.roles.push({ role: 'retired_role' });
  const odd = await startNsxServer({ fixture });
  try {
    const c = await NsxClient.connect({
      url: odd.url,
      username: odd.username,
      password: odd.password,
      trust: trustPolicyFrom({ thumbprint: odd.thumbprintSha256 }),
      log: silentLogger,
    });
    const data = await collectNsx(c, odd.username, silentLogger).finally(() => c.close());
    expect(data.warnings).toEqual([
      'binding cloudadmin has role retired_role on /, which the manager did not list',
    ]);
  } finally {
    await odd.stop();
  }
});

it('logs in again once when the session expires mid-run', async () => {
  const data = await withClient(async (c) => {
    server.expireSessionsAfter(3);
    return collectNsx(c, server.username, silentLogger);
  });
  expect(data.features).toHaveLength(44);
  expect(sessionCreates()).toBe(2);
  expect(server.requests.filter((r) => r.status === 401)).toHaveLength(1);
});

it('gives up after one new session when the manager keeps refusing', async () => {
  server.failNext(`${AAA}/role-bindings`, 403, 98, 'Permission denied for role bindings');
  server.failNext(`${AAA}/role-bindings`, 403, 98, 'Permission denied for role bindings');
  const err = await withClient((c) => c.list(`${AAA}/role-bindings`)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ServerError);
  expect((err as ServerError).message).toContain(
    'Permission denied for role bindings (HTTP 403, error_code 98',
  );
  expect(sessionCreates()).toBe(2);
});

it('repeats a read the manager refused once with 503 (src/net/retry), and succeeds', async () => {
  server.failNext(`${AAA}/roles`, 503, 101, 'Service unavailable: the cluster is not stable');
  const role = await withClient((c) => c.get<{ role: string }>(`${AAA}/roles/auditor`));
  expect(role.role).toBe('auditor');
});

it('turns an NSX error body into a ServerError once the reads are used up', async () => {
  for (let i = 0; i < DEFAULT_RETRY.maxAttempts; i++) {
    server.failNext(`${AAA}/roles`, 503, 101, 'Service unavailable: the cluster is not stable');
  }
  const err = await withClient((c) => c.get(`${AAA}/roles/auditor`)).catch((e: unknown) => e);
  expect((err as ServerError).message).toBe(
    `NSX Manager refused GET ${AAA}/roles/auditor: Service unavailable: the cluster is not stable (HTTP 503, error_code 101, module common-services)`,
  );
});

it('refuses a wrong password clearly', async () => {
  await expect(connect({ password: 'wrong-password' })).rejects.toThrow(
    /refused the login of cloudadmin/,
  );
});

it('falls back to basic authentication when there is no session endpoint', async () => {
  const basic = await startNsxServer({ scenario: 'clean', sessionEndpoint: false });
  try {
    const c = await NsxClient.connect({
      url: basic.url,
      username: basic.username,
      password: basic.password,
      trust: trustPolicyFrom({ caFile: basic.certFile }),
      log: silentLogger,
    });
    try {
      expect(c.authKind).toBe('basic');
      const roles = await c.list<{ role: string }>(`${AAA}/roles`);
      expect(roles.length).toBe(14);
    } finally {
      c.close();
    }
    expect(basic.requests.slice(1).every((r) => r.auth === 'basic')).toBe(true);
  } finally {
    await basic.stop();
  }
});

function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method, ca: readFileSync(server.certFile), headers },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('the test server refuses a valid session cookie sent without its X-XSRF-TOKEN', async () => {
  const form = new URLSearchParams({
    j_username: server.username,
    j_password: server.password,
  }).toString();
  const login = await raw(
    'POST',
    '/api/session/create',
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    form,
  );
  expect(login.status).toBe(200);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const xsrf = String(login.headers['x-xsrf-token']);
  expect((await raw('GET', `${AAA}/roles`, { Cookie: cookie, 'X-XSRF-TOKEN': xsrf })).status).toBe(
    200,
  );
  expect((await raw('GET', `${AAA}/roles`, { Cookie: cookie })).status).toBe(403);
  expect((await raw('GET', `${AAA}/roles`, {})).status).toBe(401);
});

describe('TLS', () => {
  it('verifies the certificate by default and refuses the self-signed one before sending anything', async () => {
    await expect(connect({ trust: trustPolicyFrom({}) })).rejects.toThrow(
      /not trusted \(self-signed certificate\)/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('trusts the certificate given with --ca-file', async () => {
    await expect(
      withClient(async (c) => c.authKind, { trust: trustPolicyFrom({ caFile: server.certFile }) }),
    ).resolves.toBe('session');
  });

  it('accepts a SHA-1 pin in lower case', async () => {
    const trust = trustPolicyFrom({ thumbprint: server.thumbprintSha1.toLowerCase() });
    await expect(withClient(async (c) => c.authKind, { trust })).resolves.toBe('session');
  });

  it('refuses a certificate that does not match the pin, without sending the password', async () => {
    const wrong = server.thumbprintSha256.replace(
      /^../,
      server.thumbprintSha256.startsWith('00') ? '11' : '00',
    );
    await expect(connect({ trust: trustPolicyFrom({ thumbprint: wrong }) })).rejects.toThrow(
      /does not match the pinned SHA-256/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('connects with --insecure', async () => {
    await expect(
      withClient(async (c) => c.authKind, { trust: trustPolicyFrom({ insecure: true }) }),
    ).resolves.toBe('session');
  });
});
