/**
 * Decoding XML events straight into values, element by element, without a document tree.
 * A Decoder says how one element becomes a value: it opens a Frame for the element, the
 * frame receives the element's text and opens frames for the children it wants (the others
 * are skipped with their whole subtree), and on the end tag it hands its value to its parent.
 * Memory is what the frames on the open path hold: for vim25, at most one object.
 */
import type { MoRef } from './types';
import { detach, XmlScanner, type XmlAttrs, type XmlSink } from './xml-scan';

export class XmlDecodeError extends Error {}

export interface Frame {
  /** A child element starts: its frame, or undefined to skip it. */
  child(name: string, attrs: XmlAttrs | undefined): Frame | undefined;
  text(value: string): void;
  /** The element ends. */
  end(): void;
}

/** Opens the frame for one element; `done` receives its value when the element ends. */
export type Decoder<T> = (attrs: XmlAttrs | undefined, done: (value: T) => void) => Frame;

/** Runs scanner events through a stack of frames; `root` receives the document element. */
export class FrameDriver implements XmlSink {
  private readonly frames: Frame[];
  private skipping = 0;

  constructor(root: Frame) {
    this.frames = [root];
  }

  open(name: string, attrs: XmlAttrs | undefined): void {
    if (this.skipping > 0) {
      this.skipping++;
      return;
    }
    const frame = this.frames[this.frames.length - 1]!.child(name, attrs);
    if (frame === undefined) this.skipping = 1;
    else this.frames.push(frame);
  }

  text(value: string): void {
    if (this.skipping === 0) this.frames[this.frames.length - 1]!.text(value);
  }

  close(): void {
    if (this.skipping > 0) this.skipping--;
    else this.frames.pop()!.end();
  }
}

/** A frame for the document: the root element named `name`, decoded by `decoder`. */
export function documentFrame<T>(name: string, decoder: Decoder<T>, done: (v: T) => void): Frame {
  return {
    child: (n, attrs) => {
      if (n !== name) throw new XmlDecodeError(`expected <${name}>, got <${n}>`);
      return decoder(attrs, done);
    },
    text: () => undefined,
    end: () => undefined,
  };
}

/** A scanner fed a document's pieces, strings or UTF-8 bytes split anywhere (a character too). */
export class PieceScanner {
  private readonly scanner: XmlScanner;
  private readonly utf8 = new TextDecoder('utf-8');

  constructor(sink: XmlSink) {
    this.scanner = new XmlScanner(sink);
  }

  write(piece: string | Uint8Array): void {
    this.scanner.write(
      typeof piece === 'string' ? piece : this.utf8.decode(piece, { stream: true }),
    );
  }

  /** The document is complete. */
  end(): void {
    this.scanner.write(this.utf8.decode());
    this.scanner.end();
  }
}

/** Feeds a document's pieces (strings or UTF-8 buffers, split anywhere) through a scanner. */
export async function scanChunks(
  sink: XmlSink,
  body: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): Promise<void> {
  const scanner = new PieceScanner(sink);
  for await (const chunk of body) scanner.write(chunk);
  scanner.end();
}

// --- Text values ---------------------------------------------------------------------------

const IGNORE_TEXT = (): void => undefined;

/**
 * The frame of a text-only element: one object per element (a class, not closures), for the
 * leaves that make up most of a response.
 */
class TextFrame<T> implements Frame {
  private value = '';
  constructor(
    private readonly convert: (text: string, attrs: XmlAttrs | undefined) => T,
    private readonly attrs: XmlAttrs | undefined,
    private readonly done: (value: T) => void,
  ) {}
  child(): undefined {
    return undefined;
  }
  text(v: string): void {
    this.value = this.value === '' ? v : this.value + v;
  }
  end(): void {
    this.done(this.convert(this.value, this.attrs));
  }
}

/** The element's text, exactly (names may begin or end with spaces); child elements are skipped. */
export function textOf<T>(convert: (text: string) => T): Decoder<T> {
  return (attrs, done) => new TextFrame(convert, attrs, done);
}

export const text: Decoder<string> = textOf(detach);

export function parseBool(value: string, where = 'value'): boolean {
  const v = value.trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new XmlDecodeError(`${where}: expected a boolean, got "${value}"`);
}

export function parseInteger(value: string, where = 'value'): number {
  const v = value.trim();
  if (!/^[-+]?\d+$/.test(v))
    throw new XmlDecodeError(`${where}: expected an integer, got "${value}"`);
  return Number(v);
}

export const bool: Decoder<boolean> = textOf((t) => parseBool(t));
export const int: Decoder<number> = textOf((t) => parseInteger(t));

/** Type names repeat on every MoRef; one string per name. */
const typeNames = new Map<string, string>();
export function internType(name: string): string {
  let known = typeNames.get(name);
  if (known === undefined) {
    known = detach(name);
    if (typeNames.size < 10_000) typeNames.set(known, known);
  }
  return known;
}

/** A ManagedObjectReference element (`<x type="Folder">group-d1</x>`); undefined when empty. */
export const moRef: Decoder<MoRef | undefined> = (attrs, done) =>
  new TextFrame(moRefOf, attrs, done);

function moRefOf(value: string, attrs: XmlAttrs | undefined): MoRef | undefined {
  const type = attrs?.type;
  return type === undefined || value === ''
    ? undefined
    : { type: internType(type), value: detach(value) };
}

/** The xsi:type of an element without its prefix (`xsd:string` → `string`). Any prefix is
 *  accepted for the attribute: Go's encoder writes `XMLSchema-instance:type`. */
export function xsiType(attrs: XmlAttrs | undefined): string | undefined {
  if (attrs === undefined) return undefined;
  for (const key in attrs) {
    const colon = key.length - 5;
    if (colon > 0 && key.endsWith(':type') && key.indexOf(':') === colon) {
      if (key.startsWith('xmlns')) continue;
      return localType(attrs[key]!);
    }
  }
  return undefined;
}

/** `xsd:string` → `string`; the same few type names come on every value. */
const localTypes = new Map<string, string>();
function localType(value: string): string {
  let local = localTypes.get(value);
  if (local === undefined) {
    const c = value.indexOf(':');
    local = c < 0 ? value : value.slice(c + 1);
    if (localTypes.size < 10_000) localTypes.set(detach(value), detach(local));
  }
  return local;
}

// --- Data objects ----------------------------------------------------------------------------

type FieldMode = 'required' | 'optional' | 'many';
interface FieldSpec<V, M extends FieldMode> {
  decoder: Decoder<V>;
  mode: M;
}
export const required = <V>(decoder: Decoder<V>): FieldSpec<V, 'required'> => ({
  decoder,
  mode: 'required',
});
export const optional = <V>(decoder: Decoder<V>): FieldSpec<V, 'optional'> => ({
  decoder,
  mode: 'optional',
});
export const many = <V>(decoder: Decoder<V>): FieldSpec<V, 'many'> => ({ decoder, mode: 'many' });

type FieldValue<S> =
  S extends FieldSpec<infer V, 'many'>
    ? V[]
    : S extends FieldSpec<infer V, 'required'>
      ? V
      : S extends FieldSpec<infer V, 'optional'>
        ? V | undefined
        : never;
export type FieldValues<F> = { [K in keyof F]: FieldValue<F[K]> };

/**
 * A data object with the given child elements (vim25 element names; others are skipped).
 * A 'one' field takes the first occurrence; 'many' collects them in order. A required field
 * that never came is an error naming the type.
 */
export function struct<F extends Record<string, FieldSpec<unknown, FieldMode>>, T>(
  typeName: string,
  fields: F,
  build: (values: FieldValues<F>) => T,
): Decoder<T> {
  const names = Object.keys(fields);
  return (_attrs, done) => {
    const values: Record<string, unknown> = {};
    for (const n of names) if (fields[n]!.mode === 'many') values[n] = [];
    return {
      child: (name, attrs) => {
        const spec = fields[name];
        if (spec === undefined || !Object.prototype.hasOwnProperty.call(fields, name)) {
          return undefined;
        }
        if (spec.mode === 'many') {
          const list = values[name] as unknown[];
          return spec.decoder(attrs, (v) => list.push(v));
        }
        if (name in values) return undefined;
        return spec.decoder(attrs, (v) => {
          values[name] = v;
        });
      },
      text: IGNORE_TEXT,
      end: () => {
        for (const n of names) {
          if (fields[n]!.mode === 'required' && values[n] === undefined) {
            throw new XmlDecodeError(`${typeName}: missing <${n}>`);
          }
        }
        done(build(values as FieldValues<F>));
      },
    };
  };
}

// --- Generic elements --------------------------------------------------------------------------

/** An element kept whole, for small parts whose shape varies (fault details). */
export interface XmlElement {
  name: string;
  attrs: XmlAttrs;
  text: string;
  children: XmlElement[];
}

const NO_ATTRS: XmlAttrs = Object.freeze({});

export function elementDecoder(name: string): Decoder<XmlElement> {
  return (attrs, done) => {
    const el: XmlElement = { name, attrs: attrs ?? NO_ATTRS, text: '', children: [] };
    return {
      child: (n, a) => elementDecoder(n)(a, (c) => el.children.push(c)),
      text: (v) => {
        el.text += v;
      },
      end: () => {
        el.text = detach(el.text);
        done(el);
      },
    };
  };
}

export function childElement(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childElements(el: XmlElement | undefined, name: string): XmlElement[] {
  return el?.children.filter((c) => c.name === name) ?? [];
}

export function childText(el: XmlElement | undefined, name: string): string | undefined {
  return childElement(el, name)?.text;
}

export function elementMoRef(el: XmlElement | undefined): MoRef | undefined {
  const type = el?.attrs.type;
  if (el === undefined || type === undefined || el.text === '') return undefined;
  return { type, value: el.text };
}
