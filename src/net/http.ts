/**
 * HTTPS calls for every client (vCenter SOAP, NSX Manager REST): keep-alive HTTP/1.1
 * connections (./http1-pool, ./http1-response) over TLS connections whose certificate drperm
 * judges itself (./connector), a bound on connect + handshake and on each whole call, gzip
 * asked for and undone as the body arrives, and failures as typed errors that name the server
 * and what was waited for. Hints are the client's own (each knows its flags).
 *
 * Not node:https: a call's bytes go from the socket to the caller's sink without a request
 * object, two streams and their events per call, which is what a write of one permission per
 * object spends its time on (README "Performance of apply").
 */
import type { IncomingHttpHeaders } from 'node:http';
import * as zlib from 'node:zlib';
import { ServerError } from '../util/errors';
import { isPlainHttpReply, PLAIN_HTTP } from '../util/peer';
import { CONNECT_TIMEOUT_CODE, TrustedConnector } from './connector';
import { ConnectionPool, type Http1Connection } from './http1-pool';
import { ResponseReader } from './http1-response';
import { CONNECT_TIMEOUT_MS, formatSeconds } from './timeouts';
import type { TrustPolicy } from './tls';

export interface HttpsClientOptions {
  /** Names the server in messages: `vCenter`, `NSX Manager`. */
  serverKind: string;
  trust: TrustPolicy;
  /** Advice when the certificate is not trusted. */
  trustHint: string;
  /** Advice when the server cannot be reached or does not answer. */
  networkHint: string;
  /** Bound of one whole call: request written, answer read to its end. */
  callTimeoutMs: number;
  /** Bound of TCP connect + TLS handshake (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Sockets kept open at once (requests beyond wait for one). */
  maxSockets: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** What the call is, for messages: e.g. `RetrieveServiceContent`, `GET /api/v1/aaa/roles`. */
  what?: string;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The status line and headers of an answer, before its body. */
export interface HttpHead {
  status: number;
  headers: IncomingHttpHeaders;
}

/**
 * Takes an answer's body as it arrives, already decompressed, in the order it came. `data`
 * returns false when it needs no more: the rest is not read and the connection is not
 * reused. Whatever it throws fails the call with that error.
 */
export interface BodySink {
  data(chunk: Buffer): boolean;
}

/** The call did not complete: no connection, reset, or a timeout. `code` is Node's error code. */
export class NetworkError extends ServerError {
  readonly code: string;
  constructor(message: string, code: string, hint: string, cause?: unknown) {
    super(message, { hint, cause });
    this.code = code;
  }
}

/** What a sink threw, carried past the network error wrapping. */
class SinkError extends Error {
  constructor(override readonly cause: unknown) {
    super('the body sink failed');
  }
}

/** Node-style error code of a call that took longer than its bound. */
export const CALL_TIMEOUT_CODE = 'ERR_REQUEST_TIMEOUT';

export class HttpsClient {
  private readonly connector: TrustedConnector;
  /** One pool per server (host:port). */
  private readonly pools = new Map<string, ConnectionPool>();

  constructor(private readonly options: HttpsClientOptions) {
    this.connector = new TrustedConnector({
      trust: options.trust,
      trustHint: options.trustHint,
      connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    });
  }

  /** One attempt, the body read whole. Rejects with NetworkError or TlsTrustError; any HTTP status resolves. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    let head: HttpHead = { status: 0, headers: {} };
    const chunks: Buffer[] = [];
    await this.exchange(req, (h) => {
      head = h;
      return { data: (chunk) => chunks.push(chunk) > 0 };
    });
    return { ...head, body: Buffer.concat(chunks).toString('utf8') };
  }

  /**
   * One attempt: `receive` is given the head once it is in and returns where the body goes;
   * resolves when the body has ended (or the sink wanted no more), the call's bound covering
   * all of it. Rejects with NetworkError, TlsTrustError, or what the sink threw.
   */
  exchange(req: HttpRequest, receive: (head: HttpHead) => BodySink): Promise<void> {
    const url = req.url;
    const what = req.what ?? `${req.method} ${url.pathname}`;
    const { callTimeoutMs, serverKind, networkHint } = this.options;
    const toError = (err: unknown): Error => {
      if (err instanceof ServerError || err instanceof SinkError) return err;
      const e = err as NodeJS.ErrnoException;
      const code = e.code ?? 'ERR_NETWORK';
      const detail =
        code === 'ECONNREFUSED'
          ? 'connection refused'
          : code === 'ENOTFOUND'
            ? 'host not found'
            : isPlainHttpReply(e)
              ? PLAIN_HTTP
              : e.message.trim();
      return new NetworkError(
        `cannot talk to ${serverKind} ${url.host} (${what}): ${detail}`,
        code,
        networkHint,
        err,
      );
    };
    return new Promise<void>((resolve, reject) => {
      let request: Buffer;
      try {
        request = requestBytes(req);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      let connection: Http1Connection | undefined;
      let inflater: zlib.Gunzip | zlib.Inflate | undefined;
      let settled = false;
      // The connection goes back to the pool once its answer is read, reusable or not.
      let returned = false;
      const giveBack = (reusable: boolean) => {
        if (returned || connection === undefined) return;
        returned = true;
        pool.release(connection, reusable);
      };
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inflater?.destroy();
        giveBack(false); // a no-op once the answer was read whole
        if (err === undefined) resolve();
        else {
          const error = toError(err);
          reject(error instanceof SinkError ? error.cause : error);
        }
      };
      const timer = setTimeout(() => {
        const waitedFor =
          connection !== undefined ? 'the answer' : 'the connection and TLS handshake';
        const err = new Error(
          `waited ${formatSeconds(callTimeoutMs)} for ${waitedFor} (--timeout, env DRPERM_TIMEOUT)`,
        ) as NodeJS.ErrnoException;
        err.code = CALL_TIMEOUT_CODE;
        settle(err);
      }, callTimeoutMs);
      let sink: BodySink | undefined;
      /** The (decompressed) body to the sink; false when the call is over. */
      const deliver = (piece: Buffer): boolean => {
        if (settled || sink === undefined) return false;
        let more: boolean;
        try {
          more = sink.data(piece);
        } catch (err) {
          settle(new SinkError(err));
          return false;
        }
        // The rest is not read: the connection cannot carry another call.
        if (!more) settle();
        return more;
      };
      const reader = new ResponseReader({
        head: (status, headers) => {
          try {
            inflater = inflaterFor(headers);
            sink = receive({ status, headers });
          } catch (err) {
            settle(new SinkError(err));
            return;
          }
          if (inflater) {
            inflater.on('data', deliver);
            inflater.on('error', settle);
            inflater.on('end', () => settle());
          }
        },
        body: (piece) => {
          if (inflater) inflater.write(piece);
          else deliver(piece);
        },
        done: (reusable) => {
          giveBack(reusable);
          if (inflater) inflater.end();
          else settle();
        },
      });
      const pool = this.poolFor(req.url);
      pool.acquire().then(
        (c) => {
          if (settled) {
            pool.release(c, true);
            return;
          }
          connection = c;
          c.send(request, {
            data: (bytes) => {
              try {
                reader.write(bytes);
              } catch (err) {
                settle(err);
              }
            },
            closed: () => {
              try {
                reader.end();
              } catch (err) {
                settle(err);
              }
            },
            error: settle,
          });
        },
        (err: unknown) => settle(err),
      );
    });
  }

  close(): void {
    for (const pool of this.pools.values()) pool.close();
  }

  private poolFor(url: URL): ConnectionPool {
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 443);
    const key = `${hostname}:${port}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new ConnectionPool(
        () => this.connector.connect(hostname, port),
        this.options.maxSockets,
      );
      this.pools.set(key, pool);
    }
    return pool;
  }
}

/** Field values that would end the header or start another: never sent. */
const UNSAFE_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The request as it goes on the wire: request line, headers, body (RFC 9112). */
function requestBytes(req: HttpRequest): Buffer {
  const payload = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  const fields: Record<string, string> = {
    Host: req.url.host,
    ...req.headers,
    'Accept-Encoding': 'gzip',
  };
  if (payload !== undefined) fields['Content-Length'] = String(payload.length);
  let head = `${req.method} ${req.url.pathname}${req.url.search} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(fields)) {
    if (!HEADER_NAME.test(name) || UNSAFE_HEADER_VALUE.test(value)) {
      throw new ServerError(
        `refusing to send the header ${JSON.stringify(name)}: it holds characters HTTP does not allow`,
      );
    }
    head += `${name}: ${value}\r\n`;
  }
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return payload === undefined ? headBytes : Buffer.concat([headBytes, payload]);
}

/** What undoes the body's content coding: gzip (asked for) and deflate; none for identity. */
function inflaterFor(headers: IncomingHttpHeaders): zlib.Gunzip | zlib.Inflate | undefined {
  const encoding = String(headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  throw new ServerError(`the server sent a body in an encoding drperm cannot read: ${encoding}`);
}

export { CONNECT_TIMEOUT_CODE };
