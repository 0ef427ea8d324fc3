import { InputError } from '../../../src/util/errors';
import {
  formatThumbprint,
  parseThumbprint,
  TlsTrustError,
  trustPolicyFrom,
} from '../../../src/net/tls';
import { HttpsTransport } from '../../../src/vsphere/transport';
import {
  makeSelfSignedCert,
  startServer,
  type TestCert,
  type TestServer,
} from '../vsphere/https-fixture';

describe('thumbprint parsing', () => {
  const sha256 = 'ab'.repeat(32);
  it('accepts govc colon form and bare hex, any case', () => {
    expect(parseThumbprint(formatThumbprint(sha256))).toEqual({ algorithm: 'sha256', hex: sha256 });
    expect(parseThumbprint(sha256.toUpperCase())).toEqual({ algorithm: 'sha256', hex: sha256 });
    expect(parseThumbprint('AB:'.repeat(19) + 'AB')).toEqual({
      algorithm: 'sha1',
      hex: 'ab'.repeat(20),
    });
  });
  it('rejects anything else as a usage error', () => {
    expect(() => parseThumbprint('AB:CD')).toThrow(InputError);
    expect(() => parseThumbprint('zz'.repeat(32))).toThrow(/not a SHA-256 or SHA-1/);
  });
  it('formats like govc', () => {
    expect(formatThumbprint('0a1b2c')).toBe('0A:1B:2C');
  });
});

describe('certificate trust on a self-signed server', () => {
  let cert: TestCert;
  let server: TestServer;
  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await startServer(cert, () => ({ status: 200, body: 'ok' }));
  });
  afterAll(async () => {
    await server.close();
    cert.cleanup();
  });

  async function post(options: Parameters<typeof trustPolicyFrom>[0]) {
    const t = new HttpsTransport({
      url: new URL(server.url),
      trust: trustPolicyFrom(options),
      timeoutMs: 5000,
      maxInFlight: 2,
    });
    try {
      let status = 0;
      await t.post('<secret-body/>', {}, 'Test', (head) => {
        status = head.status;
        return { data: () => true };
      });
      return { status };
    } finally {
      t.close();
    }
  }

  it('is refused by default, with the server SHA-256 in the message, before any byte is sent', async () => {
    const before = server.received.length;
    const err = await post({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsTrustError);
    const e = err as TlsTrustError;
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('self-signed');
    expect(e.message).toContain(formatThumbprint(cert.sha256));
    expect(e.hint).toMatch(/--thumbprint.*--ca-file/);
    expect(server.received.length).toBe(before);
  });

  it('is accepted with the matching SHA-256 or SHA-1 thumbprint, in any notation', async () => {
    expect((await post({ thumbprint: formatThumbprint(cert.sha256) })).status).toBe(200);
    expect((await post({ thumbprint: cert.sha256.toUpperCase() })).status).toBe(200);
    expect((await post({ thumbprint: formatThumbprint(cert.sha1).toLowerCase() })).status).toBe(
      200,
    );
  });

  it('is refused with a wrong thumbprint, even together with --insecure', async () => {
    const before = server.received.length;
    const wrong = '00'.repeat(32);
    const err = await post({ thumbprint: wrong, insecure: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsTrustError);
    expect((err as Error).message).toContain('does not match the pinned SHA-256');
    expect(server.received.length).toBe(before);
  });

  it('is accepted with --ca-file holding the certificate, or with --insecure', async () => {
    expect((await post({ caFile: cert.certFile })).status).toBe(200);
    expect((await post({ insecure: true })).status).toBe(200);
  });

  it('reports an unreadable --ca-file as a usage error', () => {
    expect(() => trustPolicyFrom({ caFile: '/nonexistent/ca.pem' })).toThrow(InputError);
  });
});
