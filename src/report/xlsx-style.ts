/** The workbook's look: header, severity and verdict colours, date format. */
import type { Fill, Font } from 'exceljs';

/** Excel shows dates in local form unless told; the report's times are UTC, so say it. */
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"';

// Every font we set names its face: a font element without one makes LibreOffice fall back to serif.
const BASE_FONT: Partial<Font> = { name: 'Calibri', family: 2, size: 11 };

export const HEADER_FONT: Partial<Font> = { ...BASE_FONT, bold: true, color: { argb: 'FF1F2937' } };
export const NOTE_FONT: Partial<Font> = { ...BASE_FONT, italic: true };
/** Points per line of Calibri 11, Excel's default row height. */
export const LINE_HEIGHT = 15;
export const HEADER_FILL: Fill = solid('FFD9E1F2');

/** A cell colour and the font colour that stays legible on it (also when printed in grey). */
export interface CellColour {
  fill: Fill;
  font?: Partial<Font>;
}

function solid(argb: string): Fill {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb }, bgColor: { argb } };
}

const WHITE_BOLD: Partial<Font> = { ...BASE_FONT, bold: true, color: { argb: 'FFFFFFFF' } };
const BOLD: Partial<Font> = { ...BASE_FONT, bold: true };

export const SEVERITY_COLOURS: Record<string, CellColour> = {
  critical: { fill: solid('FFC00000'), font: WHITE_BOLD },
  high: { fill: solid('FFF4B084'), font: BOLD },
  medium: { fill: solid('FFFFE699') },
  low: { fill: solid('FFDDEBF7') },
  info: { fill: solid('FFEDEDED') },
};

export const VERDICT_COLOURS: Record<string, CellColour> = {
  'not isolated': SEVERITY_COLOURS.critical!,
  isolated: { fill: solid('FFC6EFCE'), font: { ...BASE_FONT, color: { argb: 'FF006100' } } },
};

/** Role vs CloudAdmin: a privilege CloudAdmin lacks makes the role unassignable on AVS. */
export const ROLE_STATUS_COLOURS: Record<string, CellColour> = {
  'missing-in-cloudadmin': SEVERITY_COLOURS.high!,
};
