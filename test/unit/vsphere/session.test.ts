import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/util/log';
import { VimClient } from '../../../src/vsphere/client';
import { NoPermissionFault, NotAuthenticatedFault } from '../../../src/vsphere/faults';
import { withSession } from '../../../src/vsphere/session';
import {
  makeSelfSignedCert,
  methodOf,
  SERVICE_CONTENT,
  soapFault,
  soapOk,
  startServer,
  type Responder,
  type TestCert,
  type TestServer,
} from './https-fixture';

const PASSWORD = 'Pa$$w0rd&<unit>';
const COOKIE = '"52f0c8a5e1d3b7a9c6e4f2d0b8a6c4e2"';
const PERMISSION =
  '<returnval><entity type="Folder">group-d1</entity><principal>VSPHERE.LOCAL\\a</principal><group>false</group><roleId>-1</roleId><propagate>true</propagate></returnval>';

/** A fake vCenter: the session methods answer normally; `extra` scripts the others. */
function vcenter(
  extra: (method: string, n: number) => ReturnType<Responder> | undefined,
): Responder {
  const counts = new Map<string, number>();
  return (req) => {
    const method = methodOf(req.body);
    const n = (counts.get(method) ?? 0) + 1;
    counts.set(method, n);
    const scripted = extra(method, n);
    if (scripted) return scripted;
    if (method === 'RetrieveServiceContent') return soapOk(method, SERVICE_CONTENT);
    if (method === 'Login') {
      const ok = soapOk(method, '<returnval><key>k</key><userName>u</userName></returnval>');
      return {
        ...ok,
        headers: { 'Set-Cookie': `vmware_soap_session=${COOKIE}; Path=/; HttpOnly; Secure` },
      };
    }
    if (method === 'Logout' || method === 'DestroyView' || method === 'CancelRetrievePropertiesEx')
      return soapOk(method, '');
    if (method === 'RetrievePropertiesEx' && req.body.includes('VpxSettings'))
      return soapOk(method, '');
    return soapFault('InvalidRequest', `unexpected ${method}`);
  };
}

describe('VimClient session, retries and logging', () => {
  let cert: TestCert;
  let server: TestServer;
  const lines: string[] = [];
  const log = createLogger({ verbose: true, write: (l) => lines.push(l) });
  const fast = { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } };

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await startServer(
      cert,
      vcenter(() => undefined),
    );
  });
  afterAll(async () => {
    await server.close();
    cert.cleanup();
  });
  beforeEach(() => {
    server.received.length = 0;
    lines.length = 0;
  });

  const options = () => ({
    url: server.url,
    username: 'u',
    password: PASSWORD,
    thumbprint: cert.sha256,
  });
  const methods = () => server.received.map((r) => methodOf(r.body));

  it('retries a read-only call after 503, sends the session cookie, and never logs secrets', async () => {
    server.respond = vcenter((m, n) =>
      m === 'RetrieveAllPermissions' && n === 1
        ? { status: 503, body: 'busy' }
        : m === 'RetrieveAllPermissions'
          ? soapOk(m, PERMISSION)
          : undefined,
    );
    const client = await VimClient.connect(options(), log, fast);
    const perms = await client.retrieveAllPermissions();
    await client.logout();
    expect(perms).toEqual([
      {
        entity: { type: 'Folder', value: 'group-d1' },
        principal: 'VSPHERE.LOCAL\\a',
        group: false,
        roleId: -1,
        propagate: true,
      },
    ]);
    expect(methods().filter((m) => m === 'RetrieveAllPermissions')).toHaveLength(2);
    const afterLogin = server.received.slice(methods().indexOf('Login') + 1);
    expect(afterLogin.every((r) => r.headers.cookie === `vmware_soap_session=${COOKIE}`)).toBe(
      true,
    );
    const logText = lines.join('\n');
    // One line per call, never a body (bodies go to --debug-dir files only).
    expect(logText).toMatch(/soap Login: HTTP 200 in \d+ ms, \d+ bytes/);
    expect(logText).not.toContain('<soapenv:');
    expect(logText).toMatch(/soap RetrieveAllPermissions: HTTP 503 in \d+ ms/);
    expect(logText).not.toContain(PASSWORD);
    expect(logText).not.toContain('Pa$$w0rd&amp;&lt;unit&gt;');
    expect(logText).not.toContain(COOKIE.replace(/"/g, ''));
  });

  it('keeps the password out of the verbose log when a fault echoes it in numeric character references', async () => {
    // Go's XML encoder writes `&#38;` and `&#60;` where our own builder writes `&amp;` and `&lt;`.
    const echoed = 'Pa$$w0rd&#38;&#60;unit&#62;';
    server.respond = vcenter((m) =>
      m === 'RetrieveAllPermissions'
        ? soapFault(
            'InvalidRequest',
            `cannot parse request: <password>${echoed}</password> ${echoed}`,
          )
        : undefined,
    );
    const debugDir = mkdtempSync(join(tmpdir(), 'drperm-debug-dir-'));
    const client = await VimClient.connect({ ...options(), debugDir }, log, fast);
    const err = await client.retrieveAllPermissions().catch((e: unknown) => e as Error);
    await client.logout();
    expect(err).toBeInstanceOf(Error);
    const files = readdirSync(debugDir).sort();
    expect(files).toContain('0002-Login.req.xml');
    const response = files.find((f) => /-RetrieveAllPermissions\.res\.xml$/.test(f))!;
    const bodies = files.map((f) => readFileSync(join(debugDir, f), 'utf8')).join('\n');
    expect(readFileSync(join(debugDir, response), 'utf8')).toContain('cannot parse request');
    expect(readFileSync(join(debugDir, '0002-Login.req.xml'), 'utf8')).toContain(
      '<password>***</password>',
    );
    expect(bodies).not.toContain('w0rd');
    expect(lines.join('\n')).not.toContain('w0rd');
  });

  it('does not retry a write after 503', async () => {
    server.respond = vcenter((m) =>
      m === 'SetEntityPermissions' ? { status: 503, body: 'busy' } : undefined,
    );
    const client = await VimClient.connect(options(), log, fast);
    await expect(client.setEntityPermissions({ type: 'Folder', value: 'f' }, [])).rejects.toThrow(
      /HTTP 503/,
    );
    await client.logout();
    expect(methods().filter((m) => m === 'SetEntityPermissions')).toHaveLength(1);
  });

  it('logs in again once when the session is no longer authenticated', async () => {
    server.respond = vcenter((m, n) =>
      m === 'RetrieveAllPermissions'
        ? n === 1
          ? soapFault('NotAuthenticated', 'The session is not authenticated.')
          : soapOk(m, PERMISSION)
        : undefined,
    );
    const client = await VimClient.connect(options(), log, fast);
    expect(await client.retrieveAllPermissions()).toHaveLength(1);
    await client.logout();
    expect(methods()).toEqual([
      'RetrieveServiceContent',
      'Login',
      'RetrievePropertiesEx',
      'RetrieveAllPermissions',
      'Login',
      'RetrieveAllPermissions',
      'Logout',
    ]);
  });

  it('calls that lose the session together log in again once, and a second NotAuthenticated is not retried', async () => {
    server.respond = vcenter((m, n) =>
      m === 'RetrieveAllPermissions'
        ? n <= 2
          ? soapFault('NotAuthenticated', 'The session is not authenticated.')
          : soapOk(m, PERMISSION)
        : undefined,
    );
    const client = await VimClient.connect(options(), log, fast);
    const both = await Promise.all([
      client.retrieveAllPermissions(),
      client.retrieveAllPermissions(),
    ]);
    expect(both.map((r) => r.length)).toEqual([1, 1]);
    expect(methods().filter((m) => m === 'Login')).toHaveLength(2);

    server.received.length = 0;
    server.respond = vcenter((m) =>
      m === 'RetrieveAllPermissions'
        ? soapFault('NotAuthenticated', 'The session is not authenticated.')
        : undefined,
    );
    await expect(client.retrieveAllPermissions()).rejects.toBeInstanceOf(NotAuthenticatedFault);
    await client.logout();
    expect(methods()).toEqual([
      'RetrieveAllPermissions',
      'Login',
      'RetrieveAllPermissions',
      'Logout',
    ]);
  });

  it('with finishOnSignal, Ctrl-C lets the work finish and report, then logs out', async () => {
    server.respond = vcenter((m) =>
      m === 'RetrieveAllPermissions' ? soapOk(m, PERMISSION) : undefined,
    );
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const seen = await withSession(
        options(),
        log,
        async (c, control) => {
          process.emit('SIGINT', 'SIGINT');
          expect(control.interrupted.aborted).toBe(true);
          // The work goes on to the end of what is in flight.
          return (await c.retrieveAllPermissions()).length;
        },
        { finishOnSignal: true },
      );
      expect(seen).toBe(1);
      expect(exit).not.toHaveBeenCalled();
      expect(methods().slice(-2)).toEqual(['RetrieveAllPermissions', 'Logout']);
      expect(process.listenerCount('SIGINT')).toBe(0);
    } finally {
      exit.mockRestore();
    }
  });

  it('withSession logs out when the work fails, and the typed fault reaches the caller', async () => {
    server.respond = vcenter((m) =>
      m === 'RetrieveAllPermissions'
        ? soapFault(
            'NoPermission',
            'denied',
            '<object type="Folder">group-d1</object><privilegeId>System.View</privilegeId>',
          )
        : undefined,
    );
    const err = await withSession(options(), log, (c) => c.retrieveAllPermissions()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoPermissionFault);
    expect((err as NoPermissionFault).privilegeIds).toEqual(['System.View']);
    expect(methods().at(-1)).toBe('Logout');
  });

  it('pages a container view, and cancels the token and destroys the view when abandoned', async () => {
    let page = 1;
    const obj = (i: number) =>
      `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">vm ${i}</val></propSet></objects>`;
    server.respond = vcenter((m) => {
      if (m === 'CreateContainerView')
        return soapOk(m, '<returnval type="ContainerView">session[1]view</returnval>');
      if (m === 'RetrievePropertiesEx') return undefined;
      if (m === 'ContinueRetrievePropertiesEx') {
        page++;
        return soapOk(m, `<returnval><token>${page}</token>${obj(page)}</returnval>`);
      }
      return undefined;
    });
    const base = server.respond;
    server.respond = (req) =>
      methodOf(req.body) === 'RetrievePropertiesEx' && req.body.includes('ContainerView')
        ? soapOk('RetrievePropertiesEx', `<returnval><token>1</token>${obj(1)}</returnval>`)
        : base(req);
    const client = await VimClient.connect(options(), log, fast);
    const seen: string[] = [];
    await client.viewObjects(
      { type: 'Folder', value: 'group-d1' },
      {
        types: ['VirtualMachine'],
        propSet: [{ type: 'VirtualMachine', pathSet: ['name'] }],
        pageSize: 1,
      },
      (o) => {
        seen.push(String(o.props.get('name')));
        return seen.length < 2; // stop after two
      },
    );
    await client.logout();
    expect(seen).toEqual(['vm 1', 'vm 2']);
    const tail = methods().slice(-4);
    expect(tail).toEqual([
      'ContinueRetrievePropertiesEx',
      'CancelRetrievePropertiesEx',
      'DestroyView',
      'Logout',
    ]);
    expect(
      server.received.find((r) => methodOf(r.body) === 'CancelRetrievePropertiesEx')!.body,
    ).toContain('<token>3</token>'); // the page fetched ahead (3) is the one left open
    expect(
      server.received.find(
        (r) => methodOf(r.body) === 'RetrievePropertiesEx' && r.body.includes('ContainerView'),
      )!.body,
    ).toContain('<maxObjects>1</maxObjects>');
  });
});
