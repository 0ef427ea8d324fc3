/**
 * Server certificate trust, for every client (vCenter and NSX Manager alike): verified against the system CAs (plus --ca-file) by default,
 * pinned by thumbprint when one is given (then the leaf must match, self-signed or not),
 * or not checked at all with --insecure. The decision is taken before any request byte
 * is written, so a password never reaches an untrusted server.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { InputError, ServerError } from '../util/errors';

export interface Thumbprint {
  algorithm: 'sha1' | 'sha256';
  /** Lower-case hex without separators. */
  hex: string;
}

/** Accepts govc's colon-separated form or bare hex, any case; SHA-1 (40 hex) or SHA-256 (64 hex). */
export function parseThumbprint(input: string): Thumbprint {
  const hex = input.trim().replace(/[:\s]/g, '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex)) return { algorithm: 'sha256', hex };
  if (/^[0-9a-f]{40}$/.test(hex)) return { algorithm: 'sha1', hex };
  throw new InputError(`--thumbprint "${input}" is not a SHA-256 or SHA-1 certificate thumbprint`, {
    hint: 'give 64 (SHA-256) or 40 (SHA-1) hex digits, with or without colons, e.g. as `govc about.cert -thumbprint` prints it',
  });
}

/** Colon-separated upper-case hex, as govc prints thumbprints. */
export function formatThumbprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

export function certificateThumbprint(der: Buffer, algorithm: Thumbprint['algorithm']): string {
  return createHash(algorithm).update(der).digest('hex');
}

export function thumbprintMatches(der: Buffer, pin: Thumbprint): boolean {
  return certificateThumbprint(der, pin.algorithm) === pin.hex;
}

export type TrustPolicy =
  | { mode: 'verify'; ca?: string[] }
  | { mode: 'pin'; thumbprint: Thumbprint }
  | { mode: 'insecure' };

export function trustPolicyFrom(options: {
  insecure?: boolean;
  caFile?: string;
  thumbprint?: string;
}): TrustPolicy {
  if (options.thumbprint !== undefined && options.thumbprint !== '') {
    return { mode: 'pin', thumbprint: parseThumbprint(options.thumbprint) };
  }
  if (options.insecure) return { mode: 'insecure' };
  if (options.caFile !== undefined && options.caFile !== '') {
    let pem: string;
    try {
      pem = readFileSync(options.caFile, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read --ca-file ${options.caFile}: ${(err as Error).message}`);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new InputError(`--ca-file ${options.caFile} holds no PEM certificate`);
    }
    // Added to, not instead of, the system CAs.
    return { mode: 'verify', ca: [...tls.rootCertificates, pem] };
  }
  return { mode: 'verify' };
}

/** The server's certificate was not trusted; the message shows its SHA-256 so the user can pin it. */
export class TlsTrustError extends ServerError {
  readonly serverThumbprintSha256?: string;
  constructor(message: string, serverThumbprintSha256?: string, hint?: string) {
    super(message, hint === undefined ? undefined : { hint });
    if (serverThumbprintSha256) this.serverThumbprintSha256 = serverThumbprintSha256;
  }
}

/** The hint for an untrusted certificate, worded for the kind of server (each client has its own). */
export function untrustedCertificateHint(serverKind: string): string {
  return `verify this thumbprint with your ${serverKind} administrator and pass it with --thumbprint, or pass the CA that signed the certificate with --ca-file (--insecure skips verification and is not recommended)`;
}

/**
 * Decides whether a freshly handshaken socket may be used. Returns an error to refuse it.
 * `authorized`/`authorizationError` are Node's chain + host name verdict; `trustHint` is the
 * client's own advice for a certificate that is not trusted.
 */
export function judgeCertificate(
  policy: TrustPolicy,
  host: string,
  socket: Pick<tls.TLSSocket, 'authorized' | 'authorizationError' | 'getPeerCertificate'>,
  trustHint: string,
): TlsTrustError | undefined {
  if (policy.mode === 'insecure') return undefined;
  const cert = socket.getPeerCertificate();
  const der = cert && cert.raw ? cert.raw : undefined;
  const serverSha256 = der ? formatThumbprint(certificateThumbprint(der, 'sha256')) : undefined;
  if (policy.mode === 'pin') {
    if (der && thumbprintMatches(der, policy.thumbprint)) return undefined;
    const label = policy.thumbprint.algorithm === 'sha1' ? 'SHA-1' : 'SHA-256';
    return new TlsTrustError(
      `the certificate of ${host} does not match the pinned ${label} thumbprint ${formatThumbprint(policy.thumbprint.hex)}; ` +
        `the server presented SHA-256 ${serverSha256 ?? '(no certificate)'}`,
      serverSha256,
      'if the certificate was replaced on purpose, verify the new thumbprint and pin it; otherwise do not connect',
    );
  }
  if (socket.authorized) return undefined;
  const reason = String(socket.authorizationError ?? 'unknown reason');
  return new TlsTrustError(
    `the TLS certificate of ${host} is not trusted (${describeTlsReason(reason)}). Server SHA-256 thumbprint: ${serverSha256 ?? '(none)'}`,
    serverSha256,
    trustHint,
  );
}

const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'signed by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'signed by an unknown CA',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is for a different host name',
};

export function describeTlsReason(code: string): string {
  return TLS_REASONS[code] ?? code;
}
