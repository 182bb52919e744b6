import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BACKUP_MAGIC,
  BackupDecryptor,
  BackupEncryptor,
  BackupFileError,
  backupKeyId,
  CHUNK_SIZE,
  newHeader,
  readBackupHeader,
} from './backup-file';

const KEY = Buffer.alloc(32, 3);
const OTHER_KEY = Buffer.alloc(32, 4);
const CREATED = new Date('2026-03-02T01:02:03Z');

async function collect(source: Readable, transform: NodeJS.ReadWriteStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(
    source,
    transform,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(parts);
}

/** Writes the plaintext in pieces of `piece` bytes, as a pipe from pg_dump would. */
function piecesOf(data: Buffer, piece = 10_000): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) pieces.push(data.subarray(i, i + piece));
  return Readable.from(pieces);
}

const seal = (plaintext: Buffer, key = KEY) =>
  collect(piecesOf(plaintext), new BackupEncryptor(key, newHeader('pg', key, CREATED)));
const unseal = (file: Buffer, key = KEY) => collect(Readable.from([file]), new BackupDecryptor(key));

const headerLength = (file: Buffer) => BACKUP_MAGIC.length + 3 + file.readUInt16BE(BACKUP_MAGIC.length + 1);

describe('encrypted backup file', () => {
  it.each([
    ['empty', 0],
    ['shorter than a chunk', 1234],
    ['exactly one chunk', CHUNK_SIZE],
    ['several chunks and a partial one', 3 * CHUNK_SIZE + 17],
  ])('gives back exactly what was sealed (%s)', async (_name, size) => {
    const plaintext = randomBytes(size);
    const file = await seal(plaintext);
    expect(file.subarray(0, BACKUP_MAGIC.length).toString('ascii')).toBe('NHIPCAU-BACKUP');
    expect(file.includes(plaintext.subarray(0, Math.min(size, 64)))).toBe(size === 0);
    expect((await unseal(file)).equals(plaintext)).toBe(true);
  });

  it('names its key by a fingerprint in a readable header, never by the key itself', async () => {
    const file = await seal(Buffer.from('data'));
    const header = JSON.parse(file.subarray(BACKUP_MAGIC.length + 3, headerLength(file)).toString('utf8'));
    expect(header).toMatchObject({ kind: 'pg', keyId: backupKeyId(KEY), createdAt: CREATED.toISOString() });
    expect(file.includes(KEY)).toBe(false);
    expect(file.toString('latin1')).not.toContain(KEY.toString('base64'));
  });

  it('encrypts each file under its own key (two backups of the same data differ)', async () => {
    const plaintext = Buffer.alloc(1000, 1);
    const [a, b] = await Promise.all([seal(plaintext), seal(plaintext)]);
    expect(a.subarray(headerLength(a)).equals(b.subarray(headerLength(b)))).toBe(false);
  });

  it('refuses a file sealed with another key, naming both key ids', async () => {
    const file = await seal(Buffer.from('data'), OTHER_KEY);
    await expect(unseal(file)).rejects.toThrow(
      new RegExp(`another backup key \\(key id ${backupKeyId(OTHER_KEY)}; BACKUP_KEY has key id ${backupKeyId(KEY)}\\)`),
    );
  });

  it('refuses a file that is not a backup', async () => {
    await expect(unseal(randomBytes(5000))).rejects.toThrow(new BackupFileError('This file is not a Nhịp Cầu backup.'));
    await expect(unseal(Buffer.alloc(0))).rejects.toThrow(/not a Nhịp Cầu backup/);
    await expect(unseal(Buffer.from('PGDMP custom archive'))).rejects.toThrow(/not a Nhịp Cầu backup/);
  });

  it('refuses a file from a newer format version', async () => {
    const file = await seal(Buffer.from('data'));
    file.writeUInt8(2, BACKUP_MAGIC.length);
    await expect(unseal(file)).rejects.toThrow(/format version 2/);
  });

  it('refuses any single altered byte: header, length, ciphertext or tag', async () => {
    const file = await seal(randomBytes(2 * CHUNK_SIZE + 100));
    const start = headerLength(file);
    const header = file.subarray(BACKUP_MAGIC.length + 3, start).toString('utf8');
    const createdAtOffset = BACKUP_MAGIC.length + 3 + header.indexOf('2026');
    const positions = [createdAtOffset, start + 2, start + 4, start + 4 + CHUNK_SIZE + 5, file.length - 1];
    for (const position of positions) {
      const altered = Buffer.from(file);
      altered[position] ^= 0x01;
      await expect(unseal(altered)).rejects.toThrow(BackupFileError);
    }
  });

  it('refuses a file cut off anywhere, even at a chunk boundary', async () => {
    const file = await seal(randomBytes(2 * CHUNK_SIZE + 100));
    const boundary = headerLength(file) + 4 + CHUNK_SIZE + 16;
    for (const length of [10, headerLength(file) - 1, headerLength(file), boundary, boundary + 3, file.length - 1]) {
      await expect(unseal(file.subarray(0, length))).rejects.toThrow(/cut off|not a Nhịp Cầu backup/);
    }
  });

  it('refuses chunks swapped, or anything after the last chunk', async () => {
    const file = await seal(randomBytes(2 * CHUNK_SIZE + 100));
    const start = headerLength(file);
    const frame = 4 + CHUNK_SIZE + 16;
    const swapped = Buffer.concat([
      file.subarray(0, start),
      file.subarray(start + frame, start + 2 * frame),
      file.subarray(start, start + frame),
      file.subarray(start + 2 * frame),
    ]);
    await expect(unseal(swapped)).rejects.toThrow(/altered/);
    await expect(unseal(Buffer.concat([file, Buffer.from([0, 0, 0, 0])]))).rejects.toThrow(/after its end/);
    await expect(unseal(Buffer.concat([file, file]))).rejects.toThrow(/altered/);
  });

  it('reads the header alone from a file, and says when a file is not a backup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-backup-file-'));
    try {
      writeFileSync(join(dir, 'good'), await seal(Buffer.from('data')));
      writeFileSync(join(dir, 'bad'), 'hello');
      await expect(readBackupHeader(join(dir, 'good'))).resolves.toMatchObject({ kind: 'pg', keyId: backupKeyId(KEY) });
      await expect(readBackupHeader(join(dir, 'bad'))).rejects.toThrow(/not a Nhịp Cầu backup/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
