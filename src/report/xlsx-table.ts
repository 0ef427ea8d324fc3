/**
 * One table per worksheet: bold frozen header, auto-filter, widths sized from the content,
 * print setup for A4 landscape, and every value turned into a cell that cannot run as a
 * formula. Styles are registered once per column (and per colour), not per cell; rows are
 * streamed, so a sheet's size does not grow the heap.
 */
import { cellText, yesNo } from './text';
import {
  DATE_FORMAT,
  HEADER_STYLE,
  INPUT_STYLE,
  LINE_HEIGHT,
  NOTE_FONT,
  type CellColour,
} from './xlsx-style';
import type { Cell, FontSpec, PrintSetup, SheetWriter, StyleSpec, XlsxWriter } from './xlsx-writer';

/** What a column may hold. Strings always become string cells, whatever they start with. */
export type CellInput = string | number | boolean | Date | null | undefined;

export interface Column<T> {
  header: string;
  /** The cell of a row; `index` is the row's position in the table's rows. */
  value: (item: T, index: number) => CellInput;
  /** Fixed width in characters; otherwise sized from the header and the first rows. */
  width?: number;
  /** Cap for the computed width (default 50); longer text is cut off or wraps. */
  maxWidth?: number;
  /** Wrap long and multi-line text (messages, evidence lists). */
  wrap?: boolean;
  /** Colour cells by their text, e.g. severity or verdict. */
  colours?: Record<string, CellColour>;
  /** Colour a cell from its row (e.g. the leak matrix); wins over `colours`. */
  colour?: (item: T) => CellColour | undefined;
  /** A column the auditor fills in: boxed and lightly filled even when empty. */
  input?: boolean;
}

export interface TableSheet<T> {
  name: string;
  columns: Column<T>[];
  rows: readonly T[];
  /** Shown under the header when there are no rows, so an empty sheet does not look like a failure. */
  emptyNote?: string;
  /** Drop-down lists on columns, by header. */
  validations?: Array<{ header: string; values: string[] }>;
  /** Repeat the first column on every printed page when the table is printed wider than one page. */
  repeatFirstColumn?: boolean;
}

export interface ColumnLayout {
  width: number;
  wrap?: boolean;
  /**
   * 'left' for a column mixing text with numbers and dates; 'center' for counts and ids,
   * so a short number sits under its header instead of at the far edge of the column.
   */
  align?: 'left' | 'center';
  input?: boolean;
}

export interface CellSpec {
  value: CellInput;
  colour?: CellColour;
  font?: FontSpec;
}

const WIDTH_SAMPLE_ROWS = 1000;
// Excel's maximum row height, in points.
const MAX_ROW_HEIGHT = 409;
const DEFAULT_MAX_WIDTH = 50;
// Room for the auto-filter drop-down button next to the header text.
const FILTER_BUTTON_CHARS = 4;
// A4 landscape, 0.4 in side margins: 11.69 - 0.8 in at 96 px per inch.
const PRINTABLE_WIDTH_PX = (11.69 - 0.8) * 96;
/** Fitting to the page width must not shrink Calibri 11 below 8 pt. */
export const MIN_PRINT_SCALE = 8 / 11;

/**
 * Column width to pixels for Calibri 11 (maximum digit width 7 px): the stored width already
 * includes the cell padding (ECMA-376 Part 1, 18.3.1.13 col width).
 */
function columnPixels(width: number): number {
  return Math.round(width * 7);
}

/**
 * Print setup for a table of these widths: fitted to the page width when that keeps text at
 * 8 pt or more, otherwise printed at that smallest scale over several pages across (with the
 * first column repeated when asked, so every page says which row it shows).
 */
export function printSetup(widths: readonly number[], repeatFirstColumn = false): PrintSetup {
  const px = widths.reduce((sum, w) => sum + columnPixels(w), 0);
  const fit = PRINTABLE_WIDTH_PX / px;
  if (fit >= MIN_PRINT_SCALE) return { landscape: true, fitToWidth: true, titleRows: 1 };
  return {
    landscape: true,
    fitToWidth: false,
    scale: Math.ceil(MIN_PRINT_SCALE * 100),
    titleRows: 1,
    ...(repeatFirstColumn ? { titleColumns: 1 } : {}),
  };
}

/**
 * A worksheet with its column layout and the shared style ids that go with it: one base
 * style per column, and one per column and colour, registered on first use.
 */
export class TableWriter {
  private readonly base: number[];
  private readonly dates: number[];
  private readonly headers: number[];
  private readonly coloured = new Map<string, number>();

  private constructor(
    private readonly workbook: XlsxWriter,
    readonly sheet: SheetWriter,
    readonly layout: readonly ColumnLayout[],
  ) {
    const spec = (l: ColumnLayout): StyleSpec => ({
      vertical: 'top',
      ...(l.wrap ? { wrap: true } : {}),
      ...(l.align ? { horizontal: l.align } : {}),
      ...(l.input ? INPUT_STYLE : {}),
    });
    this.base = layout.map((l) => workbook.style(spec(l)));
    this.dates = layout.map((l) => workbook.style({ ...spec(l), numFmt: DATE_FORMAT }));
    // Headers wrap: a narrow column's header takes two lines instead of widening the table.
    this.headers = layout.map((l) =>
      workbook.style({ ...HEADER_STYLE, horizontal: l.align ?? 'left', wrap: true }),
    );
  }

  static async open(
    workbook: XlsxWriter,
    name: string,
    layout: ColumnLayout[],
    print: PrintSetup = printSetup(
      layout.map((l) => l.width),
      false,
    ),
  ): Promise<TableWriter> {
    const sheet = await workbook.addSheet(name, {
      widths: layout.map((l) => l.width),
      frozenRows: 1,
      print,
    });
    return new TableWriter(workbook, sheet, layout);
  }

  async header(titles: readonly string[]): Promise<void> {
    await this.sheet.row(
      titles.map((t, i) => ({ value: cellText(t), style: this.headers[i] ?? 0 })),
    );
  }

  /**
   * Writes one row. Wrapped rows get an explicit height: neither Excel nor LibreOffice
   * re-fits row heights of a generated file, and text would overlap the next row.
   */
  async row(cells: readonly CellSpec[]): Promise<void> {
    let lines = 1;
    const out: Cell[] = [];
    for (let i = 0; i < cells.length; i++) {
      const spec = cells[i]!;
      const layout = this.layout[i];
      const value = toCellValue(spec.value);
      if (typeof value === 'string') lines = Math.max(lines, lineCount(value, layout));
      out.push({ value, style: this.styleOf(i, spec, value instanceof Date) });
    }
    // Input columns keep their box on rows that leave them out.
    for (let i = cells.length; i < this.layout.length; i++) {
      if (this.layout[i]?.input) out.push({ value: null, style: this.base[i]! });
    }
    await this.sheet.row(
      out,
      lines > 1 ? Math.min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT) : undefined,
    );
  }

  /** A row whose first cell is an italic note. */
  async note(text: string): Promise<void> {
    await this.row([{ value: text, font: NOTE_FONT }]);
  }

  /** An empty row (between blocks of one sheet). */
  async blank(): Promise<void> {
    await this.sheet.row([]);
  }

  private styleOf(column: number, spec: CellSpec, date: boolean): number {
    if (!spec.colour && !spec.font) return (date ? this.dates : this.base)[column] ?? 0;
    const key = `${column}|${date}|${JSON.stringify(spec.colour ?? null)}|${JSON.stringify(spec.font ?? null)}`;
    let id = this.coloured.get(key);
    if (id === undefined) {
      const l = this.layout[column] ?? { width: 10 };
      const font = spec.font ?? spec.colour?.font;
      id = this.workbook.style({
        vertical: 'top',
        ...(l.wrap ? { wrap: true } : {}),
        ...(l.align ? { horizontal: l.align } : {}),
        ...(l.input ? INPUT_STYLE : {}),
        ...(spec.colour ? { fill: spec.colour.fill } : {}),
        ...(font ? { font } : {}),
        ...(date ? { numFmt: DATE_FORMAT } : {}),
      });
      this.coloured.set(key, id);
    }
    return id;
  }
}

/** The layout of a table: widths from the content, wrapping, alignment of numbers. */
export function tableLayout<T>(table: TableSheet<T>): ColumnLayout[] {
  return table.columns.map((c, i): ColumnLayout => ({
    width: c.width ?? fitWidth(c, table.rows),
    // Text in the last column has nothing to its right to stop it spilling out of the table
    // (and into the printed page width), so that column always wraps.
    wrap: (c.wrap ?? false) || i === table.columns.length - 1,
    ...(holdsNumbers(c, table.rows) && { align: 'center' }),
    ...(c.input ? { input: true } : {}),
  }));
}

/** Writes a whole table as its own worksheet, row by row. */
export async function writeTableSheet<T>(
  workbook: XlsxWriter,
  table: TableSheet<T>,
): Promise<void> {
  const layout = tableLayout(table);
  const writer = await TableWriter.open(
    workbook,
    table.name,
    layout,
    printSetup(
      layout.map((l) => l.width),
      table.repeatFirstColumn,
    ),
  );
  await writer.header(table.columns.map((c) => c.header));
  if (table.rows.length === 0 && table.emptyNote) await writer.note(table.emptyNote);
  const { columns, rows } = table;
  for (let r = 0; r < rows.length; r++) {
    const item = rows[r]!;
    const cells: CellSpec[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!;
      const value = c.value(item, r);
      const colour =
        c.colour?.(item) ?? (typeof value === 'string' ? c.colours?.[value] : undefined);
      cells[i] = colour ? { value, colour } : { value };
    }
    await writer.row(cells);
  }
  const lastRow = writer.sheet.rows;
  await writer.sheet.end({
    autoFilter: { lastRow, columns: columns.length },
    listValidations: (table.validations ?? []).map((v) => ({
      column: columns.findIndex((c) => c.header === v.header) + 1,
      firstRow: 2,
      // Room for rows the auditor adds below the table.
      lastRow: Math.max(lastRow, 2) + 200,
      values: v.values,
    })),
  });
}

function toCellValue(value: CellInput): string | number | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return yesNo(value);
  if (typeof value === 'string') return value === '' ? null : cellText(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

function holdsNumbers<T>(column: Column<T>, rows: readonly T[]): boolean {
  for (let i = 0; i < rows.length; i++) {
    const value = column.value(rows[i]!, i);
    if (value !== null && value !== undefined) return typeof value === 'number';
  }
  return false;
}

/** Width in characters from the header and the longest line among the first rows. */
export function fitWidth<T>(column: Column<T>, rows: readonly T[]): number {
  let longest = column.header.length + FILTER_BUTTON_CHARS;
  const sample = Math.min(rows.length, WIDTH_SAMPLE_ROWS);
  for (let i = 0; i < sample; i++) {
    longest = Math.max(longest, displayLength(column.value(rows[i]!, i)) + 2);
  }
  return Math.min(Math.max(longest, 8), column.maxWidth ?? DEFAULT_MAX_WIDTH);
}

/** Lines a cell shows: its line breaks, plus wrapping of long lines in a wrapped column. */
export function lineCount(value: CellInput, layout: ColumnLayout | undefined): number {
  if (typeof value !== 'string' || value.length === 0) return 1;
  const multiLine = value.includes('\n');
  if (!multiLine && (!layout?.wrap || value.length <= layout.width - 2)) return 1;
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
