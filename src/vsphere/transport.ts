/**
 * HTTPS transport for SOAP: the shared network layer (src/net: trust, keep-alive, timeouts,
 * gzip) with vCenter's own hints, and a bounded number of requests in flight (the call's
 * time limit starts when it leaves the queue, not while it waits for a turn).
 */
import { finished } from 'node:stream/promises';
import { HttpsClient, type HttpStreamResponse } from '../net/http';
import { untrustedCertificateHint, type TrustPolicy } from '../net/tls';
import { ServerError } from '../util/errors';
import { Semaphore } from './semaphore';

export { NetworkError, type HttpResponse, type HttpStreamResponse } from '../net/http';

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
   * One POST attempt; resolves once the headers are in and hands the decompressed body as a
   * stream (for the streaming decoder). `what` names the call in messages (e.g. the SOAP
   * method). Rejects with NetworkError, TlsTrustError; resolves with any status. The turn in
   * flight is held until the body is consumed or destroyed.
   */
  postStream(
    body: string,
    headers: Record<string, string>,
    what?: string,
  ): Promise<HttpStreamResponse> {
    return new Promise<HttpStreamResponse>((resolve, reject) => {
      void this.inFlight.run(async () => {
        let res: HttpStreamResponse;
        try {
          res = await this.client.stream({
            method: 'POST',
            url: this.options.url,
            headers,
            body,
            what,
          });
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        resolve(res);
        await finished(res.body).catch(() => undefined);
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
