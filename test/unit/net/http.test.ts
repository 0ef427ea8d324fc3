/**
 * The shared HTTPS client against local servers that misbehave on purpose: one that accepts
 * TCP and never speaks, one that completes TLS and never answers HTTP, one that answers
 * gzip-compressed (or corrupt) bodies.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { HttpsClient, NetworkError, type HttpsClientOptions } from '../../../src/net/http';
import { shouldRetry, DEFAULT_RETRY } from '../../../src/net/retry';
import { makeSelfSignedCert, type TestCert } from '../vsphere/https-fixture';

function client(cert: TestCert, overrides: Partial<HttpsClientOptions> = {}): HttpsClient {
  return new HttpsClient({
    serverKind: 'Test Server',
    trust: { mode: 'pin', thumbprint: { algorithm: 'sha256', hex: cert.sha256 } },
    trustHint: 'trust hint',
    networkHint: 'network hint',
    callTimeoutMs: 5000,
    connectTimeoutMs: 5000,
    maxSockets: 2,
    ...overrides,
  });
}

async function listen(server: net.Server): Promise<URL> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`);
}

async function failure(promise: Promise<unknown>): Promise<NetworkError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NetworkError);
  return err as NetworkError;
}

describe('HttpsClient', () => {
  let cert: TestCert;
  beforeAll(() => (cert = makeSelfSignedCert()));
  afterAll(() => cert.cleanup());

  describe('against a server that accepts TCP and never answers', () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    let url: URL;
    beforeAll(async () => (url = await listen(server)));
    afterAll(async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    });

    it('gives up after the connect bound, naming the host and the TLS handshake, and is not retried', async () => {
      const c = client(cert, { connectTimeoutMs: 300 });
      try {
        const err = await failure(
          c.request({
            method: 'POST',
            url,
            headers: {},
            body: 'x',
            what: 'RetrieveServiceContent',
          }),
        );
        expect(err.code).toBe('ERR_CONNECT_TIMEOUT');
        expect(err.message).toContain(`Test Server ${url.host} (RetrieveServiceContent)`);
        expect(err.message).toContain(`TLS handshake with ${url.host}`);
        expect(err.message).toContain('0.3 s');
        expect(err.hint).toBe('network hint');
        expect(err.exitCode).toBe(3);
        expect(shouldRetry({ kind: 'network', code: err.code }, true, 1, DEFAULT_RETRY)).toBe(
          false,
        );
      } finally {
        c.close();
      }
    });
  });

  it('a call bound shorter than the connect bound says it waited for the connection', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    const url = await listen(server);
    const c = client(cert, { callTimeoutMs: 300, connectTimeoutMs: 5000 });
    try {
      const err = await failure(c.request({ method: 'GET', url, headers: {} }));
      expect(err.code).toBe('ERR_REQUEST_TIMEOUT');
      expect(err.message).toContain('waited 0.3 s for the connection and TLS handshake');
    } finally {
      c.close();
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });

  describe('against a TLS server', () => {
    type Handler = (req: IncomingMessage, res: ServerResponse) => void;
    let handler: Handler = () => undefined;
    const seen: IncomingHttpHeaders[] = [];
    let server: https.Server;
    let url: URL;
    beforeAll(async () => {
      server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
        seen.push(req.headers);
        handler(req, res);
      });
      url = await listen(server);
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    beforeEach(() => (seen.length = 0));

    it('bounds the whole call: a server that never answers HTTP fails after callTimeoutMs', async () => {
      handler = () => undefined; // reads the request, never answers
      const c = client(cert, { callTimeoutMs: 300 });
      try {
        const err = await failure(
          c.request({
            method: 'POST',
            url,
            headers: {},
            body: '<x/>',
            what: 'RetrievePropertiesEx',
          }),
        );
        expect(err.code).toBe('ERR_REQUEST_TIMEOUT');
        expect(err.message).toMatch(
          new RegExp(
            `Test Server ${url.host} \\(RetrievePropertiesEx\\): waited 0.3 s for the answer`,
          ),
        );
      } finally {
        c.close();
      }
    });

    it('bounds a body that stops half way, too', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.write('<partial>'); // and nothing more
      };
      const c = client(cert, { callTimeoutMs: 300 });
      try {
        const err = await failure(c.request({ method: 'GET', url, headers: {} }));
        expect(err.code).toBe('ERR_REQUEST_TIMEOUT');
        expect(err.message).toContain('(GET /sdk)');
      } finally {
        c.close();
      }
    });

    it('asks for gzip and hands the body decompressed, whole or as it streams in', async () => {
      const xml = `<answer>${'<item>caf\u00e9</item>'.repeat(5000)}</answer>`;
      handler = (req, res) => {
        const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding']));
        res.writeHead(200, gzip ? { 'Content-Encoding': 'gzip' } : {});
        res.end(gzip ? gzipSync(xml) : xml);
      };
      const c = client(cert);
      try {
        const whole = await c.request({ method: 'POST', url, headers: {}, body: 'q' });
        expect(whole.status).toBe(200);
        expect(whole.headers['content-encoding']).toBe('gzip');
        expect(whole.body).toBe(xml);
        const chunks: Buffer[] = [];
        await c.exchange({ method: 'POST', url, headers: {}, body: 'q' }, () => ({
          data: (chunk) => chunks.push(chunk) > 0,
        }));
        expect(chunks.length).toBeGreaterThan(1);
        expect(Buffer.concat(chunks).toString('utf8')).toBe(xml);
        expect(seen.map((h) => h['accept-encoding'])).toEqual(['gzip', 'gzip']);
      } finally {
        c.close();
      }
    });

    it('keeps connections alive: calls one after another go over one connection', async () => {
      handler = (req, res) => res.end(String(req.socket.remotePort));
      const c = client(cert);
      try {
        const ports = new Set<string>();
        for (let i = 0; i < 5; i++) {
          ports.add((await c.request({ method: 'POST', url, headers: {}, body: 'q' })).body);
        }
        expect(ports.size).toBe(1);
      } finally {
        c.close();
      }
    });

    it('opens at most maxSockets connections for calls in flight together', async () => {
      const ports = new Set<number | undefined>();
      let inFlight = 0;
      let most = 0;
      handler = (req, res) => {
        ports.add(req.socket.remotePort);
        most = Math.max(most, ++inFlight);
        setTimeout(() => {
          inFlight--;
          res.end('ok');
        }, 20);
      };
      const c = client(cert, { maxSockets: 3 });
      try {
        const calls = Array.from({ length: 12 }, () =>
          c.request({ method: 'POST', url, headers: {}, body: 'q' }),
        );
        expect((await Promise.all(calls)).map((r) => r.body)).toEqual(Array(12).fill('ok'));
        expect(most).toBe(3);
        expect(ports.size).toBe(3);
      } finally {
        c.close();
      }
    });

    it('goes on over a new connection when the server closed the idle one', async () => {
      handler = (req, res) => {
        res.end(String(req.socket.remotePort));
        req.socket.end(); // the server's keep-alive timeout, right after the answer
      };
      const c = client(cert);
      try {
        const first = await c.request({ method: 'GET', url, headers: {} });
        await new Promise((r) => setTimeout(r, 50));
        const second = await c.request({ method: 'GET', url, headers: {} });
        expect(second.status).toBe(200);
        expect(second.body).not.toBe(first.body);
      } finally {
        c.close();
      }
    });

    it('refuses a header value that would start another header, before connecting', async () => {
      handler = (_req, res) => res.end('ok');
      const c = client(cert);
      try {
        const err: unknown = await c
          .request({ method: 'GET', url, headers: { Cookie: 'a\r\nX-Injected: 1' } })
          .catch((e: unknown) => e);
        expect((err as Error).message).toMatch(/refusing to send the header "Cookie"/);
        expect(seen).toHaveLength(0);
      } finally {
        c.close();
      }
    });

    it('reads an uncompressed answer as it is', async () => {
      handler = (_req, res) => res.end('plain');
      const c = client(cert);
      try {
        expect((await c.request({ method: 'GET', url, headers: {} })).body).toBe('plain');
      } finally {
        c.close();
      }
    });

    it('turns a corrupt gzip body into a typed network error', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'Content-Encoding': 'gzip' });
        res.end(Buffer.from('this is not gzip at all'));
      };
      const c = client(cert);
      try {
        const err = await failure(c.request({ method: 'GET', url, headers: {}, what: 'a call' }));
        expect(err.message).toContain(`Test Server ${url.host} (a call)`);
      } finally {
        c.close();
      }
    });
  });
});
