import { createReadStream, ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { FileProblem } from './import-kinds';
import { OpenedEntry, openZipEntry, readZipDirectory } from './zip-archive';

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

/** Opens the file; an XLSX file's workbook parts are read here, so an unreadable one throws UnreadableFileError. */
export async function openTable(path: string, format: TableFormat): Promise<TableSource> {
  if (format === 'xlsx') return openFirstSheet(path);
  const { size } = await stat(path);
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  return {
    rows: csvRows(stream),
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

/**
 * The parts of ExcelJS's streaming WorkbookReader used here (exceljs is pinned: these are not its public
 * API). Each parses one part of the archive into the reader, which the worksheet reader then uses.
 */
interface WorkbookParts {
  workbookRels?: Array<{ Id: string; Target: string }>;
  model?: { sheets?: Array<{ rId: string }> };
  _parseRels(content: Readable): Promise<void>;
  _parseWorkbook(content: Readable): Promise<void>;
  _parseSharedStrings(content: Readable): AsyncIterable<unknown>;
  _parseStyles(content: Readable): Promise<void>;
  _parseWorksheet(content: Readable, sheetNo: string): Iterable<{ value: AsyncIterable<ExcelJS.Row> }>;
}

/**
 * The first worksheet (the first tab) of an XLSX workbook, streamed one row at a time (shared strings and
 * styles cached for dates).
 *
 * The archive is read through its central directory, each part when it is needed: relationships,
 * workbook, shared strings and styles, then the sheet. ExcelJS's own streaming reader reads the archive
 * in one pass in stored order and intermittently loses the entries stored after a point where it waits
 * (exceljs issue #3064); a workbook ExcelJS wrote stores xl/workbook.xml last, so a valid file was
 * refused as unreadable now and then.
 */
async function openFirstSheet(path: string): Promise<TableSource> {
  let sheet: OpenedEntry | undefined;
  try {
    const entries = await readZipDirectory(path);
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    }) as unknown as WorkbookParts;
    /** Parses one part if the archive has it; says whether it had. */
    const readPart = async (name: string, parse: (content: Readable) => Promise<void>) => {
      const entry = entries.get(name);
      if (!entry) return false;
      const { content } = await openZipEntry(path, entry);
      try {
        await parse(content);
      } finally {
        content.destroy();
      }
      return true;
    };
    await readPart('xl/_rels/workbook.xml.rels', (content) => reader._parseRels(content));
    if (!(await readPart('xl/workbook.xml', (content) => reader._parseWorkbook(content)))) {
      throw new UnreadableFileError('unreadable');
    }
    await readPart('xl/sharedStrings.xml', async (content) => {
      for await (const _ of reader._parseSharedStrings(content)) {
        // With sharedStrings 'cache' nothing is emitted: the reader keeps the strings.
      }
    });
    await readPart('xl/styles.xml', (content) => reader._parseStyles(content));
    const name = firstSheetName(reader);
    const entry = name === null ? undefined : entries.get(name);
    if (!entry) throw new UnreadableFileError('unreadable');
    sheet = await openZipEntry(path, entry);
    const { content, compressedBytesRead } = sheet;
    const [emitted] = reader._parseWorksheet(content, /sheet(\d+)\.xml$/.exec(entry.name)?.[1] ?? '1');
    return {
      rows: sheetRows(emitted.value, content),
      fileBytes: entry.compressedSize,
      bytesRead: compressedBytesRead,
      close: () => content.destroy(),
    };
  } catch (error) {
    sheet?.content.destroy();
    throw error instanceof UnreadableFileError ? error : new UnreadableFileError('unreadable');
  }
}

/** The archive path of the workbook's first tab, from xl/workbook.xml and its relationships. */
function firstSheetName(reader: WorkbookParts): string | null {
  const rId = reader.model?.sheets?.[0]?.rId;
  const target = reader.workbookRels?.find((rel) => rel.Id === rId)?.Target;
  if (!target) return null;
  return target.startsWith('/') ? target.slice(1) : posix.normalize(posix.join('xl', target));
}

async function* sheetRows(worksheet: AsyncIterable<ExcelJS.Row>, content: Readable): AsyncGenerator<TableRow> {
  try {
    for await (const row of worksheet) {
      const values = Array.isArray(row.values) ? row.values : [];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]).trim());
      yield { row: row.number, cells };
    }
  } catch (error) {
    if (error instanceof MalformedRowError || error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError('unreadable');
  } finally {
    content.destroy();
  }
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
