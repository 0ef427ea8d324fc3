/** The fault-injection proxy itself, against a scripted local HTTPS upstream (no lab needed). */
import * as https from 'node:https';
import { FaultProxy, entityOf, seededRandom, soapMethodOf } from '../../helpers/fault-proxy';
import {
  makeSelfSignedCert,
  methodOf,
  soapOk,
  startServer,
  type TestCert,
  type TestServer,
} from '../vsphere/https-fixture';

const envelope = (method: string, inner = '') =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><${method} xmlns="urn:vim25"><_this type="AuthorizationManager">AuthorizationManager</_this>${inner}</${method}></soapenv:Body></soapenv:Envelope>`;
const setOn = (ref: string) =>
  envelope('SetEntityPermissions', `<entity type="Folder">${ref}</entity><permission/>`);

let cert: TestCert;
let upstream: TestServer;
let proxy: FaultProxy;

beforeAll(async () => {
  cert = makeSelfSignedCert();
  upstream = await startServer(cert, (r) => soapOk(methodOf(r.body), '<returnval>ok</returnval>'));
});
afterAll(async () => {
  await upstream.close();
  cert.cleanup();
});
beforeEach(async () => {
  upstream.received.length = 0;
  proxy = await FaultProxy.start({ upstream: upstream.url, upstreamCertFile: cert.certFile });
});
afterEach(() => proxy.stop());

/** One POST through the proxy, pinned to its certificate; a fresh connection each time. */
function post(body: string, cookie?: string): Promise<{ status: number; body: string }> {
  const url = new URL(proxy.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        rejectUnauthorized: false,
        headers: { 'content-type': 'text/xml', ...(cookie ? { cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('FaultProxy', () => {
  it('forwards requests unchanged and records method and object', async () => {
    const r = await post(setOn('group-d1'));
    expect(r.status).toBe(200);
    expect(r.body).toContain('<SetEntityPermissionsResponse');
    expect(upstream.received.map((x) => x.body)).toEqual([setOn('group-d1')]);
    expect(proxy.events).toEqual([
      { seq: 1, method: 'SetEntityPermissions', entity: 'group-d1', status: 200 },
    ]);
  });

  it('drop-before closes the connection and the server never sees the request', async () => {
    proxy.inject({ method: 'SetEntityPermissions', action: { kind: 'drop-before' } });
    await expect(post(setOn('group-d1'))).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(upstream.received).toHaveLength(0);
  });

  it('drop-after forwards, then closes the connection without the answer', async () => {
    proxy.inject({ method: 'SetEntityPermissions', action: { kind: 'drop-after' } });
    await expect(post(setOn('group-d1'))).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(upstream.received).toHaveLength(1);
    expect(proxy.faultCounts()).toEqual({ 'drop-after': 1 });
  });

  it('answers an HTTP 500 SOAP fault or a 503 without forwarding', async () => {
    proxy
      .inject({ method: 'SetEntityPermissions', nth: 1, action: { kind: 'soap-fault' } })
      .inject({
        method: 'SetEntityPermissions',
        nth: 2,
        action: { kind: 'http-status', status: 503 },
      });
    const fault = await post(setOn('a'));
    expect(fault.status).toBe(500);
    expect(fault.body).toMatch(/<SystemErrorFault xmlns="urn:vim25" xsi:type="SystemError">/);
    expect((await post(setOn('b'))).status).toBe(503);
    expect((await post(setOn('c'))).status).toBe(200);
    expect(upstream.received.map((x) => entityOf(x.body)?.value)).toEqual(['c']);
  });

  it('fires an nth rule on exactly that occurrence of the method, on the named object only', async () => {
    proxy.inject({
      method: 'SetEntityPermissions',
      entity: 'x',
      nth: 2,
      action: { kind: 'http-status', status: 503 },
    });
    const statuses = [];
    for (const ref of ['x', 'y', 'x', 'x']) statuses.push((await post(setOn(ref))).status);
    expect(statuses).toEqual([200, 200, 503, 200]);
  });

  it('counts a rule only while its condition holds', async () => {
    let armed = false;
    proxy.inject({
      method: 'SetEntityPermissions',
      nth: 1,
      when: () => armed,
      action: { kind: 'http-status', status: 503 },
    });
    expect((await post(setOn('a'))).status).toBe(200);
    armed = true;
    expect((await post(setOn('b'))).status).toBe(503);
    expect((await post(setOn('c'))).status).toBe(200);
  });

  it('delays a request past a deadline, then forwards it; settled() waits for it to land', async () => {
    proxy.inject({ method: 'SetEntityPermissions', action: { kind: 'delay', ms: 300 } });
    const pending = post(setOn('group-d1'));
    while (proxy.events.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(upstream.received).toHaveLength(0); // held
    await proxy.settled();
    expect(upstream.received).toHaveLength(1); // then forwarded
    expect((await pending).status).toBe(200);
  });

  it('lose-session logs the session out on the server before forwarding', async () => {
    proxy.inject({ method: 'RetrieveEntityPermissions', action: { kind: 'lose-session' } });
    const cookie = 'vmware_soap_session="abc"';
    await post(envelope('RetrieveEntityPermissions'), cookie);
    expect(upstream.received.map((r) => [methodOf(r.body), r.headers.cookie])).toEqual([
      ['Logout', cookie],
      ['RetrieveEntityPermissions', cookie],
    ]);
  });

  it('runs an action before forwarding, and counts the lab down when told', async () => {
    const seen: string[] = [];
    proxy.inject({
      method: 'SetEntityPermissions',
      action: {
        kind: 'run',
        name: 'kill-lab',
        action: (req) => {
          seen.push(`${req.method} ${req.entity?.value} #${req.nth}`);
          proxy.down = true;
        },
      },
    });
    await expect(post(setOn('group-d1'))).rejects.toThrow();
    expect(seen).toEqual(['SetEntityPermissions group-d1 #1']);
    expect(upstream.received).toHaveLength(0);
    await expect(post(envelope('RetrieveServiceContent'))).rejects.toThrow();
    proxy.down = false;
    expect((await post(envelope('RetrieveServiceContent'))).status).toBe(200);
  });

  it('gives the same random faults for the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(new Set(xs).size).toBe(5);
  });

  it('reads the SOAP method and object of a request', () => {
    expect(soapMethodOf(setOn('vm-1'))).toBe('SetEntityPermissions');
    expect(entityOf(setOn('vm-1'))).toEqual({ type: 'Folder', value: 'vm-1' });
    expect(entityOf(envelope('RetrieveAllPermissions'))).toEqual({
      type: 'AuthorizationManager',
      value: 'AuthorizationManager',
    });
  });
});
