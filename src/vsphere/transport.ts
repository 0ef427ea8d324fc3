/**
 * HTTPS transport for SOAP: one keep-alive agent, a bounded number of requests in flight,
 * an overall per-request timeout, and certificate trust decided by ./tls before a socket is
 * handed to a request.
 */
import * as https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { ServerError } from '../util/errors';
import { isPlainHttpReply, PLAIN_HTTP } from '../util/peer';
import { Semaphore } from './semaphore';
import { judgeCertificate, type TrustPolicy } from './tls';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TransportOptions {
  url: URL;
  trust: TrustPolicy;
  timeoutMs: number;
  maxInFlight: number;
}

/** The request did not complete: no connection, reset, or timeout. `code` is Node's error code. */
export class NetworkError extends ServerError {
  readonly code: string;
  constructor(url: URL, code: string, detail: string, cause?: unknown) {
    const plain = isPlainHttpReply({ code, message: detail });
    super(`cannot talk to ${url.host}: ${plain ? PLAIN_HTTP : detail.trim()}`, {
      hint: 'check the --url (host, port, and the /sdk path), the network path to vCenter, and that vCenter is running',
      cause,
    });
    this.code = code;
  }
}

/**
 * An agent that completes the TLS handshake and checks the certificate itself, so that
 * thumbprint pinning works for self-signed certificates and nothing is written to a
 * socket before the decision.
 */
class TrustCheckingAgent extends https.Agent {
  constructor(
    private readonly trust: TrustPolicy,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = options.hostname ?? options.host ?? 'server';
    const connectOptions: tls.ConnectionOptions = {
      ...(options as tls.ConnectionOptions),
      rejectUnauthorized: false,
    };
    if (this.trust.mode === 'verify' && this.trust.ca) connectOptions.ca = this.trust.ca;
    const socket = tls.connect(connectOptions);
    const onError = (err: Error) => callback?.(err, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const refusal = judgeCertificate(
        this.trust,
        `${host}:${String(options.port ?? 443)}`,
        socket,
      );
      if (refusal) {
        socket.destroy();
        callback?.(refusal, socket);
        return;
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}

export class HttpsTransport {
  private readonly agent: https.Agent;
  private readonly inFlight: Semaphore;

  constructor(private readonly options: TransportOptions) {
    if (options.url.protocol !== 'https:') {
      throw new ServerError(`only https:// URLs are supported, got ${options.url.protocol}//`);
    }
    this.agent = new TrustCheckingAgent(options.trust, {
      keepAlive: true,
      maxSockets: options.maxInFlight,
    });
    this.inFlight = new Semaphore(options.maxInFlight);
  }

  get url(): URL {
    return this.options.url;
  }

  /** One POST attempt. Rejects with NetworkError, TlsTrustError, or resolves with any HTTP status. */
  post(body: string, headers: Record<string, string>): Promise<HttpResponse> {
    return this.inFlight.run(() => this.postNow(body, headers));
  }

  private postNow(body: string, headers: Record<string, string>): Promise<HttpResponse> {
    const url = this.options.url;
    return new Promise<HttpResponse>((resolve, reject) => {
      const payload = Buffer.from(body, 'utf8');
      const req = https.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { ...headers, 'Content-Length': String(payload.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => fail(err));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      const timer = setTimeout(() => {
        const err = new Error(
          `no answer within ${this.options.timeoutMs} ms`,
        ) as NodeJS.ErrnoException;
        err.code = 'ERR_REQUEST_TIMEOUT';
        req.destroy(err);
      }, this.options.timeoutMs);
      const fail = (err: unknown) => {
        clearTimeout(timer);
        if (err instanceof ServerError) return reject(err);
        const e = err as NodeJS.ErrnoException;
        reject(new NetworkError(url, e.code ?? 'ERR_NETWORK', e.message, err));
      };
      req.on('error', fail);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
