/**
 * Replay of recorded real vCenter traffic (issue 9 §2). Every recorded response of a call
 * drperm makes is served by a local HTTPS server and goes through drperm's transport and
 * decoders; the values must be those the XML holds (read independently, ./cassettes). Every
 * request drperm builds for the same call must equal the recorded one, modulo the documented
 * differences of canonicalRequest (pyVmomi's versionId attributes, XML equivalence). HTTP
 * headers are not compared: pyVmomi's optional ones (User-Agent, Accept-Encoding, an empty
 * Cookie, its quoted SOAPAction) differ by client, not by contract.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { silentLogger } from '../../src/util/log';
import { checkMissing } from '../../src/vsphere/client';
import {
  objectContent,
  retrieveResult,
  returnsMany,
  returnsNothing,
  returnsOne,
  serviceContent,
  type ObjectContent,
} from '../../src/vsphere/decode';
import { InvalidLoginFault, NotAuthenticatedFault, VimFault } from '../../src/vsphere/faults';
import * as rq from '../../src/vsphere/requests';
import { decodeBody } from '../helpers/soap-body';
import { decodeSoapStream, resultOf, SoapConnection } from '../../src/vsphere/soap';
import { trustPolicyFrom } from '../../src/net/tls';
import { HttpsTransport } from '../../src/vsphere/transport';
import type { MoRef } from '../../src/vsphere/types';
import { moRef, type Decoder } from '../../src/vsphere/xml-decode';
import {
  makeSelfSignedCert,
  startServer,
  type TestCert,
  type TestServer,
} from '../unit/vsphere/https-fixture';
import {
  bodyElement,
  canonicalRequest,
  expectedValue,
  fixturesDir,
  kid,
  kids,
  loadInteractions,
  xsiTypeOf,
  type El,
  type Interaction,
} from './cassettes';

/** The calls drperm makes that the recordings contain. */
const DRPERM_CALLS = new Set([
  'RetrieveServiceContent',
  'Login',
  'Logout',
  'RetrievePropertiesEx',
  'ContinueRetrievePropertiesEx',
  'CreateContainerView',
  'DestroyView',
  'FindByInventoryPath',
]);

const ref = (el: El | undefined): MoRef => {
  if (!el?.attrs.type) throw new Error('not a MoRef');
  return { type: el.attrs.type, value: el.text };
};
const optRef = (el: El | undefined): MoRef | undefined =>
  el?.attrs.type !== undefined && el.text !== '' ? ref(el) : undefined;

/** Thrown by `expected` when drperm must refuse the response, with the message it must give. */
class Refusal extends Error {}

/** A call as drperm makes it, built from the recorded request's parameters. */
interface Replay {
  request: rq.SoapRequest;
  returns: Decoder<unknown>;
  /** What the decoded result must be, read from the recorded response. */
  expected: (response: El) => unknown;
  /** Objects handed out while decoding (RetrievePropertiesEx). */
  objects?: ObjectContent[];
}

function replayOf(it: Interaction): Replay {
  const call = bodyElement(it.request.body);
  const self = ref(kid(call, '_this'));
  const text = (name: string) => kid(call, name)?.text ?? '';
  switch (it.method) {
    case 'RetrieveServiceContent':
      return {
        request: rq.retrieveServiceContent(),
        returns: returnsOne(serviceContent),
        expected: (res) => {
          const rv = kid(res, 'returnval');
          const about = kid(rv, 'about');
          const a = (n: string) => kid(about, n)?.text ?? '';
          const sc: Record<string, unknown> = {
            about: {
              name: a('name'),
              fullName: a('fullName'),
              vendor: a('vendor'),
              version: a('version'),
              build: a('build'),
              apiType: a('apiType'),
              apiVersion: a('apiVersion'),
              instanceUuid: a('instanceUuid'),
            },
          };
          for (const n of [
            'rootFolder',
            'propertyCollector',
            'viewManager',
            'sessionManager',
            'authorizationManager',
            'searchIndex',
          ]) {
            // drperm cannot work without these: their absence must be a clear error.
            if (optRef(kid(rv, n)) === undefined)
              throw new Refusal(`ServiceContent: missing <${n}>`);
            sc[n] = ref(kid(rv, n));
          }
          for (const n of ['userDirectory', 'setting']) {
            const r = optRef(kid(rv, n));
            if (r) sc[n] = r;
          }
          return sc;
        },
      };
    case 'Login':
      return {
        request: rq.login(self, text('userName'), text('password')),
        returns: returnsNothing,
        expected: () => undefined,
      };
    case 'Logout':
      return { request: rq.logout(self), returns: returnsNothing, expected: () => undefined };
    case 'DestroyView':
      return { request: rq.destroyView(self), returns: returnsNothing, expected: () => undefined };
    case 'CreateContainerView':
      return {
        request: rq.createContainerView(
          self,
          ref(kid(call, 'container')),
          kids(call, 'type').map((t) => t.text),
          text('recursive').trim() === 'true',
        ),
        returns: returnsOne(moRef),
        expected: (res) => optRef(kid(res, 'returnval')),
      };
    case 'FindByInventoryPath':
      return {
        request: rq.findByInventoryPath(self, text('inventoryPath')),
        returns: returnsOne(moRef),
        expected: (res) => optRef(kid(res, 'returnval')),
      };
    case 'RetrievePropertiesEx': {
      const spec = kid(call, 'specSet');
      const propSet = kids(spec, 'propSet').map((p) => ({
        type: kid(p, 'type')!.text,
        pathSet: kids(p, 'pathSet').map((x) => x.text),
      }));
      const objectSets = kids(spec, 'objectSet');
      if (objectSets.length !== 1 || kid(objectSets[0], 'selectSet')) {
        throw new Error('a RetrievePropertiesEx drperm does not make');
      }
      const max = kid(kid(call, 'options'), 'maxObjects');
      const objects: ObjectContent[] = [];
      return {
        request: rq.retrievePropertiesEx(
          self,
          propSet,
          { obj: ref(kid(objectSets[0], 'obj')) },
          max === undefined ? undefined : Number(max.text),
        ),
        returns: returnsOne(retrieveResult({ object: (oc) => objects.push(oc) })),
        objects,
        expected: (res) => {
          const token = kid(kid(res, 'returnval'), 'token')?.text;
          return token === undefined || token === '' ? undefined : token;
        },
      };
    }
    default:
      throw new Error(`no replay for ${it.method}`);
  }
}

/** An ObjectContent as the recorded XML holds it. */
function expectedObject(el: El) {
  return {
    obj: ref(kid(el, 'obj')),
    props: new Map(
      kids(el, 'propSet').map((p) => {
        const val = kid(p, 'val');
        return [kid(p, 'name')!.text, val === undefined ? undefined : expectedValue(val)];
      }),
    ),
    missing: kids(el, 'missingSet').map((m) => kid(m, 'path')!.text),
  };
}

function actualObject(oc: ObjectContent) {
  return { obj: oc.obj, props: oc.props, missing: oc.missing.map((m) => m.path) };
}

const all = loadInteractions();
const ours = all.filter((it) => DRPERM_CALLS.has(it.method));

describe('recorded responses streamed in two pieces, cut at every byte', () => {
  /** The decoded outcome of a body, whole or in pieces (objects, result and fault). */
  async function decodePieces(method: string, pieces: Buffer[]) {
    const objects: ObjectContent[] = [];
    const returns = returnsOne(retrieveResult({ object: (oc) => objects.push(oc) }));
    const outcome = await decodeSoapStream(method, pieces, returns);
    return { objects, outcome };
  }

  /** The recorded answer with the most objects within `maxBytes`, and its largest fault. */
  const pick = (maxBytes: number, status: number) =>
    ours
      .filter(
        (it) =>
          it.method === 'RetrievePropertiesEx' &&
          it.response.status === status &&
          Buffer.byteLength(it.response.body) <= maxBytes,
      )
      .sort(
        (a, b) =>
          b.response.body.split('<objects>').length - a.response.body.split('<objects>').length ||
          b.response.body.length - a.response.body.length,
      )[0];

  it.each([
    ['a page of objects', () => pick(6000, 200)],
    ['a fault', () => pick(6000, 500) ?? ours.find((it) => it.response.status === 500)],
  ])('%s decodes to the same values wherever the body is cut', async (_label, choose) => {
    const it = choose()!;
    expect(it).toBeDefined();
    const bytes = Buffer.from(it.response.body, 'utf8');
    const whole = await decodePieces(it.method, [bytes]);
    expect(whole.objects.length + (whole.outcome.fault ? 1 : 0)).toBeGreaterThan(0);
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = await decodePieces(it.method, [bytes.subarray(0, cut), bytes.subarray(cut)]);
      if (!isDeepStrictEqual(split, whole)) {
        expect({ cut, ...split }).toEqual({ cut, ...whole });
      }
    }
  });
});

describe('replay of recorded vCenter traffic', () => {
  let cert: TestCert;
  let server: TestServer;
  let transport: HttpsTransport;
  let current: Interaction | undefined;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    server = await startServer(cert, () => {
      const it = current!;
      const headers: Record<string, string> = {
        'Content-Type': it.response.headers['content-type']?.[0] ?? 'text/xml; charset=utf-8',
      };
      const cookie = it.response.headers['set-cookie']?.[0];
      if (cookie !== undefined) headers['Set-Cookie'] = cookie;
      return { status: it.response.status, body: it.response.body, headers };
    });
    transport = new HttpsTransport({
      url: new URL(server.url),
      trust: trustPolicyFrom({ thumbprint: cert.sha256 }),
      timeoutMs: 30000,
      maxInFlight: 1,
    });
  });
  afterAll(async () => {
    transport.close();
    await server.close();
    cert.cleanup();
  });

  it('the recordings are there and hold the calls the fixture README lists', () => {
    expect(fixturesDir()).toBeTruthy();
    const count = (m: string) => ours.filter((it) => it.method === m).length;
    expect(count('RetrieveServiceContent')).toBeGreaterThanOrEqual(130);
    expect(count('Login')).toBe(77);
    expect(count('RetrievePropertiesEx')).toBe(774);
    expect(count('CreateContainerView')).toBe(9);
    expect(count('DestroyView')).toBe(5);
    expect(count('Logout')).toBe(2);
    expect(count('FindByInventoryPath')).toBe(1);
    expect(ours.filter((it) => it.response.status === 500).length).toBeGreaterThanOrEqual(3);
  });

  it('every recorded request of a drperm call equals the one drperm builds (modulo canonicalRequest)', () => {
    const differences: string[] = [];
    for (const it of ours) {
      const built = replayOf(it).request.body;
      if (canonicalRequest(built) !== canonicalRequest(it.request.body)) {
        differences.push(
          `${it.cassette}#${it.index} ${it.method}:\n  recorded ${canonicalRequest(it.request.body)}\n  drperm   ${canonicalRequest(built)}`,
        );
      }
    }
    expect({ count: differences.length, first: differences.slice(0, 3) }).toEqual({
      count: 0,
      first: [],
    });
  });

  it('every recorded response goes through the transport and decoders and gives the values the XML holds', async () => {
    const soap = new SoapConnection(transport, silentLogger, {
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    let checkedObjects = 0;
    let faults = 0;
    let refusals = 0;
    for (const it of ours) {
      const where = `${it.cassette}#${it.index} ${it.method}`;
      const replay = replayOf(it);
      current = it;
      const sent = server.received.length;
      let outcome: { value?: unknown; error?: unknown };
      try {
        outcome = { value: await soap.call(replay.request, replay.returns) };
      } catch (error) {
        outcome = { error };
      }
      expect(server.received.length).toBe(sent + 1);
      expect(server.received.at(-1)!.body).toBe(replay.request.body);

      const response = bodyElement(it.response.body);
      if (response.name === 'Fault') {
        faults++;
        const detail = kid(response, 'detail')?.children[0];
        const faultType =
          (detail && xsiTypeOf(detail)) ?? detail?.name.replace(/Fault$/, '') ?? 'SoapFault';
        expect({ where, type: (outcome.error as VimFault).faultType }).toEqual({
          where,
          type: faultType,
        });
        expect(outcome.error).toBeInstanceOf(VimFault);
        expect((outcome.error as VimFault).faultString).toBe(
          kid(response, 'faultstring')?.text ?? '',
        );
        if (faultType === 'InvalidLogin') expect(outcome.error).toBeInstanceOf(InvalidLoginFault);
        continue;
      }
      let expected: unknown;
      try {
        expected = replay.expected(response);
      } catch (refusal) {
        if (!(refusal instanceof Refusal)) throw refusal;
        refusals++;
        expect({ where, error: String(outcome.error) }).toEqual({
          where,
          error: expect.stringContaining(refusal.message),
        });
        continue;
      }
      if (outcome.error) throw new Error(`${where}: ${String(outcome.error)}`);
      expect({ where, value: outcome.value }).toEqual({ where, value: expected });
      if (replay.objects) {
        const expected = kids(kid(response, 'returnval'), 'objects').map(expectedObject);
        expect({ where, objects: replay.objects.map(actualObject) }).toEqual({
          where,
          objects: expected,
        });
        checkedObjects += expected.length;
      }
      if (it.method === 'Login' && (it.response.headers['set-cookie'] ?? []).length > 0) {
        expect(soap.hasSession).toBe(true);
      }
    }
    expect(checkedObjects).toBeGreaterThan(700);
    expect(faults).toBeGreaterThanOrEqual(3);
    expect(refusals).toBeLessThanOrEqual(2); // hand-made serializer fixtures, not servers
  }, 300_000); // about 1,000 HTTPS round trips: a loaded machine needs more than the default

  it('names arrive escaped as the server sends them: %252f stays as it is', () => {
    const snapshot = ours.find(
      (it) => it.method === 'RetrievePropertiesEx' && it.response.body.includes('%252f'),
    );
    expect(snapshot).toBeDefined();
    const objects: ObjectContent[] = [];
    resultOf(
      'RetrievePropertiesEx',
      decodeBody(
        'RetrievePropertiesEx',
        snapshot!.response.body,
        returnsOne(retrieveResult({ object: (oc) => objects.push(oc) })),
      ),
    );
    const names = JSON.stringify(objects.map((o) => [...o.props.values()]));
    expect(names).toContain('VM Snapshot 10%252f24%252f2018');
  });
});

describe('govmomi captures (RetrievePropertiesResponse bodies)', () => {
  const dir = join(fixturesDir(), 'govmomi');
  const files = readdirSync(dir).filter((f) => f.endsWith('.xml'));

  const decodeCapture = (xml: string): ObjectContent[] => {
    // The captures are SOAP bodies without their envelope.
    const inner = xml.replace(/^<\?xml[^>]*\?>/, '');
    const envelope = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
    return resultOf(
      'RetrieveProperties',
      decodeBody('RetrieveProperties', envelope, returnsMany(objectContent())),
    );
  };

  it.each(files)('%s decodes to the values the XML holds', (file) => {
    const xml = readFileSync(join(dir, file), 'utf8');
    const expected = kids(bodyElementOfBare(xml), 'returnval').map(expectedObject);
    expect(decodeCapture(xml).map(actualObject)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('a NotAuthenticated in missingSet is the NotAuthenticated fault (it triggers the re-login)', () => {
    const [oc] = decodeCapture(readFileSync(join(dir, 'not_authenticated_fault.xml'), 'utf8'));
    expect(oc!.missing.map((m) => [m.path, m.fault.faultType])).toEqual([
      ['message', 'NotAuthenticated'],
      ['sessionList', 'NotAuthenticated'],
    ]);
    expect(() => checkMissing('RetrieveProperties', oc!)).toThrow(NotAuthenticatedFault);
  });
});

function bodyElementOfBare(xml: string): El {
  // documentElement of a bare body: wrap so that bodyElement finds it.
  return bodyElement(
    `<e:Envelope xmlns:e="s"><e:Body>${xml.replace(/^<\?xml[^>]*\?>/, '')}</e:Body></e:Envelope>`,
  );
}
