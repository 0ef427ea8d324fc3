/**
 * HTTPS calls for every client (vCenter SOAP, NSX Manager REST): one keep-alive agent that
 * decides certificate trust (./agent), a bound on connect + handshake and on each whole call,
 * gzip asked for and decompressed as a stream, and failures as typed errors that name the
 * server and what was waited for. Hints are the client's own (each knows its flags).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import * as https from 'node:https';
import { PassThrough, type Readable } from 'node:stream';
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

/** An answer whose body is read as it arrives, already decompressed; the call's bound still applies. */
export interface HttpStreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** The call did not complete: no connection, reset, or a timeout. `code` is Node's error code. */
export class NetworkError extends ServerError {
  readonly code: string;
  constructor(message: string, code: string, hint: string, cause?: unknown) {
    super(message, { hint, cause });
    this.code = code;
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
    const res = await this.stream(req);
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    return {
      status: res.status,
      headers: res.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
  }

  /** One attempt; resolves when the status line and headers are in, the body follows as a stream. */
  stream(req: HttpRequest): Promise<HttpStreamResponse> {
    const url = req.url;
    const what = req.what ?? `${req.method} ${url.pathname}`;
    const { callTimeoutMs, serverKind, networkHint } = this.options;
    const toError = (err: unknown): Error => {
      if (err instanceof ServerError) return err;
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
    return new Promise<HttpStreamResponse>((resolve, reject) => {
      const payload = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      // The body handed out: errors reach the reader typed, whichever stream raised them.
      let body: PassThrough | undefined;
      const fail = (err: unknown) => {
        clearTimeout(timer);
        const error = toError(err);
        if (body === undefined) reject(error);
        else if (!body.destroyed) body.destroy(error);
      };
      // Whether the agent handed over a trusted socket: says what the wait was for.
      let connected = false;
      const timer = setTimeout(() => {
        const waitedFor = connected ? 'the answer' : 'the connection and TLS handshake';
        const err = new Error(
          `waited ${formatSeconds(callTimeoutMs)} for ${waitedFor} (--timeout, env DRPERM_TIMEOUT)`,
        ) as NodeJS.ErrnoException;
        err.code = CALL_TIMEOUT_CODE;
        fail(err);
        r.destroy();
      }, callTimeoutMs);
      const r = https.request(
        url,
        {
          method: req.method,
          agent: this.agent,
          headers: {
            ...req.headers,
            'Accept-Encoding': 'gzip',
            ...(payload ? { 'Content-Length': String(payload.length) } : {}),
          },
        },
        (res) => {
          let source: Readable;
          try {
            source = decoded(res);
          } catch (err) {
            res.destroy();
            fail(err);
            return;
          }
          const out = new PassThrough();
          body = out;
          res.on('error', fail);
          source.on('error', fail);
          out.once('end', () => clearTimeout(timer));
          out.once('close', () => clearTimeout(timer));
          source.pipe(out);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: out });
        },
      );
      r.once('socket', () => (connected = true));
      r.on('error', fail);
      r.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
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
