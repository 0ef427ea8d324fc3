/**
 * Opens the TLS connections every HTTPS call goes over, completing the handshake and judging
 * the certificate itself (./tls), so that thumbprint pinning works for self-signed
 * certificates and no request byte (least of all a password) is written to a server we do not
 * trust. Connecting and the handshake together are bounded by a timeout: a server that
 * accepts the TCP connection and never answers is given up on. A new connection resumes the
 * TLS session of one whose certificate was judged trusted, so the requests in flight do not
 * each pay a full handshake.
 */
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { formatSeconds } from './timeouts';
import { judgeCertificate, type TrustPolicy } from './tls';

export interface TrustedConnectorOptions {
  trust: TrustPolicy;
  /** The client's advice when the certificate is not trusted. */
  trustHint: string;
  connectTimeoutMs: number;
}

/** Node-style error for a connection or handshake that did not complete in time. */
export const CONNECT_TIMEOUT_CODE = 'ERR_CONNECT_TIMEOUT';

export class TrustedConnector {
  /**
   * The last session of a trusted connection, per host and port: its certificate was judged
   * when it was made. A connection that does not resume it is judged as any other.
   */
  private readonly sessions = new Map<string, Buffer>();
  /** One secure context for every connection (with a CA file, building one parses it). */
  private readonly context: tls.SecureContext | undefined;

  constructor(private readonly settings: TrustedConnectorOptions) {
    const { trust } = settings;
    if (trust.mode === 'verify' && trust.ca) {
      this.context = tls.createSecureContext({ ca: trust.ca });
    }
  }

  /** A judged, trusted connection to `hostname`:`port`; rejects with TlsTrustError or the network's error. */
  connect(hostname: string, port: number): Promise<tls.TLSSocket> {
    const { trust, trustHint, connectTimeoutMs } = this.settings;
    const host = `${hostname}:${port}`;
    const connectOptions: tls.ConnectionOptions = {
      host: hostname,
      port,
      // Judged below by judgeCertificate, which also handles pinning.
      rejectUnauthorized: false,
    };
    if (isIP(hostname) === 0) connectOptions.servername = hostname;
    if (this.context) connectOptions.secureContext = this.context;
    const session = this.sessions.get(host);
    if (session) connectOptions.session = session;
    return new Promise((resolve, reject) => {
      const socket = tls.connect(connectOptions);
      let tcpConnected = false;
      let done = false;
      let trusted = false;
      // TLS 1.2 sends its session with the handshake, TLS 1.3 its tickets after it: kept only
      // once this connection's certificate is judged trusted.
      let untrustedYet: Buffer | undefined;
      socket.on('session', (s: Buffer) => {
        if (trusted) this.sessions.set(host, s);
        else untrustedYet = s;
      });
      const finish = (err: Error | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) {
          socket.destroy();
          this.sessions.delete(host);
          reject(err);
          return;
        }
        trusted = true;
        if (untrustedYet) this.sessions.set(host, untrustedYet);
        resolve(socket);
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
        // A resumed session carries no certificate to judge: the server proved it holds the
        // keys of a session made with a server whose certificate was judged trusted.
        finish(
          session && socket.isSessionReused()
            ? null
            : (judgeCertificate(trust, host, socket, trustHint) ?? null),
        ),
      );
    });
  }
}
