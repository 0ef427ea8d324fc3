/**
 * Paged views while bodies stream in: the next page is asked for as soon as a page's token is
 * read, so a later page can be decoded while an earlier one is still arriving. Every object
 * of every page must reach the handler before viewObjects returns, whatever the order in
 * which the bodies end.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { createLogger } from '../../../src/util/log';
import { VimClient } from '../../../src/vsphere/client';
import {
  makeSelfSignedCert,
  methodOf,
  SERVICE_CONTENT,
  soapOk,
  type TestCert,
} from './https-fixture';

const page = (method: string, from: number, to: number, token?: string) => {
  let objects = '';
  for (let i = from; i < to; i++) {
    objects += `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">vm${i}</val></propSet></objects>`;
  }
  return soapOk(
    method,
    `<returnval>${token ? `<token>${token}</token>` : ''}${objects}</returnval>`,
  ).body;
};

/** Writes the first half of `body`, and the rest after `ms`. */
function slowly(res: ServerResponse, body: string, ms: number): void {
  res.writeHead(200, { 'Content-Type': 'text/xml' });
  const cut = body.indexOf('<objects>', body.length / 2);
  res.write(body.slice(0, cut));
  setTimeout(() => res.end(body.slice(cut)), ms);
}

describe('VimClient.viewObjects with streamed pages', () => {
  let cert: TestCert;
  let server: https.Server;
  let url: string;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const method = methodOf(body);
        const ok = (inner: string, headers: Record<string, string> = {}) => {
          res.writeHead(200, { 'Content-Type': 'text/xml', ...headers });
          res.end(soapOk(method, inner).body);
        };
        if (method === 'RetrieveServiceContent') return ok(SERVICE_CONTENT);
        if (method === 'Login') {
          return ok('<returnval><key>k</key></returnval>', {
            'Set-Cookie': 'vmware_soap_session="52aa"; Path=/; HttpOnly; Secure',
          });
        }
        if (method === 'CreateContainerView') {
          return ok('<returnval type="ContainerView">session[stub]view-1</returnval>');
        }
        if (method === 'RetrievePropertiesEx' && body.includes('ContainerView')) {
          // Page 1 arrives slowly; page 2 more slowly still; page 3 at once.
          return slowly(res, page(method, 0, 100, '1'), 300);
        }
        if (method === 'ContinueRetrievePropertiesEx' && body.includes('<token>1</token>')) {
          return slowly(res, page(method, 100, 200, '2'), 900);
        }
        if (method === 'ContinueRetrievePropertiesEx' && body.includes('<token>2</token>')) {
          res.writeHead(200, { 'Content-Type': 'text/xml' });
          return res.end(page(method, 200, 250));
        }
        return ok('');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    cert.cleanup();
  });

  it('hands on every object of every page before it returns', async () => {
    const client = await VimClient.connect(
      { url, username: 'u', password: 'p', thumbprint: cert.sha256 },
      createLogger({ write: () => undefined }),
    );
    try {
      const seen = new Set<string>();
      await client.viewObjects(
        client.serviceContent.rootFolder,
        {
          types: ['VirtualMachine'],
          propSet: [{ type: 'VirtualMachine', pathSet: ['name'] }],
          pageSize: 100,
        },
        (oc) => {
          seen.add(oc.obj.value);
        },
      );
      expect(seen.size).toBe(250);
    } finally {
      await client.logout();
    }
  });
});
