/**
 * HTTPS for NSX Manager: the shared network layer (src/net: the same trust rules as the
 * vCenter client, keep-alive, connect/handshake and per-call timeouts, gzip) with NSX
 * Manager's own hints.
 */
import { HttpsClient, type HttpRequest, type HttpResponse } from '../net/http';
import { untrustedCertificateHint, type TrustPolicy } from '../net/tls';

export type { HttpRequest, HttpResponse };

const NSX_NETWORK_HINT =
  'check --nsx-url (or DRPERM_NSX_URL) and that the manager is reachable from here; a slow manager may need a longer --timeout';

export interface NsxTransportOptions {
  /** Bound of each call (request written, answer read). */
  timeoutMs: number;
  /** Bound of TCP connect + TLS handshake (default: the network layer's). */
  connectTimeoutMs?: number;
}

export class HttpsTransport {
  private readonly client: HttpsClient;

  constructor(policy: TrustPolicy, options: NsxTransportOptions) {
    this.client = new HttpsClient({
      serverKind: 'NSX Manager',
      trust: policy,
      trustHint: untrustedCertificateHint('NSX Manager'),
      networkHint: NSX_NETWORK_HINT,
      callTimeoutMs: options.timeoutMs,
      ...(options.connectTimeoutMs === undefined
        ? {}
        : { connectTimeoutMs: options.connectTimeoutMs }),
      maxSockets: 4,
    });
  }

  /** One attempt. Rejects with NetworkError or TlsTrustError; resolves with any HTTP status. */
  send(req: HttpRequest): Promise<HttpResponse> {
    return this.client.request(req);
  }

  close(): void {
    this.client.close();
  }
}
