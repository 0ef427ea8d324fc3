/**
 * Escaping for text output. Names come from files and from the server and may hold control
 * characters: a newline splits a table row, a CR overwrites it, an ESC sequence reaches the
 * terminal. Every text renderer and log line passes names through escapeControl(), which
 * writes them in C notation (`\n`, `\x1b`), so what is shown is exactly what is stored.
 * JSON output needs nothing: JSON.stringify already escapes every control character.
 */

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-byte CSI on some terminals), the Unicode line
 * and paragraph separators, and the bidirectional overrides that make text display out of order.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LAYOUT =
  // eslint-disable-next-line no-control-regex -- as above
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const cp = ch.codePointAt(0)!;
  return cp <= 0xff
    ? `\\x${cp.toString(16).padStart(2, '0')}`
    : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character escaped. With `keepLayout`, newlines and tabs stay:
 * for whole messages whose line breaks are drperm's own (every name inside was escaped
 * where it was put in, or is still caught here if it holds ESC, BEL, CR...).
 */
export function escapeControl(text: string, options: { keepLayout?: boolean } = {}): string {
  const pattern = options.keepLayout ? CONTROL_BUT_LAYOUT : CONTROL;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, escapeOne) : text;
}

/** True when `text` holds a character escapeControl() would escape. */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** The first control character of `text` as escapeControl() writes it, with its position. */
export function firstControl(text: string): { escaped: string; index: number } | undefined {
  CONTROL.lastIndex = 0;
  const m = CONTROL.exec(text);
  return m ? { escaped: escapeOne(m[0]), index: m.index } : undefined;
}
