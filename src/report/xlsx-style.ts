/** The workbook's look: header, severity and verdict colours, date format. */
import type { FontSpec, StyleSpec } from './xlsx-writer';

/** Excel shows dates in local form unless told; the report's times are UTC, so say it. */
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"';

/** Points per line of Calibri 11, Excel's default row height. */
export const LINE_HEIGHT = 15;

export const HEADER_STYLE: StyleSpec = {
  font: { bold: true, colour: 'FF1F2937' },
  fill: 'FFD9E1F2',
  bottomBorder: 'FF8EA9DB',
  vertical: 'middle',
};
export const NOTE_FONT: FontSpec = { italic: true };
/** Cells the auditor fills in (Status, Owner, Comment, sign-off): a light box to write in. */
export const INPUT_STYLE: Pick<StyleSpec, 'fill' | 'boxBorder'> = {
  fill: 'FFFFFDE7',
  boxBorder: 'FFBFBFBF',
};

/** A cell colour (ARGB fill) and the font that stays legible on it (also printed in grey). */
export interface CellColour {
  fill: string;
  font?: FontSpec;
}

const WHITE_BOLD: FontSpec = { bold: true, colour: 'FFFFFFFF' };
const BOLD: FontSpec = { bold: true };

export const SEVERITY_COLOURS: Record<string, CellColour> = {
  critical: { fill: 'FFC00000', font: WHITE_BOLD },
  high: { fill: 'FFF4B084', font: BOLD },
  medium: { fill: 'FFFFE699' },
  low: { fill: 'FFDDEBF7' },
  info: { fill: 'FFEDEDED' },
};

export const VERDICT_COLOURS: Record<string, CellColour> = {
  'not isolated': SEVERITY_COLOURS.critical!,
  isolated: { fill: 'FFC6EFCE', font: { colour: 'FF006100' } },
};

/** Role vs CloudAdmin: a privilege CloudAdmin lacks makes the role unassignable on AVS. */
export const ROLE_STATUS_COLOURS: Record<string, CellColour> = {
  'missing-in-cloudadmin': SEVERITY_COLOURS.high!,
};

/** Effective access Foreign column: a leak stands out, planned shared grants do not. */
export const FOREIGN_COLOURS: Record<string, CellColour> = {
  foreign: SEVERITY_COLOURS.critical!,
  'shared (outside policy)': SEVERITY_COLOURS.high!,
};

/** Findings compared with a previous report. */
export const CHANGE_COLOURS: Record<string, CellColour> = {
  new: { fill: 'FFFFE699', font: BOLD },
  resolved: { fill: 'FFC6EFCE', font: { colour: 'FF006100' } },
};

/** Leak matrix: the tenant's own VMs (diagonal) shaded, a foreign count red. */
export const MATRIX_OWN: CellColour = { fill: 'FFD9D9D9' };
export const MATRIX_LEAK: CellColour = SEVERITY_COLOURS.critical!;
