/**
 * HTTPS for NSX Manager. Trust is decided by src/vsphere/tls.ts (the same rules as the
 * vCenter client: verified by default, --ca-file, --thumbprint pinning, --insecure), and the
 * decision is taken in the agent before the socket is handed to a request, so no request
 * byte (least of all the password) is written to a server we do not trust.
 */
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { ServerError } from '../util/errors';
import { isPlainHttpReply, PLAIN_HTTP } from '../util/peer';
import { judgeCertificate, TlsTrustError, type TrustPolicy } from '../vsphere/tls';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

const NSX_TRUST_HINT =
  'verify this thumbprint with your NSX Manager administrator and pass it with --thumbprint, or pass the CA that signed the certificate with --ca-file (--insecure skips verification and is not recommended)';

class TrustingAgent extends https.Agent {
  constructor(private readonly policy: TrustPolicy) {
    super({ keepAlive: true, maxSockets: 4 });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const host = options.hostname ?? options.host ?? 'localhost';
    const socket = tls.connect({
      host,
      port: Number(options.port ?? 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(this.policy.mode === 'verify' && this.policy.ca ? { ca: this.policy.ca } : {}),
      // Verified below with judgeCertificate, which also handles pinning.
      rejectUnauthorized: false,
    });
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      if (err) socket.destroy();
      callback?.(err, socket);
    };
    socket.once('secureConnect', () => {
      const refusal = judgeCertificate(this.policy, host, socket);
      finish(
        refusal
          ? new TlsTrustError(
              refusal.message,
              refusal.serverThumbprintSha256,
              nsxHint(refusal.hint),
            )
          : null,
      );
    });
    socket.once('error', (err) => finish(err));
    return undefined;
  }
}

/** judgeCertificate's generic hint names vCenter; keep the pinning hint, reword the generic one. */
function nsxHint(hint: string | undefined): string {
  return hint === undefined || hint.includes('vCenter') ? NSX_TRUST_HINT : hint;
}

export class HttpsTransport {
  private readonly agent: TrustingAgent;

  constructor(
    policy: TrustPolicy,
    private readonly timeoutMs = 60000,
  ) {
    this.agent = new TrustingAgent(policy);
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const r = https.request(
        req.url,
        {
          method: req.method,
          agent: this.agent,
          headers: { ...req.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (err) => reject(connectionError(req.url, err)));
        },
      );
      r.on('timeout', () => r.destroy(new Error(`no answer within ${this.timeoutMs / 1000}s`)));
      r.on('error', (err) =>
        reject(err instanceof ServerError ? err : connectionError(req.url, err)),
      );
      r.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function connectionError(url: URL, err: Error): ServerError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND'
        ? 'host not found'
        : isPlainHttpReply({ ...(code ? { code } : {}), message: err.message })
          ? PLAIN_HTTP
          : err.message.trim();
  return new ServerError(`cannot reach NSX Manager at ${url.origin}: ${why}`, {
    cause: err,
    hint: 'check --nsx-url (or DRPERM_NSX_URL) and that the manager is reachable from here',
  });
}
