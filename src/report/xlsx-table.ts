/**
 * Streaming one table per worksheet: bold frozen header, auto-filter, widths sized from
 * the content, print setup, and every value turned into a cell that cannot run as a formula.
 * Rows are committed as they are written, so a sheet's size does not grow the heap.
 */
import { once, type EventEmitter } from 'node:events';
import type ExcelJS from 'exceljs';
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
  /**
   * 'left' for a column mixing text with numbers and dates; 'center' for counts and ids,
   * so a short number sits under its header instead of at the far edge of the column.
   */
  align?: 'left' | 'center';
}

export interface CellSpec {
  value: CellInput;
  colour?: CellColour;
  font?: Partial<Font>;
}

const WIDTH_SAMPLE_ROWS = 1000;
const ROWS_PER_YIELD = 200;
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
    if (layout.align) alignment.horizontal = layout.align;
    column.alignment = alignment;
  });
  return sheet;
}

export function writeHeaderRow(sheet: Worksheet, headers: string[], layout: ColumnLayout[]): void {
  const row = sheet.addRow(headers.map(textCell));
  row.eachCell((cell, n) => {
    cell.font = HEADER_FONT;
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: 'middle', horizontal: layout[n - 1]?.align ?? 'left' };
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

/**
 * exceljs 4.4 internals: a streamed sheet writes into a StreamBuf piped into the zip entry's
 * PassThrough, and ignores that stream's backpressure (exceljs issues #1894, #2916).
 */
interface StreamedSheetInternals {
  stream?: { pipes?: Array<ZipEntryStream | undefined> };
}

/** archiver's PassThrough (readable-stream 2): no writableNeedDrain, but the same state. */
interface ZipEntryStream extends EventEmitter {
  _writableState?: { needDrain?: boolean };
}

/**
 * Waits until the zip compressor has taken the rows written so far. Without this, rows
 * are produced faster than deflate consumes them and pile up in the entry's buffer: the
 * memory then grows with the sheet (about 1.7 kB a row), which streaming is meant to avoid.
 */
async function waitForZip(sheet: Worksheet): Promise<void> {
  const entry = (sheet as unknown as StreamedSheetInternals).stream?.pipes?.[0];
  if (entry?._writableState?.needDrain === true && typeof entry.once === 'function') {
    await once(entry, 'drain');
  } else {
    // Internals changed or nothing to wait for: at least let the compressor run.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Writes a whole table as its own worksheet, row by row, and commits it. */
export async function writeTableSheet<T>(
  workbook: WorkbookWriter,
  table: TableSheet<T>,
): Promise<void> {
  const layout = table.columns.map((c, i): ColumnLayout => ({
    width: c.width ?? fitWidth(c, table.rows),
    // Text in the last column has nothing to its right to stop it spilling out of the table
    // (and into the printed page width), so that column always wraps.
    wrap: (c.wrap ?? false) || i === table.columns.length - 1,
    ...(holdsNumbers(c, table.rows) && { align: 'center' }),
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
    layout,
  );
  if (table.rows.length === 0 && table.emptyNote) {
    writeRow(sheet, [{ value: table.emptyNote, font: NOTE_FONT }], layout);
  }
  let written = 0;
  for (const item of table.rows) {
    if (++written % ROWS_PER_YIELD === 0) await waitForZip(sheet);
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

/**
 * A string cell that no reader can take for a formula: an inline string (t="inlineStr"),
 * the OOXML string cell that needs no shared-string table. A plain JS string would be
 * written as t="str", the type of a formula's cached result.
 */
export function textCell(text: string): ExcelJS.CellRichTextValue {
  return { richText: [{ text: cellText(text) }] };
}

function toCellValue(value: CellInput): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return textCell(yesNo(value));
  if (typeof value === 'string') return value === '' ? null : textCell(value);
  return value;
}

function holdsNumbers<T>(column: Column<T>, rows: readonly T[]): boolean {
  const first = rows.find((row) => column.value(row) !== null && column.value(row) !== undefined);
  return first !== undefined && typeof column.value(first) === 'number';
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
