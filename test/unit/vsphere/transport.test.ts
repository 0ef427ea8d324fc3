/**
 * The SOAP transport over the shared network layer: gzip asked for and undone as the body
 * streams, and at most maxInFlight calls at a time, a call holding its turn until its body
 * is read.
 */
import { gzipSync } from 'node:zlib';
import { HttpsTransport } from '../../../src/vsphere/transport';
import { makeSelfSignedCert, startServer, type TestCert, type TestServer } from './https-fixture';

async function text(body: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
      const res = await t.postStream('<q/>', {}, 'Test');
      expect(res.headers['x-echo-accept']).toBe('gzip');
      expect(await text(res.body)).toBe(xml);
    } finally {
      t.close();
      server.respond = plain;
    }
  });

  it('streams a body and holds the turn in flight until the body is read', async () => {
    const t = transport(1);
    try {
      const first = await t.postStream('<q/>', {}, 'First');
      let secondDone = false;
      const second = t.postStream('<q/>', {}, 'Second').then((r) => {
        secondDone = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(secondDone).toBe(false); // waits for the first body to be consumed
      expect(await text(first.body)).toBe(xml);
      expect(await text((await second).body)).toBe(xml);
    } finally {
      t.close();
    }
  });
});
