/**
 * SoapConnection decodes answers as they stream in: objects reach the caller before the body
 * has ended, gzip is undone on the way, a fault streamed in pieces is typed, an HTML page is
 * described from its first bytes, the call's bound covers a body that stops half way (and a
 * call whose body began is not repeated), and an observer sees the whole body.
 */
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { createLogger } from '../../../src/util/log';
import { ServerError } from '../../../src/util/errors';
import { retrieveResult, returnsOne, type ObjectContent } from '../../../src/vsphere/decode';
import { NoPermissionFault } from '../../../src/vsphere/faults';
import type { SoapRequest } from '../../../src/vsphere/requests';
import { SoapConnection, type SoapCallRecord } from '../../../src/vsphere/soap';
import { HttpsTransport, NetworkError } from '../../../src/vsphere/transport';
import { makeSelfSignedCert, soapFault, soapOk, type TestCert } from './https-fixture';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const REQUEST: SoapRequest = { method: 'RetrievePropertiesEx', body: '<q/>', readOnly: true };

const objects = (from: number, to: number) => {
  let xml = '';
  for (let i = from; i < to; i++) {
    xml += `<objects><obj type="VirtualMachine">vm-${i}</obj><propSet><name>name</name><val xsi:type="xsd:string">vm é ${i}</val></propSet></objects>`;
  }
  return xml;
};
const page = (count: number) =>
  soapOk('RetrievePropertiesEx', `<returnval>${objects(0, count)}</returnval>`).body;

function names(seen: ObjectContent[]): unknown[] {
  return seen.map((oc) => oc.props.get('name'));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SoapConnection, streaming', () => {
  let cert: TestCert;
  let server: https.Server;
  let url: string;
  let handler: Handler = (_req, res) => res.end();
  let requests = 0;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        handler(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/sdk`;
  });
  beforeEach(() => {
    requests = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    cert.cleanup();
  });

  function connection(
    options: { timeoutMs?: number; observer?: (r: SoapCallRecord) => void; lines?: string[] } = {},
  ) {
    const transport = new HttpsTransport({
      url: new URL(url),
      trust: { mode: 'pin', thumbprint: { algorithm: 'sha256', hex: cert.sha256 } },
      timeoutMs: options.timeoutMs ?? 5000,
      maxInFlight: 2,
    });
    const log = createLogger({ verbose: true, write: (l) => options.lines?.push(l) });
    const soap = new SoapConnection(transport, log, {
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      sleep: () => Promise.resolve(),
      ...(options.observer ? { observer: options.observer } : {}),
    });
    return { soap, close: () => transport.close() };
  }

  const retrieve = (soap: SoapConnection, seen: ObjectContent[], onObject?: () => void) =>
    soap.call(
      REQUEST,
      returnsOne(
        retrieveResult({
          object: (oc) => {
            seen.push(oc);
            onObject?.();
          },
        }),
      ),
    );

  it('hands objects on before the body has ended', async () => {
    const body = page(200);
    const cut = body.indexOf('<objects>', body.length / 2);
    let sawFirstHalf!: () => void;
    const firstHalfSeen = new Promise<void>((r) => (sawFirstHalf = r));
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.write(body.slice(0, cut));
      // The rest only once the client has decoded objects of the first half: a client that
      // waited for the whole body would never get it.
      void firstHalfSeen.then(() => res.end(body.slice(cut)));
    };
    const { soap, close } = connection();
    try {
      const seen: ObjectContent[] = [];
      await retrieve(soap, seen, () => {
        if (seen.length === 50) sawFirstHalf();
      });
      expect(names(seen)).toEqual(Array.from({ length: 200 }, (_, i) => `vm é ${i}`));
    } finally {
      close();
    }
  });

  it('decodes a gzip body sent in small pieces; --verbose counts its decompressed bytes', async () => {
    const body = page(300);
    const zipped = gzipSync(body);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Encoding': 'gzip' });
      void (async () => {
        for (let i = 0; i < zipped.length; i += 997) {
          res.write(zipped.subarray(i, i + 997));
          await pause(1);
        }
        res.end();
      })();
    };
    const lines: string[] = [];
    const { soap, close } = connection({ lines });
    try {
      const seen: ObjectContent[] = [];
      await retrieve(soap, seen);
      expect(seen).toHaveLength(300);
      expect(names(seen)[299]).toBe('vm é 299');
      expect(lines.join('\n')).toContain(`soap RetrievePropertiesEx: HTTP 200 in `);
      expect(lines.join('\n')).toContain(`, ${Buffer.byteLength(body)} bytes`);
    } finally {
      close();
    }
  });

  it('types a fault that arrives in pieces', async () => {
    const fault = soapFault(
      'NoPermission',
      'Permission to perform this operation was denied.',
      '<object type="Folder">group-d1</object><privilegeId>System.Read</privilegeId>',
    );
    handler = (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/xml' });
      void (async () => {
        for (let i = 0; i < fault.body.length; i += 13) {
          res.write(fault.body.slice(i, i + 13));
          await pause(0);
        }
        res.end();
      })();
    };
    const { soap, close } = connection();
    try {
      const err = await retrieve(soap, []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoPermissionFault);
      expect((err as Error).message).toMatch(/needs privilege System\.Read on Folder group-d1/);
      expect(requests).toBe(1); // a fault is an answer: not repeated
    } finally {
      close();
    }
  });

  it('says what answered when a 200 is an HTML page, from its first bytes', async () => {
    const html =
      '<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>' +
      '<p>filler</p>'.repeat(50_000) +
      '</body></html>';
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(html);
    };
    const records: SoapCallRecord[] = [];
    const { soap, close } = connection({ observer: (r) => records.push(r) });
    try {
      const err = await retrieve(soap, []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerError);
      expect((err as Error).message).toMatch(
        /is not a vCenter SDK endpoint: it answered HTTP 200 with an HTML page titled "Welcome to nginx!"/,
      );
      expect(requests).toBe(1);
      // Only the first bytes were read: the page is not waited for.
      expect(records).toHaveLength(1);
      expect(records[0]!.response!.length).toBeLessThan(html.length);
    } finally {
      close();
    }
  });

  it('bounds a body that stops half way by the call timeout, and does not repeat the call', async () => {
    const body = page(100);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.write(body.slice(0, body.length / 2)); // and nothing more
    };
    const { soap, close } = connection({ timeoutMs: 400 });
    try {
      const started = Date.now();
      const seen: ObjectContent[] = [];
      const err = await retrieve(soap, seen).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).code).toBe('ERR_REQUEST_TIMEOUT');
      expect((err as Error).message).toMatch(/waited 0\.4 s for the answer/);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(seen.length).toBeGreaterThan(0); // objects of the first half were handed on
      expect(requests).toBe(1); // so the read-only call is not repeated
    } finally {
      close();
    }
  });

  it('repeats a read-only call whose connection broke before its body began', async () => {
    handler = (_req, res) => {
      if (requests === 1) {
        res.socket?.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(page(3));
    };
    const { soap, close } = connection();
    try {
      const seen: ObjectContent[] = [];
      await retrieve(soap, seen);
      expect(seen).toHaveLength(3);
      expect(requests).toBe(2);
    } finally {
      close();
    }
  });

  it('shows an observer the whole body, however it came in pieces', async () => {
    const body = page(500);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      void (async () => {
        for (let i = 0; i < body.length; i += 4096) {
          res.write(body.slice(i, i + 4096));
          await pause(0);
        }
        res.end();
      })();
    };
    const records: SoapCallRecord[] = [];
    const { soap, close } = connection({ observer: (r) => records.push(r) });
    try {
      await retrieve(soap, []);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ method: 'RetrievePropertiesEx', status: 200 });
      expect(records[0]!.response).toBe(body);
      expect(records[0]!.error).toBeUndefined();
    } finally {
      close();
    }
  });
});
