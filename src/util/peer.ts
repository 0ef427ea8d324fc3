/**
 * Saying what answered when a URL points at the wrong server: a plain HTTP port, NSX Manager
 * instead of vCenter, vCenter instead of NSX Manager. A partner who mixed up two URLs needs
 * "this is NSX Manager", not "HTTP 401" or an OpenSSL record-layer message. Pure.
 */
import { escapeControl } from './escape';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * The TLS handshake got a reply that is not TLS: OpenSSL reports the first bytes of an HTTP
 * response as a record with a wrong version number.
 */
export function isPlainHttpReply(err: { code?: string; message?: string }): boolean {
  return (
    err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    err.code === 'ERR_SSL_HTTP_REQUEST' ||
    /wrong version number|http request/i.test(err.message ?? '')
  );
}

export const PLAIN_HTTP =
  'this looks like plain HTTP: the server answered the TLS handshake in clear text (wrong port, or an http:// service)';

function header(a: Answer, name: string): string {
  const v = a.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** "JSON that looks like NSX Manager's API (error 401: ...)", "an HTML page titled ...", ... */
export function describeAnswer(a: Answer): string {
  const type = header(a, 'content-type').toLowerCase();
  const body = a.body.trimStart();
  if (body === '') return 'an empty body';
  if (type.includes('json') || body.startsWith('{')) {
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      if (json && typeof json === 'object' && ('error_code' in json || 'module_name' in json)) {
        const message =
          typeof json.error_message === 'string' ? `: ${short(json.error_message)}` : '';
        return `JSON that looks like NSX Manager's API (error ${String(json.error_code ?? '?')}${message})`;
      }
    } catch {
      // Not JSON after all: described as text below.
    }
    if (type.includes('json')) return 'JSON';
  }
  if (type.includes('html') || /^<!doctype html|^<html/i.test(body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    return title ? `an HTML page titled "${short(title)}"` : 'an HTML page';
  }
  if (looksLikeSoap(a)) return 'a SOAP message';
  if (type.includes('xml') || body.startsWith('<')) return 'XML';
  return `text ("${short(body)}")`;
}

/** NSX Manager's error body: `{ "error_code": ..., "module_name": ..., "error_message": ... }`. */
export function looksLikeNsxError(a: Answer): boolean {
  try {
    const json = JSON.parse(a.body) as Record<string, unknown> | null;
    return (
      json !== null && typeof json === 'object' && ('error_code' in json || 'module_name' in json)
    );
  } catch {
    return false;
  }
}

export function looksLikeSoap(a: Answer): boolean {
  return /<(\w+:)?Envelope[\s>]/.test(a.body.slice(0, 2000));
}

/** vCenter's /sdk/vimServiceVersions.xml names the vim25 namespace. */
export function looksLikeVimServiceVersions(a: Answer): boolean {
  return a.status === 200 && a.body.includes('urn:vim25');
}

function short(text: string): string {
  const one = escapeControl(text.replace(/\s+/g, ' ').trim());
  return one.length > 80 ? `${one.slice(0, 80)}…` : one;
}
