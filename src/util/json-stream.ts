/**
 * JSON.stringify(value, null, 1) in pieces: the top-level object key by key and its arrays
 * element by element, so that a large document (a snapshot of 45,000 VMs) is written and
 * hashed without ever being one string. The bytes are exactly those of JSON.stringify.
 */

/** The text of `value` as JSON.stringify(value, null, 1) + '\n' would give it, in pieces. */
export function* jsonPieces(value: unknown): Generator<string> {
  if (!isPlainObject(value)) {
    yield JSON.stringify(value, null, 1) + '\n';
    return;
  }
  const keys = Object.keys(value).filter((k) => isSerialisable(value[k]));
  if (keys.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = value[key];
    yield `\n ${JSON.stringify(key)}: `;
    if (Array.isArray(v) && v.length > 0) {
      yield '[';
      for (let k = 0; k < v.length; k += ELEMENTS_PER_PIECE) {
        yield (k === 0 ? '' : ',') + memberItems(v.slice(k, k + ELEMENTS_PER_PIECE));
      }
      yield '\n ]';
    } else {
      yield indented(v, '\n ');
    }
    if (i < keys.length - 1) yield ',';
  }
  yield '\n}\n';
}

/** Elements of a top-level array stringified at once: large enough to be cheap, small to hold. */
const ELEMENTS_PER_PIECE = 256;
const WRAPPER_HEAD = '{\n "k": ['.length;
const WRAPPER_TAIL = '\n ]\n}'.length;

/**
 * The items of a member's array as JSON.stringify(value, null, 1) writes them (`\n  {...},
 * \n  {...}`): stringified inside a wrapper object, where they have their depth, so that no
 * indentation has to be added afterwards.
 */
function memberItems(items: unknown[]): string {
  const text = JSON.stringify({ k: items }, null, 1);
  return text.slice(WRAPPER_HEAD, text.length - WRAPPER_TAIL);
}

/** JSON.stringify(value, null, 1), nested one level deeper (`newline` carries the indent). */
function indented(value: unknown, newline: string): string {
  const text = JSON.stringify(value, null, 1);
  // A newline inside a JSON string is escaped: every raw one is between tokens.
  return text.includes('\n') ? text.replace(/\n/g, newline) : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** What JSON.stringify writes as an object member (undefined, functions, symbols it skips). */
function isSerialisable(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/** Joins pieces into writes of about `size` characters (fewer system calls, same bytes). */
export function* batched(pieces: Iterable<string>, size = 64 * 1024): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    parts.push(piece);
    length += piece.length;
    if (length >= size) {
      yield parts.join('');
      parts = [];
      length = 0;
    }
  }
  if (length > 0) yield parts.join('');
}
