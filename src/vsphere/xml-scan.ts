/**
 * A small streaming XML scanner for SOAP responses: text arrives in chunks (split anywhere),
 * and each element start, text run and element end goes to a sink as soon as it is complete.
 * Nothing of the document is kept but the open element names and an unfinished token.
 *
 * It checks what a SOAP answer needs to be trusted: one root element, properly nested and
 * closed tags, quoted and unique attributes, known entity and character references. Element
 * names reach the sink without their namespace prefix (vim25 is one namespace); attribute
 * names keep theirs, so a MoRef's `type` and `xsi:type` stay distinct; namespace declarations
 * (`xmlns`, `xmlns:p`) are checked but not passed on. DOCTYPE is refused
 * (no entity expansion); comments and processing instructions are skipped.
 */

export class XmlSyntaxError extends Error {}

/** Attributes of one element by qualified name (`type`, `xsi:type`…). */
export type XmlAttrs = Readonly<Record<string, string>>;

export interface XmlSink {
  /** An element starts; `name` is its local name (prefix removed). */
  open(name: string, attrs: XmlAttrs | undefined): void;
  /** Character data inside the current element (entities decoded); may come in several pieces. */
  text(value: string): void;
  /** The current element ends. */
  close(): void;
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&([^;&<]*);?/g;

/** XML's five named entities and numeric character references; anything else is an error. */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(REFERENCE, (ref: string, body: string) => {
    if (!ref.endsWith(';')) throw new XmlSyntaxError(`unterminated reference "${ref}"`);
    const named = NAMED_ENTITIES[body];
    if (named !== undefined) return named;
    const cp = /^#[0-9]+$/.test(body)
      ? Number(body.slice(1))
      : /^#x[0-9a-fA-F]+$/.test(body)
        ? parseInt(body.slice(2), 16)
        : NaN;
    if (!isValidXmlChar(cp)) throw new XmlSyntaxError(`unknown or invalid reference "${ref}"`);
    return String.fromCodePoint(cp);
  });
}

function isValidXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Ends a name: white space, '/', '>' or '='. */
function endsName(c: number): boolean {
  return isSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d;
}

function localName(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

/** Characters a (qualified) name cannot hold: white space and < > / = " ' &. */
function notInName(c: number): boolean {
  return (
    endsName(c) || c === 0x3c || c === 0x22 || c === 0x27 || c === 0x26 // < " ' &
  );
}

function isNamespaceDeclaration(name: string): boolean {
  return name.startsWith('xmlns') && (name.length === 5 || name.charCodeAt(5) === 0x3a);
}

/** An element's qualified name and its local name, cut once per scanner. */
interface ElementName {
  qname: string;
  local: string;
}

const INCOMPLETE = -1;
const LITERAL_SPACES = /[\t\n\r]/g;

export class XmlScanner {
  private buf = '';
  /** Characters of the document consumed before `buf` (for error positions). */
  private offset = 0;
  private readonly open: string[] = [];
  private rootSeen = false;
  private ended = false;
  /** Attribute names of the tag being read (to refuse one given twice). */
  private readonly tagAttributes: string[] = [];
  private readonly knownAttributes: string[] = [];
  /** Element names seen, by length and last character. */
  private readonly knownNames = new Map<number, ElementName[]>();

  constructor(private readonly sink: XmlSink) {}

  /** Scans a piece of the document; tokens split between pieces are completed by the next. */
  write(chunk: string): void {
    if (this.ended) throw new XmlSyntaxError('data after the end of the document');
    if (this.offset === 0 && this.buf === '' && chunk.charCodeAt(0) === 0xfeff) {
      chunk = chunk.slice(1);
    }
    this.buf = this.buf === '' ? chunk : this.buf + chunk;
    this.scan();
  }

  /** The document is complete: everything opened must be closed. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const rest = this.buf;
    if (rest.length > 0 && (this.open.length > 0 || rest.trim() !== '')) {
      throw this.error(
        this.open.length > 0
          ? `the document ends inside <${this.open.at(-1)!}>`
          : 'the document ends in the middle of a tag',
        0,
      );
    }
    if (this.open.length > 0) {
      throw this.error(`the document ends inside <${this.open.at(-1)!}>`, 0);
    }
    if (!this.rootSeen) throw this.error('the document has no root element', 0);
  }

  private error(message: string, at: number): XmlSyntaxError {
    return new XmlSyntaxError(`${message} (at character ${this.offset + at})`);
  }

  private scan(): void {
    const s = this.buf;
    const len = s.length;
    let i = 0;
    while (i < len) {
      const lt = s.indexOf('<', i);
      if (lt < 0) break; // text continues in the next piece (it may end in a split reference)
      if (lt > i) this.textRun(s, i, lt);
      const next = this.markup(s, lt);
      if (next === INCOMPLETE) {
        i = lt;
        break;
      }
      i = next;
    }
    // Keep only what is not yet complete; a copy, so that the piece itself can be released.
    this.offset += i;
    this.buf = i >= len ? '' : i === 0 ? s : detach(s.slice(i));
  }

  private textRun(s: string, from: number, to: number): void {
    if (this.open.length === 0) {
      for (let k = from; k < to; k++) {
        if (!isSpace(s.charCodeAt(k))) throw this.error('text outside the root element', k);
      }
      return;
    }
    try {
      this.sink.text(decodeEntities(s.slice(from, to)));
    } catch (err) {
      if (err instanceof XmlSyntaxError) throw this.error(err.message, from);
      throw err;
    }
  }

  /** Handles the markup at `lt`; returns the index after it, or INCOMPLETE. */
  private markup(s: string, lt: number): number {
    const c = s.charCodeAt(lt + 1);
    if (Number.isNaN(c)) return INCOMPLETE;
    if (c === 0x2f) return this.closeTag(s, lt); // '/'
    if (c === 0x3f) return this.skipUntil(s, lt, '?>'); // '?': declaration or PI
    if (c === 0x21) return this.bang(s, lt); // '!'
    return this.openTag(s, lt);
  }

  private skipUntil(s: string, lt: number, terminator: string): number {
    const end = s.indexOf(terminator, lt + 2);
    return end < 0 ? INCOMPLETE : end + terminator.length;
  }

  private bang(s: string, lt: number): number {
    const head = s.slice(lt, lt + 9);
    if (head.startsWith('<!--')) return this.skipUntil(s, lt, '-->');
    if (head === '<![CDATA[') {
      if (this.open.length === 0) throw this.error('CDATA outside the root element', lt);
      const end = s.indexOf(']]>', lt + 9);
      if (end < 0) return INCOMPLETE;
      if (end > lt + 9) this.sink.text(s.slice(lt + 9, end));
      return end + 3;
    }
    if ('<![CDATA['.startsWith(head) || '<!--'.startsWith(head)) return INCOMPLETE;
    if (head.startsWith('<!DOCTYPE') || '<!DOCTYPE'.startsWith(head)) {
      if (head.length < 9) return INCOMPLETE;
      throw this.error('a DOCTYPE is not accepted in a SOAP response', lt);
    }
    throw this.error('unexpected "<!"', lt);
  }

  private closeTag(s: string, lt: number): number {
    // Usually the name expected, right up to '>': compared in place, nothing cut.
    const open = this.open;
    const current = open[open.length - 1];
    if (current !== undefined) {
      const end = lt + 2 + current.length;
      if (end < s.length && s.charCodeAt(end) === 0x3e && s.startsWith(current, lt + 2)) {
        open.pop();
        this.sink.close();
        return end + 1;
      }
    }
    const gt = s.indexOf('>', lt + 2);
    if (gt < 0) return INCOMPLETE;
    const name = s.slice(lt + 2, gt).trimEnd();
    const expected = open.pop();
    if (expected === undefined) throw this.error(`unexpected </${name}>`, lt);
    if (name !== expected) throw this.error(`</${name}> where </${expected}> was expected`, lt);
    this.sink.close();
    return gt + 1;
  }

  private openTag(s: string, lt: number): number {
    // Most tags are a bare name: `<name>` or `<name/>`; anything else takes the full parse.
    const len = s.length;
    let k = lt + 1;
    while (k < len && !notInName(s.charCodeAt(k))) k++;
    if (k >= len) return INCOMPLETE;
    const c = s.charCodeAt(k);
    if (k > lt + 1 && c === 0x3e) {
      this.start(this.elementName(s, lt + 1, k), undefined, lt);
      return k + 1;
    }
    if (c === 0x2f && k + 1 >= len) return INCOMPLETE;
    if (k > lt + 1 && c === 0x2f && s.charCodeAt(k + 1) === 0x3e) {
      this.start(this.elementName(s, lt + 1, k), undefined, lt);
      this.end1();
      return k + 2;
    }
    return this.openTagWithAttributes(s, lt);
  }

  /** The element name at [from, to): the same few names make up a whole response. */
  private elementName(s: string, from: number, to: number): ElementName {
    const key = (to - from) * 128 + (s.charCodeAt(to - 1) & 0x7f);
    let list = this.knownNames.get(key);
    if (list !== undefined) {
      for (const known of list) if (s.startsWith(known.qname, from)) return known;
    }
    const qname = s.slice(from, to);
    const name = { qname, local: localName(qname) };
    if (this.knownNames.size < 512) {
      if (list === undefined) this.knownNames.set(key, (list = []));
      list.push(name);
    }
    return name;
  }

  private end1(): void {
    this.open.pop();
    this.sink.close();
  }

  private openTagWithAttributes(s: string, lt: number): number {
    const len = s.length;
    let k = lt + 1;
    while (k < len && !endsName(s.charCodeAt(k))) k++;
    if (k >= len) return INCOMPLETE;
    if (k === lt + 1) throw this.error('an element without a name', lt);
    const name = this.elementName(s, lt + 1, k);
    const qname = name.qname;
    let attrs: Record<string, string> | undefined;
    const seen = this.tagAttributes;
    let count = 0;
    for (;;) {
      while (k < len && isSpace(s.charCodeAt(k))) k++;
      if (k >= len) return INCOMPLETE;
      const c = s.charCodeAt(k);
      if (c === 0x3e || c === 0x2f) {
        const selfClosing = c === 0x2f;
        if (selfClosing) {
          if (k + 1 >= len) return INCOMPLETE;
          if (s.charCodeAt(k + 1) !== 0x3e) throw this.error(`"/" inside <${qname}>`, k);
        }
        this.start(name, attrs, lt);
        if (selfClosing) {
          this.end1();
          return k + 2;
        }
        return k + 1;
      }
      // An attribute: name = "value" (or 'value').
      const nameStart = k;
      while (k < len && !notInName(s.charCodeAt(k))) k++;
      const nameEnd = k;
      while (k < len && isSpace(s.charCodeAt(k))) k++;
      if (k >= len) return INCOMPLETE;
      if (nameEnd === nameStart || s.charCodeAt(k) !== 0x3d) {
        throw this.error(`an attribute without a value in <${qname}>`, nameStart);
      }
      const attrName = this.attributeName(s, nameStart, nameEnd);
      k++;
      while (k < len && isSpace(s.charCodeAt(k))) k++;
      if (k >= len) return INCOMPLETE;
      const q = s.charCodeAt(k);
      if (q !== 0x22 && q !== 0x27) throw this.error(`unquoted attribute ${attrName}`, k);
      const close = s.indexOf(q === 0x22 ? '"' : "'", k + 1);
      if (close < 0) return INCOMPLETE;
      let references = false;
      let literalSpace = false;
      for (let v = k + 1; v < close; v++) {
        const ch = s.charCodeAt(v);
        if (ch === 0x3c) throw this.error(`"<" in attribute ${attrName}`, k);
        if (ch === 0x26) references = true;
        else if (ch === 0x09 || ch === 0x0a || ch === 0x0d) literalSpace = true;
      }
      for (let i = 0; i < count; i++) {
        if (seen[i] === attrName) throw this.error(`attribute ${attrName} given twice`, k);
      }
      seen[count++] = attrName;
      // Namespace declarations are checked, not passed on: names reach the sink without their
      // prefix (vim25 is one namespace), so nothing reads them.
      if (!isNamespaceDeclaration(attrName)) {
        let raw = s.slice(k + 1, close);
        // Literal white space in attribute values is normalised to spaces (XML 1.0 §3.3.3).
        if (literalSpace) raw = raw.replace(LITERAL_SPACES, ' ');
        attrs ??= {};
        try {
          attrs[attrName] = references ? decodeEntities(raw) : raw;
        } catch (err) {
          if (err instanceof XmlSyntaxError) throw this.error(err.message, k);
          throw err;
        }
      }
      k = close + 1;
      const after = s.charCodeAt(k);
      if (k < len && !isSpace(after) && after !== 0x3e && after !== 0x2f) {
        throw this.error(`no space after attribute ${attrName}`, k);
      }
    }
  }

  /** The attribute name at [from, to): the same few names repeat on every element. */
  private attributeName(s: string, from: number, to: number): string {
    const length = to - from;
    for (const known of this.knownAttributes) {
      if (known.length === length && s.startsWith(known, from)) return known;
    }
    const name = s.slice(from, to);
    if (this.knownAttributes.length < 32) this.knownAttributes.push(name);
    return name;
  }

  private start(name: ElementName, attrs: Record<string, string> | undefined, lt: number): void {
    if (this.open.length === 0) {
      if (this.rootSeen) throw this.error('a second root element', lt);
      this.rootSeen = true;
    }
    this.open.push(name.qname);
    this.sink.open(name.local, attrs);
  }
}

/**
 * A copy of `value` that does not keep the string it was cut from alive (V8 slices share
 * their parent): decoded values outlive the response they came in, the response must not.
 */
export function detach(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}
