/**
 * HTTPS calls for every client (vCenter SOAP, NSX Manager REST): one keep-alive agent that
 * decides certificate trust (./agent), a bound on connect + handshake and on each whole call,
 * gzip asked for and decompressed as a stream, and failures as typed errors that name the
 * server and what was waited for. Hints are the client's own (each knows its flags).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { ServerError } from '../util/errors';
import { isPlainHttpReply, PLAIN_HTTP } from '../util/peer';
import { CONNECT_TIMEOUT_CODE, TrustCheckingAgent } from './agent';
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
  private readonly agent: TrustCheckingAgent;

  constructor(private readonly options: HttpsClientOptions) {
    this.agent = new TrustCheckingAgent({
      trust: options.trust,
      trustHint: options.trustHint,
      connectTimeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      maxSockets: options.maxSockets,
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
      const payload = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err === undefined) resolve();
        else {
          r.destroy();
          const error = toError(err);
          reject(error instanceof SinkError ? error.cause : error);
        }
      };
      // Whether the agent handed over a trusted socket: says what the wait was for.
      let connected = false;
      const timer = setTimeout(() => {
        const waitedFor = connected ? 'the answer' : 'the connection and TLS handshake';
        const err = new Error(
          `waited ${formatSeconds(callTimeoutMs)} for ${waitedFor} (--timeout, env DRPERM_TIMEOUT)`,
        ) as NodeJS.ErrnoException;
        err.code = CALL_TIMEOUT_CODE;
        settle(err);
      }, callTimeoutMs);
      // Options, not the URL: Node converts a URL on every call.
      const r = https.request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          path: url.pathname + url.search,
          method: req.method,
          agent: this.agent,
          headers: {
            ...req.headers,
            'Accept-Encoding': 'gzip',
            ...(payload ? { 'Content-Length': String(payload.length) } : {}),
          },
        },
        (res) => {
          let sink: BodySink;
          let source: Readable;
          try {
            source = decoded(res);
            sink = receive({ status: res.statusCode ?? 0, headers: res.headers });
          } catch (err) {
            settle(new SinkError(err));
            return;
          }
          res.on('error', settle);
          // Closed before its end: the server or the network cut the answer off.
          res.once('close', () => {
            if (!res.complete) settle(cutOff());
          });
          if (source !== res) source.on('error', settle);
          source.on('data', (chunk: Buffer) => {
            if (settled) return;
            let more: boolean;
            try {
              more = sink.data(chunk);
            } catch (err) {
              settle(new SinkError(err));
              return;
            }
            if (more) return;
            // The rest is not read: the connection cannot carry another call.
            settle();
            r.destroy();
          });
          source.on('end', () => settle());
        },
      );
      r.once('socket', () => (connected = true));
      r.on('error', settle);
      r.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function cutOff(): NodeJS.ErrnoException {
  return Object.assign(new Error('the connection closed before the answer was complete'), {
    code: 'ECONNRESET',
  });
}

/** The body as sent before compression; gzip (asked for) and deflate are undone as they stream in. */
function decoded(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity' || encoding === '') return res;
  const inflater: zlib.Gunzip | zlib.Inflate | undefined =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : undefined;
  if (inflater === undefined) {
    throw new ServerError(`the server sent a body in an encoding drperm cannot read: ${encoding}`);
  }
  return res.pipe(inflater);
}

export { CONNECT_TIMEOUT_CODE };
