/**
 * Streaming one table per worksheet: bold frozen header, auto-filter, widths sized from
 * the content, print setup, and every value turned into a cell that cannot run as a formula.
 * Rows are committed as they are written, so a sheet's size does not grow the heap.
 */
import type { Alignment, Font, stream, Worksheet } from 'exceljs';
import { cellText, yesNo } from './text';
import {
  DATE_FORMAT,
  HEADER_FILL,
  HEADER_FONT,
  LINE_HEIGHT,
  NOTE_FONT,
  type CellColour,
} from './xlsx-style';

export type WorkbookWriter = stream.xlsx.WorkbookWriter;

/** What a column may hold. Strings always become string cells, whatever they start with. */
export type CellInput = string | number | boolean | Date | null | undefined;

export interface Column<T> {
  header: string;
  value: (item: T) => CellInput;
  /** Fixed width in characters; otherwise sized from the header and the first rows. */
  width?: number;
  /** Cap for the computed width (default 50); longer text is cut off or wraps. */
  maxWidth?: number;
  /** Wrap long and multi-line text (messages, evidence lists). */
  wrap?: boolean;
  /** Colour cells by their text, e.g. severity or verdict. */
  colours?: Record<string, CellColour>;
}

export interface TableSheet<T> {
  name: string;
  columns: Column<T>[];
  rows: readonly T[];
  /** Shown under the header when there are no rows, so an empty sheet does not look like a failure. */
  emptyNote?: string;
}

export interface ColumnLayout {
  width: number;
  wrap?: boolean;
  /** Left-align numbers and dates too (a column mixing them with text reads better). */
  alignLeft?: boolean;
}

export interface CellSpec {
  value: CellInput;
  colour?: CellColour;
  font?: Partial<Font>;
}

const WIDTH_SAMPLE_ROWS = 1000;
// Excel's maximum row height, in points.
const MAX_ROW_HEIGHT = 409;
const DEFAULT_MAX_WIDTH = 50;
// Room for the auto-filter drop-down button next to the header text.
const FILTER_BUTTON_CHARS = 4;

/** Adds a worksheet with the layout every report sheet shares. */
export function addReportSheet(
  workbook: WorkbookWriter,
  name: string,
  columns: ColumnLayout[],
): Worksheet {
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: {
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      // 0 = as many pages tall as needed.
      fitToHeight: 0,
      printTitlesRow: '1:1',
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&L&A&RPage &P of &N' },
  });
  columns.forEach((layout, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = layout.width;
    const alignment: Partial<Alignment> = { vertical: 'top' };
    if (layout.wrap) alignment.wrapText = true;
    if (layout.alignLeft) alignment.horizontal = 'left';
    column.alignment = alignment;
  });
  return sheet;
}

export function writeHeaderRow(sheet: Worksheet, headers: string[]): void {
  const row = sheet.addRow(headers.map(cellText));
  row.eachCell((cell) => {
    cell.font = HEADER_FONT;
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: 'middle', wrapText: false };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF8EA9DB' } } };
  });
  row.commit();
}

/**
 * Writes and commits one row. Wrapped rows get an explicit height: neither Excel nor
 * LibreOffice re-fits row heights of a generated file, and text would overlap the next row.
 */
export function writeRow(sheet: Worksheet, cells: CellSpec[], layout: ColumnLayout[]): void {
  const row = sheet.addRow(cells.map((c) => toCellValue(c.value)));
  const lines = Math.max(1, ...cells.map((c, i) => lineCount(c.value, layout[i])));
  if (lines > 1) row.height = Math.min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT);
  cells.forEach((spec, i) => {
    if (spec.value instanceof Date) row.getCell(i + 1).numFmt = DATE_FORMAT;
    if (spec.colour) {
      row.getCell(i + 1).fill = spec.colour.fill;
      if (spec.colour.font) row.getCell(i + 1).font = spec.colour.font;
    }
    if (spec.font) row.getCell(i + 1).font = spec.font;
  });
  row.commit();
}

/** Writes a whole table as its own worksheet and commits it. */
export function writeTableSheet<T>(workbook: WorkbookWriter, table: TableSheet<T>): void {
  const layout = table.columns.map((c) => ({
    width: c.width ?? fitWidth(c, table.rows),
    wrap: c.wrap ?? false,
  }));
  const sheet = addReportSheet(workbook, table.name, layout);
  const lastRow = 1 + Math.max(table.rows.length, table.emptyNote ? 1 : 0);
  sheet.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: lastRow, column: table.columns.length },
  };
  writeHeaderRow(
    sheet,
    table.columns.map((c) => c.header),
  );
  if (table.rows.length === 0 && table.emptyNote) {
    writeRow(sheet, [{ value: table.emptyNote, font: NOTE_FONT }], layout);
  }
  for (const item of table.rows) {
    writeRow(
      sheet,
      table.columns.map((c) => {
        const value = c.value(item);
        const colour = typeof value === 'string' ? c.colours?.[value] : undefined;
        return colour ? { value, colour } : { value };
      }),
      layout,
    );
  }
  sheet.commit();
}

function toCellValue(value: CellInput): string | number | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return yesNo(value);
  // Only explicit {formula} objects become formulas in exceljs; strings stay strings.
  if (typeof value === 'string') return cellText(value);
  return value;
}

/** Width in characters from the header and the longest line among the first rows. */
export function fitWidth<T>(column: Column<T>, rows: readonly T[]): number {
  let longest = column.header.length + FILTER_BUTTON_CHARS;
  const sample = rows.length > WIDTH_SAMPLE_ROWS ? rows.slice(0, WIDTH_SAMPLE_ROWS) : rows;
  for (const item of sample) {
    longest = Math.max(longest, displayLength(column.value(item)) + 2);
  }
  return Math.min(Math.max(longest, 8), column.maxWidth ?? DEFAULT_MAX_WIDTH);
}

/** Lines a cell shows: its line breaks, plus wrapping of long lines in a wrapped column. */
export function lineCount(value: CellInput, layout: ColumnLayout | undefined): number {
  if (typeof value !== 'string' || value.length === 0) return 1;
  const lines = value.split('\n');
  if (!layout?.wrap) return lines.length;
  // Width counts digit widths; text averages about the same in Calibri. Err towards taller.
  const perLine = Math.max(1, Math.floor(layout.width) - 2);
  return lines.reduce((n, line) => n + Math.max(1, Math.ceil(line.length / perLine)), 0);
}

export function displayLength(value: CellInput): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Date) return DATE_FORMAT.length - 4;
  if (typeof value === 'boolean') return 3;
  if (typeof value === 'number') return String(value).length;
  return Math.max(...value.split('\n').map((line) => line.length));
}
