/**
 * The one display form of control characters, for every sink that shows text to a person:
 * the terminal (results on stdout, log lines and errors on stderr), the Markdown summary and
 * the workbook's cells. Names come from files and from the server and may hold control
 * characters: a newline splits a table row, a CR overwrites it, an ESC sequence reaches the
 * terminal, a bidirectional override shows text out of order. escapeControl() writes each of
 * them in C notation (`\n`, `\r`, `\t`, `\x1b`, `\u202e`), so what is shown is exactly what is
 * stored: every code point has its own form (the C1 controls, U+2028/U+2029 and the bidi
 * overrides have no Unicode control picture; U+241B is a printable character a name may
 * hold), the form is ASCII (survives any font, encoding, copy and paste, and can be searched
 * for), and an error message, a log line and a report show one name the same way.
 * JSON output needs nothing: it carries the exact text, JSON.stringify escapes C0 controls.
 */

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-byte CSI on some terminals), the Unicode line
 * and paragraph separators, the bidirectional overrides that make text display out of order,
 * and U+FFFE/U+FFFF (not characters; XML, and so the workbook, cannot carry them).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;
const CONTROL_BUT_LAYOUT =
  // eslint-disable-next-line no-control-regex -- as above
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]/g;

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

/** True when `text` holds a character escapeControl() (with the same options) would escape. */
export function hasControl(text: string, options: { keepLayout?: boolean } = {}): boolean {
  const pattern = options.keepLayout ? CONTROL_BUT_LAYOUT : CONTROL;
  pattern.lastIndex = 0;
  return pattern.test(text);
}

/** The first control character of `text` as escapeControl() writes it, with its position. */
export function firstControl(text: string): { escaped: string; index: number } | undefined {
  CONTROL.lastIndex = 0;
  const m = CONTROL.exec(text);
  return m ? { escaped: escapeOne(m[0]), index: m.index } : undefined;
}
