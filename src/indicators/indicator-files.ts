import { Workbook } from 'exceljs';
import { EXPORT_COLUMNS, ExportRow } from './indicator-table';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The indicator export as CSV (UTF-8, no BOM, CRLF line ends), header first (MISSION §6). */
export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(','), ...rows.map((row) => EXPORT_COLUMNS.map((c) => field(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The same rows as one XLSX sheet. Cells are text exactly as in the CSV (`<5`, `0.6667`, empty), so a
 * spreadsheet never turns a hidden mark or a date into something else.
 */
export async function toXlsx(rows: readonly ExportRow[]): Promise<Buffer> {
  const workbook = new Workbook();
  const sheet = workbook.addWorksheet('indicators');
  sheet.addRow([...EXPORT_COLUMNS]);
  for (const row of rows) sheet.addRow(EXPORT_COLUMNS.map((c) => row[c]));
  sheet.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The file name of an export: the period only (never a code or a name). */
export const exportFileName = (start: string, end: string, format: ExportFormat) =>
  `indicators_${start}_${end}.${format}`;
