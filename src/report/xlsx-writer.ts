/**
 * A small SpreadsheetML (.xlsx, ECMA-376 Part 1) writer: worksheets streamed row by row into
 * a ZIP package, styles registered once and shared by id, strings written as inline strings.
 * It writes only what the reports use (text, numbers, dates, fills, fonts, borders, wrapping,
 * frozen header, auto-filter, list validation, print setup), which lets a 50,000-row sheet
 * cost string building and deflate instead of a cell object and a style lookup per cell.
 *
 * It never writes a formula: there is no API for one. Text cells are `t="inlineStr"`, never
 * `t="str"` (the type of a formula's cached result).
 */
import { ZipWriter, type ZipEntry } from './zip';

export interface FontSpec {
  bold?: boolean;
  italic?: boolean;
  /** ARGB, e.g. FFFFFFFF. */
  colour?: string;
}

export interface StyleSpec {
  font?: FontSpec;
  /** Solid fill colour, ARGB. */
  fill?: string;
  /** A thin bottom border in this colour (header rows). */
  bottomBorder?: string;
  /** A thin border around the cell in this colour (cells to fill in). */
  boxBorder?: string;
  horizontal?: 'left' | 'center';
  vertical?: 'top' | 'middle';
  wrap?: boolean;
  /** Number format code, e.g. a date format. */
  numFmt?: string;
}

export type CellValue = string | number | Date | null | undefined;

export interface Cell {
  value: CellValue;
  /** Style id from XlsxWriter.style(); 0 is the default style. */
  style: number;
}

export interface SheetOptions {
  /** Column widths in characters (Excel's unit: widths of the digit 0). */
  widths: readonly number[];
  /** Rows frozen at the top (the header). */
  frozenRows?: number;
  print: PrintSetup;
}

export interface PrintSetup {
  landscape: boolean;
  /** Fit all columns on the page width; otherwise print at `scale` percent. */
  fitToWidth: boolean;
  scale?: number;
  /** Rows repeated at the top of every printed page, e.g. 1 for the header. */
  titleRows?: number;
  /** Columns repeated at the left of every page, e.g. 1 for an id column. */
  titleColumns?: number;
}

export interface SheetEnd {
  /** Auto-filter over rows 1..lastRow and the first `columns` columns. */
  autoFilter?: { lastRow: number; columns: number };
  /** Drop-down lists: cells of a column limited to the given values. */
  listValidations?: Array<{ column: number; firstRow: number; lastRow: number; values: string[] }>;
}

interface SheetRecord {
  name: string;
  autoFilter?: string;
  printTitles?: string;
}

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const REL_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
// Rows per chunk handed to deflate: big enough to amortise the call, small enough to stay flat.
const ROWS_PER_CHUNK = 500;
// A4 (ECMA-376 Part 1, 18.3.1.63 paperSize).
const PAPER_A4 = 9;
const MS_PER_DAY = 86_400_000;
// Serial number of 1970-01-01 in the 1900 date system.
const EPOCH_SERIAL = 25569;

const XML_SPECIAL = /[&<>"]/;

export function escapeXml(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  return text.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** A1-style column letters of a 1-based column number. */
export function columnLetters(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26))
    s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function quoteSheet(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

export class XlsxWriter {
  private readonly zip: ZipWriter;
  private readonly sheets: SheetRecord[] = [];
  private readonly styleIds = new Map<string, number>();
  private readonly styles: StyleSpec[] = [{}];
  private open: SheetWriter | undefined;

  constructor(
    path: string,
    private readonly meta: { creator: string; created: Date; title: string; subject: string },
  ) {
    this.zip = new ZipWriter(path, 3, meta.created);
  }

  /** Registers a style once and returns its id; equal specs share one id. */
  style(spec: StyleSpec): number {
    const key = JSON.stringify(spec);
    let id = this.styleIds.get(key);
    if (id === undefined) {
      id = this.styles.length;
      this.styles.push(spec);
      this.styleIds.set(key, id);
    }
    return id;
  }

  async addSheet(name: string, options: SheetOptions): Promise<SheetWriter> {
    if (this.open) throw new Error(`sheet ${this.open.name} is still open`);
    const index = this.sheets.length;
    const record: SheetRecord = { name };
    this.sheets.push(record);
    const entry = await this.zip.open(`xl/worksheets/sheet${index + 1}.xml`);
    this.open = new SheetWriter(name, entry, options, record, () => (this.open = undefined));
    await this.open.start();
    return this.open;
  }

  async close(): Promise<void> {
    if (this.open) throw new Error(`sheet ${this.open.name} is still open`);
    const { zip } = this;
    await zip.add('[Content_Types].xml', this.contentTypes());
    await zip.add(
      '_rels/.rels',
      `${XML_DECL}<Relationships xmlns="${PKG_REL}">` +
        `<Relationship Id="rId1" Type="${REL_TYPE}/officeDocument" Target="xl/workbook.xml"/>` +
        `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
        `<Relationship Id="rId3" Type="${REL_TYPE}/extended-properties" Target="docProps/app.xml"/>` +
        `</Relationships>`,
    );
    await zip.add('docProps/core.xml', this.coreProperties());
    await zip.add(
      'docProps/app.xml',
      `${XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>drperm</Application></Properties>`,
    );
    await zip.add('xl/workbook.xml', this.workbookXml());
    await zip.add('xl/_rels/workbook.xml.rels', this.workbookRels());
    await zip.add('xl/styles.xml', this.stylesXml());
    await zip.close();
  }

  /** Abandons the file after an error. */
  destroy(): void {
    this.zip.destroy();
  }

  private contentTypes(): string {
    const sheets = this.sheets
      .map(
        (_s, i) =>
          `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
      )
      .join('');
    return (
      `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
      `<Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      sheets +
      `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
      `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
      `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
      `</Types>`
    );
  }

  private coreProperties(): string {
    const when = this.meta.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const e = escapeXml;
    return (
      `${XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
      `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
      `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
      `<dc:creator>${e(this.meta.creator)}</dc:creator><cp:lastModifiedBy>${e(this.meta.creator)}</cp:lastModifiedBy>` +
      `<dc:title>${e(this.meta.title)}</dc:title><dc:subject>${e(this.meta.subject)}</dc:subject>` +
      `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
      `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
      `</cp:coreProperties>`
    );
  }

  private workbookXml(): string {
    const sheets = this.sheets
      .map((s, i) => `<sheet name="${escapeXml(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
      .join('');
    const names: string[] = [];
    this.sheets.forEach((s, i) => {
      if (s.autoFilter) {
        names.push(
          `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">${escapeXml(s.autoFilter)}</definedName>`,
        );
      }
      if (s.printTitles) {
        names.push(
          `<definedName name="_xlnm.Print_Titles" localSheetId="${i}">${escapeXml(s.printTitles)}</definedName>`,
        );
      }
    });
    return (
      `${XML_DECL}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
      `<bookViews><workbookView activeTab="0"/></bookViews><sheets>${sheets}</sheets>` +
      (names.length > 0 ? `<definedNames>${names.join('')}</definedNames>` : '') +
      `</workbook>`
    );
  }

  private workbookRels(): string {
    const n = this.sheets.length;
    const sheets = this.sheets
      .map(
        (_s, i) =>
          `<Relationship Id="rId${i + 1}" Type="${REL_TYPE}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
      )
      .join('');
    return (
      `${XML_DECL}<Relationships xmlns="${PKG_REL}">${sheets}` +
      `<Relationship Id="rId${n + 1}" Type="${REL_TYPE}/styles" Target="styles.xml"/></Relationships>`
    );
  }

  private stylesXml(): string {
    const fonts = new Registry();
    const fills = new Registry();
    const borders = new Registry();
    const formats = new Registry();
    // Every font names its face: a font without one makes LibreOffice fall back to serif.
    const font = (f: FontSpec = {}) =>
      `<font>${f.bold ? '<b/>' : ''}${f.italic ? '<i/>' : ''}<sz val="11"/>` +
      `${f.colour ? `<color rgb="${f.colour}"/>` : '<color theme="1"/>'}<name val="Calibri"/><family val="2"/></font>`;
    fonts.id(font());
    // Fill 0 and 1 are reserved (none, gray125) by the spec.
    fills.id('<fill><patternFill patternType="none"/></fill>');
    fills.id('<fill><patternFill patternType="gray125"/></fill>');
    borders.id('<border><left/><right/><top/><bottom/><diagonal/></border>');
    const side = (name: string, colour?: string) =>
      colour ? `<${name} style="thin"><color rgb="${colour}"/></${name}>` : `<${name}/>`;
    const xfs = this.styles.map((s) => {
      const fontId = fonts.id(font(s.font));
      const fillId = s.fill
        ? fills.id(
            `<fill><patternFill patternType="solid"><fgColor rgb="${s.fill}"/><bgColor rgb="${s.fill}"/></patternFill></fill>`,
          )
        : 0;
      const box = s.boxBorder;
      const bottom = s.bottomBorder ?? box;
      const borderId =
        bottom || box
          ? borders.id(
              `<border>${side('left', box)}${side('right', box)}${side('top', box)}` +
                `${side('bottom', bottom)}<diagonal/></border>`,
            )
          : 0;
      const numFmtId = s.numFmt ? 164 + formats.id(s.numFmt) : 0;
      const align =
        s.horizontal || s.vertical || s.wrap
          ? `<alignment${s.horizontal ? ` horizontal="${s.horizontal}"` : ''}${s.vertical ? ` vertical="${s.vertical === 'middle' ? 'center' : 'top'}"` : ''}${s.wrap ? ' wrapText="1"' : ''}/>`
          : '';
      return (
        `<xf numFmtId="${numFmtId}" fontId="${fontId}" fillId="${fillId}" borderId="${borderId}" xfId="0"` +
        `${numFmtId ? ' applyNumberFormat="1"' : ''}${fontId ? ' applyFont="1"' : ''}${fillId ? ' applyFill="1"' : ''}` +
        `${borderId ? ' applyBorder="1"' : ''}${align ? ` applyAlignment="1">${align}</xf>` : '/>'}`
      );
    });
    const numFmts = formats.items
      .map((code, i) => `<numFmt numFmtId="${164 + i}" formatCode="${escapeXml(code)}"/>`)
      .join('');
    return (
      `${XML_DECL}<styleSheet xmlns="${NS_MAIN}">` +
      (numFmts ? `<numFmts count="${formats.items.length}">${numFmts}</numFmts>` : '') +
      `<fonts count="${fonts.items.length}">${fonts.items.join('')}</fonts>` +
      `<fills count="${fills.items.length}">${fills.items.join('')}</fills>` +
      `<borders count="${borders.items.length}">${borders.items.join('')}</borders>` +
      `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
      `<cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs>` +
      `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
      `</styleSheet>`
    );
  }
}

class Registry {
  readonly items: string[] = [];
  private readonly index = new Map<string, number>();
  id(xml: string): number {
    let id = this.index.get(xml);
    if (id === undefined) {
      id = this.items.length;
      this.items.push(xml);
      this.index.set(xml, id);
    }
    return id;
  }
}

/** One worksheet being written: rows in order, then end(). */
export class SheetWriter {
  private rowNumber = 0;
  private buffer: string[] = [];
  private readonly letters: string[];

  constructor(
    readonly name: string,
    private readonly entry: ZipEntry,
    private readonly options: SheetOptions,
    private readonly record: SheetRecord,
    private readonly onEnd: () => void,
  ) {
    this.letters = options.widths.map((_w, i) => columnLetters(i + 1));
  }

  /** Rows written so far (the number of the last row). */
  get rows(): number {
    return this.rowNumber;
  }

  async start(): Promise<void> {
    const { widths, frozenRows, print } = this.options;
    const cols = widths
      .map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`)
      .join('');
    const pane =
      frozenRows && frozenRows > 0
        ? `<pane ySplit="${frozenRows}" topLeftCell="A${frozenRows + 1}" activePane="bottomLeft" state="frozen"/>` +
          `<selection pane="bottomLeft" activeCell="A${frozenRows + 1}" sqref="A${frozenRows + 1}"/>`
        : '';
    await this.entry.write(
      `${XML_DECL}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
        `<sheetPr>${print.fitToWidth ? '<pageSetUpPr fitToPage="1"/>' : ''}</sheetPr>` +
        `<sheetViews><sheetView workbookViewId="0">${pane}</sheetView></sheetViews>` +
        `<sheetFormatPr defaultRowHeight="15"/>` +
        (cols ? `<cols>${cols}</cols>` : '') +
        `<sheetData>`,
    );
  }

  /** Appends a row; `height` in points when the content needs more than one line. */
  async row(cells: ReadonlyArray<Cell | undefined>, height?: number): Promise<void> {
    const r = ++this.rowNumber;
    let xml = height ? `<row r="${r}" ht="${height}" customHeight="1">` : `<row r="${r}">`;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      if (!cell) continue;
      const ref = `${this.letters[i] ?? columnLetters(i + 1)}${r}`;
      const s = cell.style ? ` s="${cell.style}"` : '';
      const v = cell.value;
      if (v === null || v === undefined || v === '') {
        if (cell.style) xml += `<c r="${ref}"${s}/>`;
      } else if (typeof v === 'number' && Number.isFinite(v)) {
        xml += `<c r="${ref}"${s}><v>${v}</v></c>`;
      } else if (v instanceof Date) {
        xml += `<c r="${ref}"${s}><v>${v.getTime() / MS_PER_DAY + EPOCH_SERIAL}</v></c>`;
      } else {
        const text = String(v);
        const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : '';
        // One rich-text run: readers decode OOXML's _xHHHH_ escapes in it alike (exceljs
        // leaves them as they are in a bare <is><t>).
        xml += `<c r="${ref}"${s} t="inlineStr"><is><r><t${space}>${escapeXml(text)}</t></r></is></c>`;
      }
    }
    this.buffer.push(xml + '</row>');
    if (this.buffer.length >= ROWS_PER_CHUNK) await this.flush();
  }

  async end(end: SheetEnd = {}): Promise<void> {
    await this.flush();
    const { print, widths } = this.options;
    const quoted = quoteSheet(this.name);
    let tail = '</sheetData>';
    if (end.autoFilter) {
      const last = columnLetters(end.autoFilter.columns);
      const ref = `A1:${last}${end.autoFilter.lastRow}`;
      tail += `<autoFilter ref="${ref}"/>`;
      this.record.autoFilter = `${quoted}!$A$1:$${last}$${end.autoFilter.lastRow}`;
    }
    const lists = end.listValidations?.filter((l) => l.lastRow >= l.firstRow) ?? [];
    if (lists.length > 0) {
      tail += `<dataValidations count="${lists.length}">`;
      for (const l of lists) {
        const col = columnLetters(l.column);
        // A list validation's values: a quoted, comma-separated constant, not a cell formula.
        tail +=
          `<dataValidation type="list" allowBlank="1" showErrorMessage="1" sqref="${col}${l.firstRow}:${col}${l.lastRow}">` +
          `<formula1>${escapeXml(`"${l.values.join(',')}"`)}</formula1></dataValidation>`;
      }
      tail += '</dataValidations>';
    }
    tail +=
      `<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/>` +
      `<pageSetup paperSize="${PAPER_A4}" orientation="${print.landscape ? 'landscape' : 'portrait'}"` +
      (print.fitToWidth ? ' fitToWidth="1" fitToHeight="0"' : ` scale="${print.scale ?? 100}"`) +
      `/><headerFooter><oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter></headerFooter></worksheet>`;
    const titles: string[] = [];
    if (print.titleColumns) {
      titles.push(`${quoted}!$A:$${columnLetters(Math.min(print.titleColumns, widths.length))}`);
    }
    if (print.titleRows) titles.push(`${quoted}!$1:$${print.titleRows}`);
    if (titles.length > 0) this.record.printTitles = titles.join(',');
    await this.entry.write(tail);
    await this.entry.end();
    this.onEnd();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    await this.entry.write(chunk);
  }
}
