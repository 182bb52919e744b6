import { createReadStream } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';

/**
 * Reading the parts of a ZIP archive (an XLSX file) through its central directory, each part on its own
 * and in any order, one stream at a time: nothing but the directory is held in memory.
 */

/** The file is not a ZIP archive this reader can open (damaged, truncated, encrypted, unknown compression). */
export class BadArchiveError extends Error {
  constructor(reason: string) {
    super(`Bad ZIP archive: ${reason}`);
  }
}

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated. */
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
}

export interface OpenedEntry {
  /** The entry's content, inflated. */
  content: Readable;
  /** How many bytes of the entry's stored (compressed) data were read so far. */
  compressedBytesRead: () => number;
}

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_OF_DIRECTORY_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const ZIP64_EXTRA = 0x0001;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new BadArchiveError('truncated');
  return buffer;
}

/** The archive's entries by name, from its central directory (ZIP64 included). */
export async function readZipDirectory(path: string): Promise<Map<string, ZipEntry>> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, END_OF_DIRECTORY_BYTES + MAX_COMMENT_BYTES);
    if (tailLength < END_OF_DIRECTORY_BYTES) throw new BadArchiveError('too short');
    const tailStart = size - tailLength;
    const tail = await readAt(handle, tailStart, tailLength);
    let end = -1;
    for (let i = tail.length - END_OF_DIRECTORY_BYTES; i >= 0 && end < 0; i--) {
      if (tail.readUInt32LE(i) === END_OF_DIRECTORY) end = i;
    }
    if (end < 0) throw new BadArchiveError('no end of central directory');
    let count = tail.readUInt16LE(end + 10);
    let directorySize = tail.readUInt32LE(end + 12);
    let directoryOffset = tail.readUInt32LE(end + 16);
    if (count === U16_MAX || directorySize === U32_MAX || directoryOffset === U32_MAX) {
      const locatorAt = tailStart + end - 20;
      if (locatorAt < 0) throw new BadArchiveError('no ZIP64 locator');
      const locator = await readAt(handle, locatorAt, 20);
      if (locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new BadArchiveError('no ZIP64 locator');
      const record = await readAt(handle, Number(locator.readBigUInt64LE(8)), 56);
      if (record.readUInt32LE(0) !== ZIP64_END_OF_DIRECTORY) throw new BadArchiveError('no ZIP64 end of directory');
      count = Number(record.readBigUInt64LE(32));
      directorySize = Number(record.readBigUInt64LE(40));
      directoryOffset = Number(record.readBigUInt64LE(48));
    }
    if (directoryOffset + directorySize > size) throw new BadArchiveError('directory outside the file');
    const directory = await readAt(handle, directoryOffset, directorySize);
    const entries = new Map<string, ZipEntry>();
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > directory.length || directory.readUInt32LE(at) !== DIRECTORY_ENTRY) {
        throw new BadArchiveError('damaged directory');
      }
      const flags = directory.readUInt16LE(at + 8);
      const method = directory.readUInt16LE(at + 10);
      let compressedSize = directory.readUInt32LE(at + 20);
      let uncompressedSize = directory.readUInt32LE(at + 24);
      const nameLength = directory.readUInt16LE(at + 28);
      const extraLength = directory.readUInt16LE(at + 30);
      const commentLength = directory.readUInt16LE(at + 32);
      let localHeaderOffset = directory.readUInt32LE(at + 42);
      const nameEnd = at + 46 + nameLength;
      const extraEnd = nameEnd + extraLength;
      if (extraEnd + commentLength > directory.length) throw new BadArchiveError('damaged directory');
      const name = directory.toString('utf8', at + 46, nameEnd);
      // ZIP64: the sizes and offset that do not fit 32 bits are in an extra field, in this order.
      for (let x = nameEnd; x + 4 <= extraEnd;) {
        const id = directory.readUInt16LE(x);
        const length = directory.readUInt16LE(x + 2);
        if (id === ZIP64_EXTRA) {
          let value = x + 4;
          const next = () => {
            if (value + 8 > x + 4 + length) throw new BadArchiveError('damaged ZIP64 field');
            const read = Number(directory.readBigUInt64LE(value));
            value += 8;
            return read;
          };
          if (uncompressedSize === U32_MAX) uncompressedSize = next();
          if (compressedSize === U32_MAX) compressedSize = next();
          if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
        }
        x += 4 + length;
      }
      if (flags & 0x1) throw new BadArchiveError('encrypted');
      if (method !== 0 && method !== 8) throw new BadArchiveError('unknown compression');
      if (localHeaderOffset + compressedSize > size) throw new BadArchiveError('entry outside the file');
      entries.set(name, { name, method, compressedSize, localHeaderOffset });
      at = extraEnd + commentLength;
    }
    return entries;
  } finally {
    await handle.close();
  }
}

/** Opens one entry for reading; destroying `content` closes the file. */
export async function openZipEntry(path: string, entry: ZipEntry): Promise<OpenedEntry> {
  const handle = await open(path, 'r');
  let dataStart: number;
  try {
    // The local header's name and extra field may differ in length from the directory's.
    const header = await readAt(handle, entry.localHeaderOffset, 30);
    if (header.readUInt32LE(0) !== LOCAL_HEADER) throw new BadArchiveError('damaged entry');
    dataStart = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  } finally {
    await handle.close();
  }
  if (entry.compressedSize === 0) return { content: Readable.from([]), compressedBytesRead: () => 0 };
  const raw = createReadStream(path, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const content =
    entry.method === 0
      ? raw
      : // Errors reach the consumer through the inflated stream; destroying it closes the file.
        pipeline(raw, createInflateRaw(), () => undefined);
  return { content, compressedBytesRead: () => raw.bytesRead };
}
