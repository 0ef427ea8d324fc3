/**
 * HTTPS transport for SOAP: the shared network layer (src/net: trust, keep-alive, timeouts,
 * gzip) with vCenter's own hints, and a bounded number of requests in flight (the call's
 * time limit starts when it leaves the queue, not while it waits for a turn).
 */
import { HttpsClient, type BodySink, type HttpHead } from '../net/http';
import { untrustedCertificateHint, type TrustPolicy } from '../net/tls';
import { ServerError } from '../util/errors';
import { Semaphore } from './semaphore';

export { NetworkError, type BodySink, type HttpHead, type HttpResponse } from '../net/http';

export interface TransportOptions {
  url: URL;
  trust: TrustPolicy;
  /** Bound of each call (request written, answer read). */
  timeoutMs: number;
  maxInFlight: number;
  /** Bound of TCP connect + TLS handshake (default: the network layer's). */
  connectTimeoutMs?: number;
}

const VCENTER_NETWORK_HINT =
  'check the --url (host, port, and the /sdk path), the network path to vCenter, and that vCenter is running; a slow vCenter may need a longer --timeout';

export class HttpsTransport {
  private readonly client: HttpsClient;
  private readonly inFlight: Semaphore;

  constructor(private readonly options: TransportOptions) {
    if (options.url.protocol !== 'https:') {
      throw new ServerError(`only https:// URLs are supported, got ${options.url.protocol}//`);
    }
    this.client = new HttpsClient({
      serverKind: 'vCenter',
      trust: options.trust,
      trustHint: untrustedCertificateHint('vCenter'),
      networkHint: VCENTER_NETWORK_HINT,
      callTimeoutMs: options.timeoutMs,
      ...(options.connectTimeoutMs === undefined
        ? {}
        : { connectTimeoutMs: options.connectTimeoutMs }),
      maxSockets: options.maxInFlight,
    });
    this.inFlight = new Semaphore(options.maxInFlight);
  }

  get url(): URL {
    return this.options.url;
  }

  /**
   * One POST attempt: `receive` gets the head and returns where the decompressed body goes, as
   * it streams in (for the streaming decoder). `what` names the call in messages (e.g. the
   * SOAP method). Resolves when the body has been taken; the turn in flight is held until
   * then. Rejects with NetworkError, TlsTrustError, or what the sink threw.
   */
  post(
    body: string,
    headers: Record<string, string>,
    what: string,
    receive: (head: HttpHead) => BodySink,
  ): Promise<void> {
    return this.inFlight.run(() =>
      this.client.exchange({ method: 'POST', url: this.options.url, headers, body, what }, receive),
    );
  }

  close(): void {
    this.client.close();
  }
}
