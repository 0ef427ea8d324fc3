/**
 * Turning inventory names and evidence into text every report format can carry
 * without losing or changing a character the auditor needs to see.
 */
import type { PermissionEvidence } from '../audit/types';

/** Excel refuses cells longer than this. */
export const MAX_CELL_CHARS = 32767;
const TRUNCATION_NOTE = ' … (truncated: the JSON report has the full text)';

// Characters XML 1.0 cannot carry; exceljs would drop them silently, hiding them from the auditor.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

// OOXML decodes `_xHHHH_` inside strings as one character; `_x005F_` is the escaped underscore.
const OOXML_ESCAPE_LIKE = /_(x[0-9A-Fa-f]{4}_)/g;

// Any character or sequence cellText changes.
const NEEDS_CELL_ESCAPE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\r]|_x[0-9A-Fa-f]{4}_/;

/** Unicode "control pictures" (␀ … ␟, ␡) show a control character instead of losing it. */
export function controlPicture(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  // U+FFFE / U+FFFF are not characters at all.
  return '\uFFFD';
}

/**
 * Text for an xlsx string cell: control characters made visible, CR and literal `_xHHHH_`
 * protected with OOXML escapes, and cut to Excel's cell limit with a note.
 */
export function cellText(value: string): string {
  // Most names need none of it: one scan instead of three replacements.
  if (value.length <= MAX_CELL_CHARS && !NEEDS_CELL_ESCAPE.test(value)) return value;
  let text = value
    .replace(XML_INVALID, controlPicture)
    .replace(OOXML_ESCAPE_LIKE, '_x005F_$1')
    // XML readers turn a raw CR into LF; the OOXML escape keeps it a CR.
    .replace(/\r/g, '_x000D_');
  if (text.length > MAX_CELL_CHARS) {
    text = text.slice(0, MAX_CELL_CHARS - TRUNCATION_NOTE.length) + TRUNCATION_NOTE;
  }
  return text;
}

/** One permission as one line: where it is defined, to whom, which role, whether it propagates. */
export function formatEvidence(p: PermissionEvidence): string {
  const who = p.group ? `group ${p.principal}` : p.principal;
  const propagate = p.propagate ? 'propagates' : 'does not propagate';
  return `${p.entity.path} (${p.entity.type} ${p.entity.moref}): ${who} has role ${p.roleName} (id ${p.roleId}), ${propagate}`;
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** A UTC timestamp usable in a file or directory name on every OS: 2025-01-31T10-22-03Z. */
export function fileSafeTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}
