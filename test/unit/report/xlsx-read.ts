/** Reading a written workbook back: with exceljs as a user's spreadsheet would, and as raw XML. */
import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';

// exceljs depends on jszip; the tests use it to look inside the package.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const JSZip = require('jszip') as {
  loadAsync(data: Buffer): Promise<{
    files: Record<string, { name: string; async(type: 'string'): Promise<string> }>;
  }>;
};

export async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

/** Every XML part of the package, by name (e.g. `xl/worksheets/sheet1.xml`). */
export async function readXmlParts(path: string): Promise<Map<string, string>> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const parts = new Map<string, string>();
  for (const file of Object.values(zip.files)) {
    if (file.name.endsWith('.xml') || file.name.endsWith('.rels')) {
      parts.set(file.name, await file.async('string'));
    }
  }
  return parts;
}

/** A cell's value with inline strings (read back as rich text) as plain strings. */
export function plain(value: ExcelJS.CellValue): ExcelJS.CellValue {
  if (value !== null && typeof value === 'object' && 'richText' in value) {
    return value.richText.map((run) => run.text).join('');
  }
  return value;
}

/** True when a cell holds text and nothing a spreadsheet would evaluate. */
export function isTextCell(cell: ExcelJS.Cell): boolean {
  const textTypes = [ExcelJS.ValueType.String, ExcelJS.ValueType.RichText];
  return textTypes.includes(cell.type) && cell.formula === undefined;
}

export function sheetValues(sheet: ExcelJS.Worksheet): ExcelJS.CellValue[][] {
  const rows: ExcelJS.CellValue[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    rows[n - 1] = (row.values as ExcelJS.CellValue[]).slice(1).map(plain);
  });
  return rows;
}

export function headers(sheet: ExcelJS.Worksheet): string[] {
  return (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => String(plain(v)));
}

/** The cells of a column whose header is `header`, data rows only. */
export function column(sheet: ExcelJS.Worksheet, header: string): ExcelJS.Cell[] {
  const index = headers(sheet).indexOf(header) + 1;
  if (index === 0)
    throw new Error(`no column ${header} in ${sheet.name}: ${headers(sheet).join(', ')}`);
  const cells: ExcelJS.Cell[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) cells.push(sheet.getRow(r).getCell(index));
  return cells;
}
