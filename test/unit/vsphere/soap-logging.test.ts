/**
 * --verbose shows SOAP bodies without secrets: the password however many times a server
 * escaped it when echoing the request, and the session key of LoginResponse (it works as the
 * session cookie). Without --verbose, no body is logged, redacted or even built.
 */
import * as logModule from '../../../src/util/log';
import { createLogger, redact, type Logger } from '../../../src/util/log';
import { VimClient } from '../../../src/vsphere/client';
import { sessionKeyOf } from '../../../src/vsphere/soap';
import { escapeXml } from '../../../src/vsphere/xml-build';
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

const PASSWORD = 'Echo&<Me>9';
const SESSION_KEY = '52c7e0d2-aa61-4f3e-9d1b-7b1e2f3a4c5d';

describe('SOAP logging', () => {
  let cert: TestCert;
  let server: TestServer;
  let respond: Responder = () => soapFault('InvalidRequest', 'unset');

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await startServer(cert, (req) => respond(req));
  });
  beforeEach(() => {
    server.received.length = 0;
  });
  afterAll(async () => {
    await server.close();
    cert.cleanup();
  });

  const connect = (log: Logger) =>
    VimClient.connect(
      { url: server.url, username: 'u', password: PASSWORD, thumbprint: cert.sha256 },
      log,
    );

  it('finds the session key in a LoginResponse', () => {
    expect(
      sessionKeyOf(
        `<LoginResponse><returnval><key>${SESSION_KEY}</key><userName>u</userName></returnval></LoginResponse>`,
      ),
    ).toBe(SESSION_KEY);
  });

  it('redacts the password echoed inside a fault, escaped twice and three times', async () => {
    respond = (req) => {
      const method = methodOf(req.body);
      if (method === 'RetrieveServiceContent') return soapOk(method, SERVICE_CONTENT);
      // A server that quotes the whole request in its fault text: escaped again, and again.
      const once = escapeXml(req.body);
      return soapFault('InvalidLogin', `cannot parse ${once} / ${escapeXml(once)}`);
    };
    const lines: string[] = [];
    await expect(
      connect(createLogger({ verbose: true, write: (l) => lines.push(l) })),
    ).rejects.toThrow();
    const leaks = [PASSWORD, escapeXml(PASSWORD), escapeXml(escapeXml(PASSWORD))];
    const log = lines.join('\n');
    for (const leak of leaks) expect(log).not.toContain(leak);
    expect(log).not.toMatch(/Echo/);
    // The fault exactly as this server sent it, whatever the log shows of it.
    const login = server.received.find((r) => methodOf(r.body) === 'Login')!;
    const once = escapeXml(login.body);
    const fault = soapFault('InvalidLogin', `cannot parse ${once} / ${escapeXml(once)}`).body;
    expect(fault).toContain(escapeXml(escapeXml(PASSWORD)));
    const shown = redact(String(fault));
    for (const leak of leaks) expect(shown).not.toContain(leak);
    expect(shown).not.toMatch(/Echo/);
  });

  it('redacts the session key of LoginResponse wherever it comes back', async () => {
    respond = (req) => {
      const method = methodOf(req.body);
      if (method === 'RetrieveServiceContent') return soapOk(method, SERVICE_CONTENT);
      if (method === 'Login')
        return soapOk(
          method,
          `<returnval><key>${SESSION_KEY}</key><userName>u</userName></returnval>`,
        );
      if (method === 'RetrievePropertiesEx') return soapOk(method, '');
      if (method === 'Logout') return soapOk(method, '');
      return soapFault('InvalidRequest', `unexpected ${method}`);
    };
    const lines: string[] = [];
    const client = await connect(createLogger({ verbose: true, write: (l) => lines.push(l) }));
    await client.logout();
    expect(lines.join('\n')).not.toContain(SESSION_KEY);
    // Registered as a secret: redacted in any line, error or echo from now on.
    expect(redact(`currentSession key ${SESSION_KEY}`)).toBe('currentSession key ***');
  });

  it('without --verbose, logs and redacts no request or response body', async () => {
    respond = (req) => {
      const method = methodOf(req.body);
      if (method === 'RetrieveServiceContent') return soapOk(method, SERVICE_CONTENT);
      if (method === 'Login')
        return soapOk(method, `<returnval><key>k-123</key><userName>u</userName></returnval>`);
      return soapOk(method, '');
    };
    const debugLines: string[] = [];
    const quiet: Logger = {
      verbose: false,
      debug: (m) => debugLines.push(m),
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const redactSpy = jest.spyOn(logModule, 'redact');
    try {
      const client = await connect(quiet);
      await client.logout();
      expect(debugLines.filter((l) => /request:|response:|<soapenv/.test(l))).toEqual([]);
      const redactedBodies = redactSpy.mock.calls.filter(([text]) => text.includes('<soapenv'));
      expect(redactedBodies).toEqual([]);
      expect(server.received.length).toBeGreaterThanOrEqual(3);
    } finally {
      redactSpy.mockRestore();
    }
  });
});
