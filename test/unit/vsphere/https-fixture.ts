/**
 * A local HTTPS server with a self-signed certificate made by the openssl CLI, for fault
 * injection: each test scripts the answers; the server records what it received.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCertificate } from '../../lab/self-signed';

export interface TestCert {
  key: string;
  cert: string;
  certFile: string;
  sha256: string;
  sha1: string;
  cleanup(): void;
}

export function makeSelfSignedCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'drperm-cert-'));
  const { certFile, keyFile } = makeSelfSignedCertificate(dir, 'localhost');
  const cert = readFileSync(certFile, 'utf8');
  const der = new X509Certificate(cert).raw;
  return {
    key: readFileSync(keyFile, 'utf8'),
    cert,
    certFile,
    sha256: createHash('sha256').update(der).digest('hex'),
    sha1: createHash('sha1').update(der).digest('hex'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

export type Responder = (req: Received) => {
  status: number;
  /** A Buffer goes out as is (e.g. gzip-compressed). */
  body: string | Buffer;
  headers?: Record<string, string>;
};

export interface TestServer {
  url: string;
  received: Received[];
  respond: Responder;
  close(): Promise<void>;
}

export async function startServer(cert: TestCert, respond: Responder): Promise<TestServer> {
  const received: Received[] = [];
  const state: TestServer = { url: '', received, respond, close: async () => undefined };
  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers };
      received.push(r);
      const answer = state.respond(r);
      res.writeHead(answer.status, { 'Content-Type': 'text/xml', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

const ENV_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>';
const ENV_CLOSE = '</soapenv:Body></soapenv:Envelope>';

export function soapOk(method: string, inner: string): { status: number; body: string } {
  return {
    status: 200,
    body: `${ENV_OPEN}<${method}Response xmlns="urn:vim25">${inner}</${method}Response>${ENV_CLOSE}`,
  };
}

export function soapFault(
  faultType: string,
  faultString: string,
  detail = '',
): { status: number; body: string } {
  return {
    status: 500,
    body: `${ENV_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${faultString}</faultstring><detail><${faultType}Fault xmlns="urn:vim25" xsi:type="${faultType}">${detail}</${faultType}Fault></detail></soapenv:Fault>${ENV_CLOSE}`,
  };
}

export function methodOf(body: string): string {
  return /<soapenv:Body><(\w+) xmlns="urn:vim25">/.exec(body)?.[1] ?? '?';
}

export const SERVICE_CONTENT = `<returnval><rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector><viewManager type="ViewManager">ViewManager</viewManager><about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 8.0.3 build-1</fullName><vendor>VMware, Inc.</vendor><version>8.0.3</version><build>1</build><apiType>VirtualCenter</apiType><apiVersion>8.0.3.0</apiVersion><instanceUuid>uuid-1</instanceUuid></about><setting type="OptionManager">VpxSettings</setting><userDirectory type="UserDirectory">UserDirectory</userDirectory><sessionManager type="SessionManager">SessionManager</sessionManager><authorizationManager type="AuthorizationManager">AuthorizationManager</authorizationManager><searchIndex type="SearchIndex">SearchIndex</searchIndex></returnval>`;
