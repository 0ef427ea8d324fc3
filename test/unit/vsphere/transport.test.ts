/**
 * The SOAP transport over the shared network layer: gzip asked for and undone as the body
 * streams, and at most maxInFlight calls at a time, a call holding its turn until its body
 * is taken.
 */
import { gzipSync } from 'node:zlib';
import { HttpsTransport, type HttpHead } from '../../../src/vsphere/transport';
import { makeSelfSignedCert, startServer, type TestCert, type TestServer } from './https-fixture';

/** Posts and returns the head's headers and the body, as taken piece by piece. */
async function post(t: HttpsTransport, what: string, onPiece: () => void = () => undefined) {
  const chunks: Buffer[] = [];
  let headers: HttpHead['headers'] = {};
  await t.post('<q/>', {}, what, (head) => {
    headers = head.headers;
    return {
      data: (chunk) => {
        onPiece();
        return chunks.push(chunk) > 0;
      },
    };
  });
  return { headers, body: Buffer.concat(chunks).toString('utf8') };
}

describe('HttpsTransport (SOAP)', () => {
  let cert: TestCert;
  let server: TestServer;
  const xml = `<r>${'<v>x</v>'.repeat(2000)}</r>`;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await startServer(cert, () => ({ status: 200, body: xml }));
  });
  afterAll(async () => {
    await server.close();
    cert.cleanup();
  });

  const transport = (maxInFlight: number) =>
    new HttpsTransport({
      url: new URL(server.url),
      trust: { mode: 'pin', thumbprint: { algorithm: 'sha256', hex: cert.sha256 } },
      timeoutMs: 5000,
      maxInFlight,
    });

  it('asks for gzip and returns the body decompressed', async () => {
    const plain = server.respond;
    server.respond = (req) => ({
      status: 200,
      body: gzipSync(xml),
      headers: {
        'Content-Encoding': 'gzip',
        'X-Echo-Accept': String(req.headers['accept-encoding']),
      },
    });
    const t = transport(2);
    try {
      const res = await post(t, 'Test');
      expect(res.headers['x-echo-accept']).toBe('gzip');
      expect(res.body).toBe(xml);
    } finally {
      t.close();
      server.respond = plain;
    }
  });

  it('holds the turn in flight until the body is taken', async () => {
    const t = transport(1);
    const before = server.received.length;
    try {
      // While the first body arrives, the second call has not been sent.
      const sentDuringFirst: number[] = [];
      const [first, second] = await Promise.all([
        post(t, 'First', () => sentDuringFirst.push(server.received.length - before)),
        post(t, 'Second'),
      ]);
      expect(first.body).toBe(xml);
      expect(second.body).toBe(xml);
      expect(sentDuringFirst.length).toBeGreaterThan(0);
      expect(new Set(sentDuringFirst)).toEqual(new Set([1]));
      expect(server.received.length - before).toBe(2);
    } finally {
      t.close();
    }
  });
});
