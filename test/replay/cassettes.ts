/**
 * Recorded traffic of real vCenter servers (../shared/fixtures/vcenter-recorded, see its
 * README): the VCR cassettes loaded as plain data, and an independent reading of their XML
 * (fast-xml-parser, a test-only dependency) to say which values a response holds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import YAML from 'yaml';

const repoRoot = resolve(__dirname, '..', '..');

/** The fixture folder; DRPERM_RECORDED_FIXTURES overrides it. Fails clearly when absent. */
export function fixturesDir(): string {
  const dir =
    process.env.DRPERM_RECORDED_FIXTURES ??
    resolve(repoRoot, '..', 'shared', 'fixtures', 'vcenter-recorded');
  if (!existsSync(join(dir, 'README.md'))) {
    throw new Error(
      `the recorded vCenter traffic is not at ${dir}: check out the shared fixtures next to the ` +
        'repository (../shared/fixtures/vcenter-recorded) or set DRPERM_RECORDED_FIXTURES to that folder',
    );
  }
  return dir;
}

export interface Interaction {
  cassette: string;
  index: number;
  method: string;
  request: { body: string; headers: Record<string, string[]> };
  response: { status: number; headers: Record<string, string[]>; body: string };
}

/** `!!python/unicode "…"` is a plain string. */
const PYTHON_UNICODE = {
  tag: 'tag:yaml.org,2002:python/unicode',
  resolve: (value: string) => value,
};

/**
 * One older cassette (test_unknown_fault) has a double-quoted scalar whose continuation lines
 * start at column 0, which PyYAML accepts and the yaml package does not. Indenting such lines
 * does not change the value (YAML folds away the leading white space of continuation lines),
 * so that is done only when the file fails to load as it is.
 */
function indentQuotedContinuations(text: string): string {
  let inside = false;
  return text
    .split('\n')
    .map((line) => {
      if (inside) {
        if (/"\}\s*$/.test(line)) inside = false;
        return `        ${line}`;
      }
      if (/\{string: "/.test(line) && !/"\}\s*$/.test(line)) inside = true;
      return line;
    })
    .join('\n');
}

function parseCassette(file: string): { interactions?: unknown[] } {
  const text = readFileSync(file, 'utf8');
  const options = { customTags: [PYTHON_UNICODE] };
  try {
    return YAML.parse(text, options) as { interactions?: unknown[] };
  } catch {
    return YAML.parse(indentQuotedContinuations(text), options) as { interactions?: unknown[] };
  }
}

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];

function headerMap(h: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((h ?? {}) as Record<string, unknown>)) {
    out[k.toLowerCase()] = asList(v);
  }
  return out;
}

/** Every SOAP interaction of every cassette (pyvmomi-8.0.3 and pyvmomi-older). */
export function loadInteractions(): Interaction[] {
  const root = fixturesDir();
  const out: Interaction[] = [];
  for (const folder of ['pyvmomi-8.0.3', 'pyvmomi-older']) {
    for (const name of readdirSync(join(root, folder)).sort()) {
      if (!name.endsWith('.yaml')) continue;
      const doc = parseCassette(join(root, folder, name));
      (doc.interactions ?? []).forEach((raw, index) => {
        const it = raw as {
          request: { body?: string | null; headers?: unknown };
          response: { status: { code: number }; headers?: unknown; body: { string?: string } };
        };
        const body = it.request.body ?? '';
        const method = /<soapenv:Body>\s*<(\w+)/.exec(body)?.[1];
        if (method === undefined) return; // HTTP-level interactions (proxies, version files)
        out.push({
          cassette: `${folder}/${name}`,
          index,
          method,
          request: { body, headers: headerMap(it.request.headers) },
          response: {
            status: it.response.status.code,
            headers: headerMap(it.response.headers),
            body: it.response.body.string ?? '',
          },
        });
      });
    }
  }
  return out;
}

// --- An independent reading of the XML ----------------------------------------------------

/** fast-xml-parser's ordered form: `{ tag: children, ':@': { '@_attr': value } }` or `{ '#text': t }`. */
export type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
});

export function parseOrdered(xml: string): OrderedNode[] {
  return parser.parse(xml) as OrderedNode[];
}

export interface El {
  name: string;
  /** Element name with its prefix. */
  qname: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

function toEl(node: OrderedNode): El | undefined {
  const key = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
  if (key === undefined || key.startsWith('?')) return undefined;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((node[':@'] ?? {}) as Record<string, string>)) {
    attrs[k.slice(2)] = String(v);
  }
  const kids = (node[key] as OrderedNode[]) ?? [];
  const children: El[] = [];
  let text = '';
  for (const k of kids) {
    if ('#text' in k) text += String(k['#text']);
    else {
      const c = toEl(k);
      if (c) children.push(c);
    }
  }
  return { name: key.replace(/^[^:]*:/, ''), qname: key, attrs, children, text };
}

/** The document element. */
export function documentElement(xml: string): El {
  for (const n of parseOrdered(xml)) {
    const el = toEl(n);
    if (el) return el;
  }
  throw new Error('no document element');
}

export const kid = (el: El | undefined, name: string): El | undefined =>
  el?.children.find((c) => c.name === name);
export const kids = (el: El | undefined, name: string): El[] =>
  el?.children.filter((c) => c.name === name) ?? [];

export function xsiTypeOf(el: El): string | undefined {
  const key = Object.keys(el.attrs).find((k) => /^[^:]+:type$/.test(k) && !k.startsWith('xmlns'));
  return key === undefined ? undefined : el.attrs[key]!.replace(/^[^:]*:/, '');
}

/** The SOAP body's first element. */
export function bodyElement(xml: string): El {
  const body = kid(documentElement(xml), 'Body');
  const first = body?.children[0];
  if (!first) throw new Error('no SOAP body element');
  return first;
}

/**
 * What a vim25 value holds, by the rules drperm's decoder promises (decode.ts PropertyValue):
 * xsd scalars typed, MoRefs as {type, value}, ArrayOf<T> as arrays, other values with child
 * elements as { dataType, fields } in document order, anything else as its text.
 */
export function expectedValue(el: El, declared?: string): unknown {
  const type = xsiTypeOf(el) ?? declared;
  if (type === 'ManagedObjectReference') {
    return el.attrs.type !== undefined && el.text !== ''
      ? { type: el.attrs.type, value: el.text }
      : '';
  }
  switch (type) {
    case 'string':
      return el.text;
    case 'boolean':
      return el.text.trim() === 'true' || el.text.trim() === '1';
    case 'int':
    case 'short':
    case 'byte':
      return Number(el.text.trim());
    case 'long': {
      const n = Number(el.text.trim());
      return Number.isSafeInteger(n) ? n : el.text.trim();
    }
    case 'float':
    case 'double':
      return Number(el.text);
  }
  if (type?.startsWith('ArrayOf')) {
    const item = type.slice(7);
    const itemType =
      /^(String|Int|Long|Short|Byte|Boolean|Float|Double|DateTime|AnyType|Base64Binary)$/.test(item)
        ? item[0]!.toLowerCase() + item.slice(1)
        : item;
    return el.children.map((c) => expectedValue(c, itemType));
  }
  if (el.children.length === 0) return el.text;
  const fields: Record<string, unknown[]> = {};
  for (const c of el.children) (fields[c.name] ??= []).push(expectedValue(c));
  return { dataType: type, fields };
}

/**
 * A request reduced to what a server reads, for comparing ours with the recorded one. The
 * documented differences are removed (vim25-wire.md A.0, A.3):
 * - pyVmomi's `versionId` attributes (pyVmomi annotates every parameter with the API version);
 * - a SOAP Header (older pyVmomi repeats the session cookie there as `vcSessionCookie`;
 *   drperm sends the session as the HTTP cookie only, which vCenter reads);
 * - the order of attributes and of namespace declarations, the quote style of the XML
 *   declaration, white space between elements and how characters are escaped (XML
 *   equivalence: the same document for any parser).
 * Element names (with their prefixes), element order, attribute values and texts must be equal.
 */
export function canonicalRequest(xml: string): string {
  const el = documentElement(xml);
  const render = (e: El): string => {
    if (e.name === 'Envelope') {
      e = { ...e, children: e.children.filter((c) => c.name !== 'Header') };
    }
    const attrs = Object.entries(e.attrs)
      .filter(([k]) => k !== 'versionId')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
      .join('');
    const inner = e.children.length > 0 ? e.children.map(render).join('') : JSON.stringify(e.text);
    return `<${e.qname}${attrs}>${inner}</${e.qname}>`;
  };
  return render(el);
}
