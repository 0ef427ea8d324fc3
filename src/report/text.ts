/**
 * Turning inventory names and evidence into text every report format can carry, showing
 * every character the auditor needs to see (control characters in the one display form of
 * src/util/escape.ts).
 */
import type { PermissionEvidence } from '../audit/types';
import { escapeControl, hasControl } from '../util/escape';

/** Excel refuses cells longer than this. */
export const MAX_CELL_CHARS = 32767;
const TRUNCATION_NOTE = ' … (truncated: the JSON report has the full text)';

// OOXML decodes `_xHHHH_` inside strings as one character; `_x005F_` is the escaped underscore.
const OOXML_ESCAPE_LIKE = /_(x[0-9A-Fa-f]{4}_)/g;

const HAS_OOXML_ESCAPE_LIKE = /_x[0-9A-Fa-f]{4}_/;

/**
 * Text for an xlsx string cell: control characters in the one display form (escapeControl;
 * line breaks and tabs stay, they are a cell's layout), literal `_xHHHH_` protected with the
 * OOXML escape, and cut to Excel's cell limit with a note.
 */
export function cellText(value: string): string {
  // Most names need none of it: one scan instead of three replacements.
  if (
    value.length <= MAX_CELL_CHARS &&
    !hasControl(value, { keepLayout: true }) &&
    !HAS_OOXML_ESCAPE_LIKE.test(value)
  )
    return value;
  let text = escapeControl(value, { keepLayout: true }).replace(OOXML_ESCAPE_LIKE, '_x005F_$1');
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
