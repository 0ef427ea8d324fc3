/**
 * Reads HTTP/1.1 answers off a connection, fed its bytes as they arrive, split anywhere
 * (RFC 9112): the status line and headers, then the body by Content-Length, chunked transfer
 * coding, or up to the connection's close. Interim 1xx answers are skipped. It says when an
 * answer is complete and whether the connection can carry the next request. Pure: no I/O.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface ResponseEvents {
  head(status: number, headers: IncomingHttpHeaders): void;
  /** A piece of the body as sent (still compressed, when it is). */
  body(piece: Buffer): void;
  /** The answer is complete; `reusable`: the connection may carry another request. */
  done(reusable: boolean): void;
}

/** The answer breaks HTTP/1.1: the connection cannot be trusted with anything more. */
export class HttpProtocolError extends Error {
  readonly code = 'ERR_HTTP_PROTOCOL';
}

/** Longest status line and header section accepted (Node's own limit is 16 KiB). */
export const MAX_HEAD_BYTES = 64 * 1024;

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

type Framing =
  | { kind: 'length'; left: number }
  | { kind: 'chunked'; left: number; step: 'size' | 'data' | 'data-end' | 'trailers' }
  | { kind: 'close' };

export class ResponseReader {
  private pending: Buffer = Buffer.alloc(0);
  private framing: Framing | undefined;
  private keepAlive = true;
  private finished = false;

  /** drperm sends no HEAD request: every answer's framing is read from its headers. */
  constructor(private readonly events: ResponseEvents) {}

  /** Bytes from the connection. Throws HttpProtocolError on an answer that breaks the protocol. */
  write(data: Buffer): void {
    if (this.finished) {
      // Bytes after a complete answer that asked for nothing: the server is confused.
      if (data.length > 0) throw new HttpProtocolError('the server sent data after its answer');
      return;
    }
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (!this.finished && this.pending.length > 0) {
      if (!this.step()) break;
    }
  }

  /** The connection closed. Throws when the answer was not complete. */
  end(): void {
    if (this.finished) return;
    if (this.framing?.kind === 'close') {
      this.finish(false);
      return;
    }
    throw Object.assign(new Error('the connection closed before the answer was complete'), {
      code: 'ECONNRESET',
    });
  }

  /** One step on the pending bytes; false when more bytes are needed. */
  private step(): boolean {
    const framing = this.framing;
    if (framing === undefined) return this.readHead();
    if (framing.kind === 'close') {
      this.emitBody(this.pending.length);
      return true;
    }
    if (framing.kind === 'length') {
      const n = Math.min(framing.left, this.pending.length);
      framing.left -= n;
      this.emitBody(n);
      if (framing.left === 0) this.finish(this.keepAlive);
      return true;
    }
    return this.readChunked(framing);
  }

  private readHead(): boolean {
    const end = this.pending.indexOf(HEAD_END);
    if (end < 0) {
      if (this.pending.length > MAX_HEAD_BYTES) {
        throw new HttpProtocolError(`the answer's headers exceed ${MAX_HEAD_BYTES} bytes`);
      }
      return false;
    }
    const lines = this.pending.subarray(0, end).toString('latin1').split('\r\n');
    this.pending = this.pending.subarray(end + HEAD_END.length);
    const status = /^HTTP\/1\.([01]) ([1-9][0-9][0-9])(?: .*)?$/.exec(lines[0] ?? '');
    if (!status) {
      throw new HttpProtocolError(
        `not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`,
      );
    }
    const minor = Number(status[1]);
    const code = Number(status[2]);
    const headers = parseHeaders(lines.slice(1));
    // 100 Continue, 102, 103 Early Hints: the real answer follows (101 is never asked for).
    if (code >= 100 && code < 200 && code !== 101) return true;
    const connection = tokens(headers.connection);
    this.keepAlive =
      minor === 1 ? !connection.includes('close') : connection.includes('keep-alive');
    this.framing = framingOf(code, headers);
    this.events.head(code, headers);
    if (this.framing.kind === 'length' && this.framing.left === 0) this.finish(this.keepAlive);
    return true;
  }

  private readChunked(f: Extract<Framing, { kind: 'chunked' }>): boolean {
    if (f.step === 'data') {
      const n = Math.min(f.left, this.pending.length);
      f.left -= n;
      this.emitBody(n);
      if (f.left === 0) f.step = 'data-end';
      return true;
    }
    const eol = this.pending.indexOf(CRLF);
    if (eol < 0) {
      if (this.pending.length > MAX_HEAD_BYTES) {
        throw new HttpProtocolError('a chunk header or trailer line is too long');
      }
      return false;
    }
    const line = this.pending.subarray(0, eol).toString('latin1');
    this.pending = this.pending.subarray(eol + CRLF.length);
    if (f.step === 'data-end') {
      if (line !== '') throw new HttpProtocolError('a chunk does not end where its size says');
      f.step = 'size';
    } else if (f.step === 'size') {
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
      if (!size)
        throw new HttpProtocolError(`not a chunk size: ${JSON.stringify(line.slice(0, 40))}`);
      f.left = parseInt(size[1]!, 16);
      f.step = f.left === 0 ? 'trailers' : 'data';
    } else if (line === '') {
      this.finish(this.keepAlive); // the empty line after the (ignored) trailer fields
    }
    return true;
  }

  private emitBody(n: number): void {
    if (n === 0) return;
    const piece = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    this.events.body(piece);
  }

  private finish(reusable: boolean): void {
    this.finished = true;
    // Anything already read beyond the answer was not asked for: the connection is not reused.
    this.events.done(reusable && this.pending.length === 0);
  }
}

/** Header fields by lower-case name; repeated fields joined with ", " (Set-Cookie: a list). */
function parseHeaders(lines: readonly string[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      throw new HttpProtocolError('obsolete line folding in the answer headers');
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) {
      throw new HttpProtocolError(`not a header field: ${JSON.stringify(line.slice(0, 80))}`);
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    if (name === 'set-cookie') headers[name] = [...((seen as string[] | undefined) ?? []), value];
    else headers[name] = seen === undefined ? value : `${String(seen)}, ${value}`;
  }
  return headers as IncomingHttpHeaders;
}

function tokens(value: string | string[] | undefined): string[] {
  return String(value ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** How the body is delimited (RFC 9112 §6.3). */
function framingOf(status: number, headers: IncomingHttpHeaders): Framing {
  if (status === 204 || status === 304) return { kind: 'length', left: 0 };
  const coding = tokens(headers['transfer-encoding']);
  if (coding.length > 0) {
    if (coding[coding.length - 1] !== 'chunked') return { kind: 'close' };
    return { kind: 'chunked', left: 0, step: 'size' };
  }
  const length = headers['content-length'];
  if (length === undefined) return { kind: 'close' };
  const values = new Set(length.split(',').map((v) => v.trim()));
  const only = values.size === 1 ? [...values][0]! : '';
  if (!/^[0-9]{1,15}$/.test(only)) {
    throw new HttpProtocolError(`not a content length: ${JSON.stringify(length.slice(0, 40))}`);
  }
  return { kind: 'length', left: Number(only) };
}
