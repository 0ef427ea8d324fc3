/**
 * Building vim25 request XML from small typed pieces. Every text and attribute value goes
 * through escapeXml, so names like `a&b <c>` or ids with '/' and '@' are sent verbatim.
 */
import { InputError } from '../util/errors';
import type { MoRef } from './types';

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"' +
  ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' +
  ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n<soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body>\n</soapenv:Envelope>';

/** Escapes text and attribute values; control characters XML 1.0 cannot carry are rejected. */
export function escapeXml(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(value)) {
    // A usage error (e.g. a pasted password or name), not a bug; the value itself is not shown.
    throw new InputError('a value contains a control character that XML cannot carry', {
      hint: 'check the user name, password and policy names for stray control characters (e.g. from copy and paste)',
    });
  }
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#xD;');
}

/** `<name>text</name>` */
export function textEl(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

export function boolEl(name: string, value: boolean): string {
  return `<${name}>${value ? 'true' : 'false'}</${name}>`;
}

export function intEl(name: string, value: number): string {
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got ${value}`);
  return `<${name}>${value}</${name}>`;
}

/** A ManagedObjectReference: `<name type="Type">id</name>`. */
export function moRefEl(name: string, ref: MoRef): string {
  return `<${name} type="${escapeXml(ref.type)}">${escapeXml(ref.value)}</${name}>`;
}

/** A repeated element (vim25 arrays have no wrapper). */
export function repeated<T>(items: readonly T[], render: (item: T) => string): string {
  return items.map(render).join('');
}

/** Wraps a method call in the SOAP envelope; `_this` is always the first parameter. */
export function envelope(method: string, self: MoRef, params: string): string {
  return `${ENVELOPE_OPEN}<${method} xmlns="urn:vim25">${moRefEl('_this', self)}${params}</${method}>${ENVELOPE_CLOSE}`;
}
