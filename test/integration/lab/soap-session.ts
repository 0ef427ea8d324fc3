/**
 * A minimal raw SOAP session for testing the lab itself (the product's typed client lives in
 * src/vsphere). It verifies TLS against the lab's certificate file and keeps the session cookie.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import type { LabInfo } from '../../helpers/lab-info';

export interface SoapReply {
  status: number;
  /** The first element inside soapenv:Body, namespace prefixes removed. */
  body: Record<string, unknown>;
  raw: string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  isArray: (name) => ['objects', 'propSet', 'returnval', 'ManagedObjectReference'].includes(name),
});

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export class SoapSession {
  private cookie: string | undefined;
  private readonly ca: Buffer;

  constructor(private readonly lab: LabInfo) {
    this.ca = readFileSync(lab.certFile);
  }

  async call(method: string, thisType: string, thisValue: string, inner = ''): Promise<SoapReply> {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
      `<${method} xmlns="urn:vim25"><_this type="${thisType}">${xmlEscape(thisValue)}</_this>${inner}</${method}>` +
      '</soapenv:Body></soapenv:Envelope>';
    const { status, raw, setCookie } = await this.post(envelope);
    const cookie = setCookie?.find((c) => c.startsWith('vmware_soap_session='));
    if (cookie !== undefined) this.cookie = cookie.split(';')[0];
    const doc = parser.parse(raw) as { Envelope: { Body: Record<string, unknown> } };
    return { status, body: doc.Envelope.Body, raw };
  }

  login(password = this.lab.password, username = this.lab.username): Promise<SoapReply> {
    return this.call(
      'Login',
      'SessionManager',
      'SessionManager',
      `<userName>${xmlEscape(username)}</userName><password>${xmlEscape(password)}</password>`,
    );
  }

  logout(): Promise<SoapReply> {
    return this.call('Logout', 'SessionManager', 'SessionManager');
  }

  /** GET of a path on the lab's server (no session), e.g. /sdk/vimServiceVersions.xml. */
  get(path: string): Promise<{ status: number; raw: string }> {
    return this.send('GET', path, {});
  }

  private post(
    body: string,
  ): Promise<{ status: number; raw: string; setCookie: string[] | undefined }> {
    return this.send(
      'POST',
      new URL(this.lab.url).pathname,
      {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: 'urn:vim25/7.0',
        ...(this.cookie !== undefined ? { Cookie: this.cookie } : {}),
      },
      body,
    );
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; raw: string; setCookie: string[] | undefined }> {
    const url = new URL(this.lab.url);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path, method, ca: this.ca, headers },
        (res) => {
          let raw = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (raw += d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, raw, setCookie: res.headers['set-cookie'] }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The detail element's xsi:type of a SOAP fault reply, e.g. "InvalidLogin". */
export function faultType(reply: SoapReply): string | undefined {
  const fault = reply.body['Fault'] as
    { detail?: Record<string, { '@type'?: string }> } | undefined;
  const detail = fault?.detail;
  if (detail === undefined) return undefined;
  const first = Object.values(detail)[0];
  return first?.['@type'];
}

/** Property values of RetrievePropertiesEx / Continue results, keyed by object id. */
export interface ObjectProps {
  type: string;
  id: string;
  props: Record<string, unknown>;
}

export function objectsOf(result: Record<string, unknown> | undefined): ObjectProps[] {
  const objects = (result?.['objects'] ?? []) as {
    obj: { '#text': string; '@type': string };
    propSet?: { name: string; val: unknown }[];
  }[];
  return objects.map((o) => ({
    type: o.obj['@type'],
    id: o.obj['#text'],
    props: Object.fromEntries((o.propSet ?? []).map((p) => [p.name, simpleValue(p.val)])),
  }));
}

/** xsi:typed primitives (`<val xsi:type="xsd:string">x</val>`) become their text. */
function simpleValue(val: unknown): unknown {
  if (typeof val === 'object' && val !== null && '#text' in val && '@type' in val) {
    const type = String((val as { '@type': unknown })['@type']);
    if (type.startsWith('xsd:')) return String((val as { '#text': unknown })['#text']);
  }
  return val;
}

/** Text of a ManagedObjectReference-valued property (`{'#text': id, '@type': ...}`). */
export function refId(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && '#text' in value) {
    return String((value as { '#text': unknown })['#text']);
  }
  return undefined;
}

/** Text of a simple property value (a name) whether or not it carries xsi:type. */
export function text(value: unknown): string {
  if (typeof value === 'object' && value !== null && '#text' in value) {
    return String((value as { '#text': unknown })['#text']);
  }
  return String(value);
}
