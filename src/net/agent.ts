/**
 * A keep-alive HTTPS agent that completes the TLS handshake and judges the certificate
 * itself (./tls), so that thumbprint pinning works for self-signed certificates and no
 * request byte (least of all a password) is written to a server we do not trust. Connecting
 * and the handshake together are bounded by a timeout: a server that accepts the TCP
 * connection and never answers is given up on.
 */
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { formatSeconds } from './timeouts';
import { judgeCertificate, type TrustPolicy } from './tls';

export interface TrustCheckingAgentOptions {
  trust: TrustPolicy;
  /** The client's advice when the certificate is not trusted. */
  trustHint: string;
  connectTimeoutMs: number;
  maxSockets: number;
}

/** Node-style error for a connection or handshake that did not complete in time. */
export const CONNECT_TIMEOUT_CODE = 'ERR_CONNECT_TIMEOUT';

export class TrustCheckingAgent extends https.Agent {
  private readonly settings: TrustCheckingAgentOptions;

  constructor(settings: TrustCheckingAgentOptions) {
    super({ keepAlive: true, maxSockets: settings.maxSockets });
    this.settings = settings;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const { trust, trustHint, connectTimeoutMs } = this.settings;
    const host = `${options.hostname ?? options.host ?? 'server'}:${String(options.port ?? 443)}`;
    const connectOptions: tls.ConnectionOptions = {
      ...(options as tls.ConnectionOptions),
      // Judged below by judgeCertificate, which also handles pinning.
      rejectUnauthorized: false,
    };
    if (trust.mode === 'verify' && trust.ca) connectOptions.ca = trust.ca;
    const socket = tls.connect(connectOptions);
    let tcpConnected = false;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) socket.destroy();
      callback?.(err, socket);
    };
    const timer = setTimeout(() => {
      const what = tcpConnected
        ? `the TLS handshake with ${host} (the server accepted the connection but did not answer)`
        : `a TCP connection to ${host}`;
      const err = new Error(
        `waited ${formatSeconds(connectTimeoutMs)} for ${what}`,
      ) as NodeJS.ErrnoException;
      err.code = CONNECT_TIMEOUT_CODE;
      finish(err);
    }, connectTimeoutMs);
    socket.once('connect', () => (tcpConnected = true));
    socket.once('error', (err) => finish(err));
    socket.once('secureConnect', () =>
      finish(judgeCertificate(trust, host, socket, trustHint) ?? null),
    );
    return undefined;
  }
}
