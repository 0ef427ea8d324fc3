/**
 * Parsing vim25 responses. Every element becomes an array of nodes (so one and many look
 * the same), namespace prefixes are dropped from element names only, and the `type` and
 * `xsi:type` attributes stay distinct (a MoRef value carries both).
 */
import { XMLParser } from 'fast-xml-parser';
import type { MoRef } from './types';

/** A parsed element: child element arrays by name, `#text`, and attributes as `@_name`. */
export interface XmlNode {
  [key: string]: XmlNode[] | string | undefined;
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));/g;

/**
 * XML's five named entities and numeric character references (Go's encoder writes `&#34;`
 * and `&#xA;`), in one pass, and only for values that contain '&'. fast-xml-parser's own
 * entity handling runs dozens of regular expressions over every value, which dominated the
 * time to collect a large inventory.
 */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (_m, dec?: string, hex?: string, named?: string) =>
    dec !== undefined
      ? String.fromCodePoint(Number(dec))
      : hex !== undefined
        ? String.fromCodePoint(parseInt(hex, 16))
        : NAMED_ENTITIES[named!]!,
  );
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  // Names may begin or end with spaces; keep them exactly.
  trimValues: false,
  alwaysCreateTextNode: true,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  transformTagName: (tag) => {
    const colon = tag.indexOf(':');
    return colon < 0 ? tag : tag.slice(colon + 1);
  },
  processEntities: false,
  htmlEntities: false,
  tagValueProcessor: (_name, value) => decodeEntities(value),
  attributeValueProcessor: (_name, value) => decodeEntities(value),
});

export class XmlParseError extends Error {}

export function parseXml(xml: string): XmlNode {
  try {
    return parser.parse(xml) as XmlNode;
  } catch (err) {
    throw new XmlParseError(`response is not well-formed XML: ${(err as Error).message}`);
  }
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? value : [];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return children(node, name)[0];
}

export function text(node: XmlNode | undefined): string {
  const t = node?.['#text'];
  return typeof t === 'string' ? t : '';
}

export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const a = node?.[`@_${name}`];
  return typeof a === 'string' ? a : undefined;
}

/**
 * The xsi:type of a node, without any namespace prefix (`xsd:string` → `string`). Any prefix
 * is accepted for the attribute: Go's encoder writes `XMLSchema-instance:type` with its own
 * namespace declaration. The unprefixed `type` attribute (a MoRef's) is never taken for it.
 */
export function xsiType(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  for (const key of Object.keys(node)) {
    if (!/^@_[^:]+:type$/.test(key)) continue;
    const value = node[key];
    if (typeof value === 'string') return value.replace(/^[^:]*:/, '');
  }
  return undefined;
}

export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const c = child(node, name);
  return c === undefined ? undefined : text(c);
}

export function requiredText(node: XmlNode | undefined, name: string, where: string): string {
  const t = childText(node, name);
  if (t === undefined) throw new XmlParseError(`${where}: missing <${name}>`);
  return t;
}

export function parseBool(value: string, where: string): boolean {
  const v = value.trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new XmlParseError(`${where}: expected a boolean, got "${value}"`);
}

export function parseInteger(value: string, where: string): number {
  const v = value.trim();
  if (!/^-?\d+$/.test(v)) throw new XmlParseError(`${where}: expected an integer, got "${value}"`);
  return Number(v);
}

export function childBool(node: XmlNode | undefined, name: string, where: string): boolean {
  return parseBool(requiredText(node, name, where), `${where}.${name}`);
}

export function childInt(node: XmlNode | undefined, name: string, where: string): number {
  return parseInteger(requiredText(node, name, where), `${where}.${name}`);
}

/** A MoRef element (`<x type="Folder">group-d1</x>`), or undefined when absent or empty. */
export function toMoRef(node: XmlNode | undefined): MoRef | undefined {
  if (node === undefined) return undefined;
  const type = attr(node, 'type');
  const value = text(node);
  if (type === undefined || value === '') return undefined;
  return { type, value };
}

export function childMoRef(node: XmlNode | undefined, name: string): MoRef | undefined {
  return toMoRef(child(node, name));
}

export function requiredMoRef(node: XmlNode | undefined, name: string, where: string): MoRef {
  const ref = childMoRef(node, name);
  if (ref === undefined) throw new XmlParseError(`${where}: missing managed object <${name}>`);
  return ref;
}

/** The SOAP Body of a response envelope. */
export function soapBody(doc: XmlNode): XmlNode {
  const body = child(child(doc, 'Envelope'), 'Body');
  if (body === undefined) throw new XmlParseError('response has no SOAP Envelope/Body');
  return body;
}
