/**
 * A throw-away certificate authority for the test directory: a CA certificate and a server
 * certificate it signs for localhost / 127.0.0.1, made with the openssl CLI. drperm is given
 * only the CA (--ldap-ca-file), as an auditor would be given their company's CA.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  caFile: string;
  certFile: string;
  keyFile: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

export function makeTestCa(dir: string): TestCa {
  const caKey = join(dir, 'ca-key.pem');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server-key.pem');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '2']
      .concat([
        '-subj',
        '/CN=drperm test directory CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ])
      .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
  );
  openssl(['req', '-new', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=localhost']);
  writeFileSync(
    ext,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  openssl(
    ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial'].concat([
      '-out',
      certFile,
      '-days',
      '2',
      '-extfile',
      ext,
    ]),
  );
  return { caFile, certFile, keyFile };
}
