/** Self-signed certificates for drperm's own test servers, made with the openssl CLI. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes a key and a self-signed certificate for localhost/127.0.0.1 into `dir`
 * (EC P-256: fast to make; valid two days).
 */
export function makeSelfSignedCertificate(
  dir: string,
  commonName: string,
): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}
