import { createReadStream, ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { FileProblem } from './import-kinds';

export type TableFormat = 'csv' | 'xlsx';

/** One row of the file: its number as a spreadsheet shows it, and its cells as trimmed text. */
export interface TableRow {
  row: number;
  cells: string[];
}

/** The file cannot be read at all: nothing about its rows can be said. */
export class UnreadableFileError extends Error {
  constructor(readonly problem: FileProblem) {
    super(`Unreadable import file: ${problem}`);
  }
}

/** The file breaks off at a row (e.g. a quote never closed): the rows before it were read. */
export class MalformedRowError extends Error {
  constructor(readonly row: number) {
    super(`Malformed row ${row}`);
  }
}

/** The largest CSV record accepted; longer ones are not a register row, and would cost memory. */
const MAX_RECORD_CHARS = 100_000;

/**
 * CSV or XLSX, from the first bytes rather than the file name: an XLSX file is a ZIP archive, an old
 * Excel .xls file an OLE2 compound file, and a UTF-16 text file starts with its byte-order mark.
 */
export async function detectFormat(path: string): Promise<TableFormat | FileProblem> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead === 0) return 'empty_file';
    if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
    if (head.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) return 'unsupported_format';
    const bom2 = head.subarray(0, 2);
    if (bom2.equals(Buffer.from([0xff, 0xfe])) || bom2.equals(Buffer.from([0xfe, 0xff]))) return 'not_utf8';
    return 'csv';
  } finally {
    await handle.close();
  }
}

/** A file opened for one streaming pass: rows one at a time, and how far into the file the pass is. */
export interface TableSource {
  rows: AsyncIterable<TableRow>;
  fileBytes: number;
  bytesRead: () => number;
  close: () => void;
}

export async function openTable(path: string, format: TableFormat): Promise<TableSource> {
  const { size } = await stat(path);
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  return {
    rows: format === 'csv' ? csvRows(stream) : xlsxRows(stream),
    fileBytes: size,
    bytesRead: () => stream.bytesRead,
    close: () => stream.destroy(),
  };
}

/**
 * UTF-8 CSV, with or without a byte-order mark. Row numbers count records as a spreadsheet counts rows
 * (a quoted cell spanning lines is one row; blank lines are rows too, skipped later).
 */
async function* csvRows(stream: ReadStream): AsyncGenerator<TableRow> {
  const parser = stream.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_CHARS,
    }),
  );
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      yield { row, cells: record.map((cell) => cell.trim()) };
    }
  } catch (error) {
    if (error instanceof MalformedRowError || !(error as { code?: string }).code?.startsWith('CSV_')) throw error;
    // The parser's message may quote the file's text: only the row number is kept.
    throw new MalformedRowError(row + 1);
  } finally {
    parser.destroy();
  }
}

/** The first worksheet of an XLSX workbook, streamed (shared strings and styles cached for dates). */
async function* xlsxRows(stream: ReadStream): AsyncGenerator<TableRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let sawSheet = false;
  try {
    for await (const worksheet of workbook) {
      sawSheet = true;
      for await (const row of worksheet) {
        const values = Array.isArray(row.values) ? row.values : [];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]).trim());
        yield { row: row.number, cells };
      }
      break; // the first sheet only
    }
  } catch (error) {
    if (error instanceof MalformedRowError || error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError('unreadable');
  } finally {
    stream.destroy();
  }
  if (!sawSheet) throw new UnreadableFileError('unreadable');
}

/** A cell's value as the text a person sees: dates as YYYY-MM-DD, formulas by their result. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as {
      richText?: Array<{ text?: string }>;
      text?: unknown;
      result?: unknown;
      error?: unknown;
    };
    if (Array.isArray(v.richText)) return v.richText.map((part) => part.text ?? '').join('');
    if ('result' in v) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error !== undefined) return String(v.error);
  }
  return '';
}
