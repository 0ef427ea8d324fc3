/**
 * The HTTP/1.1 answer reader, fed the bytes of real answer shapes split at every byte: the
 * framings (Content-Length, chunked with extensions and trailers, up to the close), interim
 * 1xx answers, whether the connection can be reused, and the answers it refuses.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HttpProtocolError, ResponseReader } from '../../../src/net/http1-response';

interface Read {
  status?: number;
  headers?: IncomingHttpHeaders;
  body: string;
  reusable?: boolean;
  heads: number;
}

/** Feeds `pieces` in order; `closed`: then the connection closes. */
function read(pieces: readonly Buffer[], closed = false): Read {
  const out: Read = { body: '', heads: 0 };
  const chunks: Buffer[] = [];
  const reader = new ResponseReader({
    head: (status, headers) => {
      out.heads++;
      out.status = status;
      out.headers = headers;
    },
    body: (piece) => chunks.push(Buffer.from(piece)),
    done: (reusable) => (out.reusable = reusable),
  });
  for (const p of pieces) reader.write(p);
  if (closed) reader.end();
  out.body = Buffer.concat(chunks).toString('utf8');
  return out;
}

/** Every way of cutting `wire` in two, and byte by byte. */
function splits(wire: string): Buffer[][] {
  const bytes = Buffer.from(wire, 'utf8');
  const ways: Buffer[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) ways.push([bytes.subarray(0, i), bytes.subarray(i)]);
  ways.push([...bytes].map((b) => Buffer.from([b])));
  return ways;
}

const SOAP = '<?xml version="1.0"?><soapenv:Envelope>café ✓</soapenv:Envelope>';
const LENGTH = Buffer.byteLength(SOAP);

describe('ResponseReader', () => {
  it('reads a Content-Length answer, however it is split, and keeps the connection', () => {
    const wire =
      `HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${LENGTH}\r\n` +
      `Set-Cookie: vmware_soap_session="abc"; Path=/; HttpOnly\r\nSet-Cookie: other=1\r\n\r\n${SOAP}`;
    for (const pieces of splits(wire)) {
      const r = read(pieces);
      expect(r).toEqual({
        status: 200,
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          'content-length': String(LENGTH),
          'set-cookie': ['vmware_soap_session="abc"; Path=/; HttpOnly', 'other=1'],
        },
        body: SOAP,
        reusable: true,
        heads: 1,
      });
    }
  });

  it('reads a chunked answer with extensions and trailers, however it is split', () => {
    const a = SOAP.slice(0, 20);
    const b = SOAP.slice(20);
    const wire =
      'HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `${Buffer.byteLength(a).toString(16)};name=value\r\n${a}\r\n` +
      `${Buffer.byteLength(b).toString(16).toUpperCase()}\r\n${b}\r\n` +
      '0\r\nX-Trailer: t\r\n\r\n';
    for (const pieces of splits(wire)) {
      const r = read(pieces);
      expect([r.status, r.body, r.reusable]).toEqual([500, SOAP, true]);
    }
  });

  it('skips interim 1xx answers', () => {
    const wire = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${LENGTH}\r\n\r\n${SOAP}`;
    for (const pieces of splits(wire)) {
      const r = read(pieces);
      expect([r.heads, r.status, r.body]).toEqual([1, 200, SOAP]);
    }
  });

  it('reads a body without a length up to the close, and does not reuse the connection', () => {
    const r = read([Buffer.from(`HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${SOAP}`)], true);
    expect([r.body, r.reusable]).toEqual([SOAP, false]);
  });

  it('does not reuse a connection the server closes, or an HTTP/1.0 one', () => {
    const close = `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok`;
    expect(read([Buffer.from(close)]).reusable).toBe(false);
    expect(read([Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok')]).reusable).toBe(
      false,
    );
    const kept = 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok';
    expect(read([Buffer.from(kept)]).reusable).toBe(true);
  });

  it('ends an answer without a body (204, Content-Length 0) at its head', () => {
    expect(read([Buffer.from('HTTP/1.1 204 No Content\r\n\r\n')])).toMatchObject({
      status: 204,
      body: '',
      reusable: true,
    });
    expect(read([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')]).reusable).toBe(true);
  });

  it('says when the connection closed before the answer was complete', () => {
    const cut = `HTTP/1.1 200 OK\r\nContent-Length: ${LENGTH}\r\n\r\n${SOAP.slice(0, 10)}`;
    expect(() => read([Buffer.from(cut)], true)).toThrow(/closed before the answer was complete/);
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab';
    expect(() => read([Buffer.from(chunked)], true)).toThrow(/closed before/);
    expect(() => read([Buffer.from('HTTP/1.1 200 O')], true)).toThrow(/closed before/);
  });

  it('does not reuse a connection that sent more than the answer', () => {
    const r = read([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA')]);
    expect([r.body, r.reusable]).toEqual(['ok', false]);
  });

  it.each([
    [
      'a status line that is not HTTP',
      'SSH-2.0-OpenSSH_9.6\r\n\r\n',
      /not an HTTP\/1.x status line/,
    ],
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok', /content length/],
    [
      'a length that is not a number',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      /content length/,
    ],
    [
      'a chunk size that is not hex',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      /chunk size/,
    ],
    [
      'a chunk longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
      /does not end where its size says/,
    ],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nbroken\r\n\r\n', /not a header field/],
    ['folded header lines', 'HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n', /line folding/],
  ])('refuses %s', (_what, wire, message) => {
    let thrown: unknown;
    try {
      read([Buffer.from(wire)]);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpProtocolError);
    expect((thrown as Error).message).toMatch(message);
  });

  it('accepts repeated equal lengths, and refuses a head that never ends', () => {
    expect(read([Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok')]).body).toBe(
      'ok',
    );
    const endless = Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'y'.repeat(70 * 1024)}`);
    expect(() => read([endless])).toThrow(/headers exceed/);
  });
});
