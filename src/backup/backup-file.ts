import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Transform, TransformCallback } from 'node:stream';

/**
 * The encrypted backup file:
 *
 *   "NHIPCAU-BACKUP" | format version (1 byte) | header length (uint16 BE) | header (JSON, UTF-8)
 *   then chunks: plaintext length (uint32 BE) | ciphertext | GCM tag (16 bytes)
 *
 * The header says what the backup holds (`kind`), which backup key sealed it (`keyId`, a fingerprint,
 * never the key), when, and the random salt of this file. Each file gets its own AES-256-GCM key,
 * HKDF(BACKUP_KEY, salt), and each chunk its own tag. The whole header is the additional data of every
 * chunk, and the nonce holds the chunk's number and a "last chunk" flag, so an altered header, chunks
 * swapped, dropped or cut off, or bytes after the last chunk all fail authentication.
 */
export const BACKUP_MAGIC = Buffer.from('NHIPCAU-BACKUP', 'ascii');
export const FORMAT_VERSION = 1;
/** Plaintext bytes per chunk (the last one may be shorter, even empty). */
export const CHUNK_SIZE = 64 * 1024;

const TAG_LENGTH = 16;
const SALT_LENGTH = 32;
const MAX_HEADER_LENGTH = 4096;
const KEY_INFO = 'nhipcau-backup-v1';

/** What the backup holds: a pg_dump archive of the PostgreSQL server, or the embedded database's data directory. */
export type BackupKind = 'pg' | 'embedded';

export interface BackupHeader {
  kind: BackupKind;
  /** Fingerprint of the backup key that sealed the file (see `backupKeyId`). */
  keyId: string;
  /** ISO 8601 instant the backup was started. */
  createdAt: string;
  /** Base64, 32 random bytes: makes this file's encryption key unique. */
  salt: string;
}

/** The file is not a usable backup (not one of ours, another key, altered or cut off): nothing was restored. */
export class BackupFileError extends Error {}

/** A short, stable, non-secret name for a backup key: which key a file needs, without revealing it. */
export function backupKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('nhipcau backup key id').digest('hex').slice(0, 16);
}

export function newHeader(kind: BackupKind, key: Buffer, createdAt: Date): BackupHeader {
  return {
    kind,
    keyId: backupKeyId(key),
    createdAt: createdAt.toISOString(),
    salt: randomBytes(SALT_LENGTH).toString('base64'),
  };
}

function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const lengths = Buffer.alloc(3);
  lengths.writeUInt8(FORMAT_VERSION, 0);
  lengths.writeUInt16BE(json.length, 1);
  return Buffer.concat([BACKUP_MAGIC, lengths, json]);
}

function fileKey(key: Buffer, header: BackupHeader): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.from(header.salt, 'base64'), KEY_INFO, 32));
}

function nonceOf(index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUInt32BE(index, 7);
  nonce.writeUInt8(last ? 1 : 0, 11);
  return nonce;
}

const isKind = (value: unknown): value is BackupKind => value === 'pg' || value === 'embedded';

/** Parses the header at the start of `bytes`; `undefined` while more bytes are needed. */
function parseHeader(bytes: Buffer): { header: BackupHeader; raw: Buffer } | undefined {
  const prefix = Math.min(bytes.length, BACKUP_MAGIC.length);
  if (!bytes.subarray(0, prefix).equals(BACKUP_MAGIC.subarray(0, prefix))) {
    throw new BackupFileError('This file is not a Nhịp Cầu backup.');
  }
  if (bytes.length < BACKUP_MAGIC.length + 3) return undefined;
  const version = bytes.readUInt8(BACKUP_MAGIC.length);
  if (version !== FORMAT_VERSION) {
    throw new BackupFileError(`This backup has format version ${version}; this version of the app reads version ${FORMAT_VERSION}.`);
  }
  const length = bytes.readUInt16BE(BACKUP_MAGIC.length + 1);
  if (length > MAX_HEADER_LENGTH) throw new BackupFileError('The backup file is damaged (its header is unreadable).');
  const end = BACKUP_MAGIC.length + 3 + length;
  if (bytes.length < end) return undefined;
  let parsed: Partial<BackupHeader>;
  try {
    parsed = JSON.parse(bytes.subarray(BACKUP_MAGIC.length + 3, end).toString('utf8')) as Partial<BackupHeader>;
  } catch {
    throw new BackupFileError('The backup file is damaged (its header is unreadable).');
  }
  const salt = typeof parsed.salt === 'string' ? Buffer.from(parsed.salt, 'base64') : Buffer.alloc(0);
  if (
    !isKind(parsed.kind) ||
    typeof parsed.keyId !== 'string' ||
    typeof parsed.createdAt !== 'string' ||
    Number.isNaN(Date.parse(parsed.createdAt)) ||
    salt.length !== SALT_LENGTH
  ) {
    throw new BackupFileError('The backup file is damaged (its header is unreadable).');
  }
  const header: BackupHeader = {
    kind: parsed.kind,
    keyId: parsed.keyId,
    createdAt: parsed.createdAt,
    salt: parsed.salt as string,
  };
  return { header, raw: bytes.subarray(0, end) };
}

/** Reads only the header of a backup file (to check its kind and key before anything else). */
export async function readBackupHeader(path: string): Promise<BackupHeader> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(BACKUP_MAGIC.length + 3 + MAX_HEADER_LENGTH);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const parsed = parseHeader(buffer.subarray(0, bytesRead));
    if (!parsed) {
      throw new BackupFileError(
        bytesRead < BACKUP_MAGIC.length ? 'This file is not a Nhịp Cầu backup.' : 'The backup file is cut off.',
      );
    }
    return parsed.header;
  } finally {
    await file.close();
  }
}

/** Refuses a file sealed with another backup key, saying which key it needs (by fingerprint). */
export function assertKeyMatches(header: BackupHeader, key: Buffer): void {
  const ours = backupKeyId(key);
  if (header.keyId !== ours) {
    throw new BackupFileError(
      `This backup was sealed with another backup key (key id ${header.keyId}; BACKUP_KEY has key id ${ours}). ` +
        'Set BACKUP_KEY to the key that was in use when the backup was taken.',
    );
  }
}

/** Plaintext in, backup file out: the header, then sealed chunks, the last one flagged. */
export class BackupEncryptor extends Transform {
  private readonly key: Buffer;
  private readonly aad: Buffer;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private index = 0;

  constructor(key: Buffer, header: BackupHeader) {
    super();
    this.key = fileKey(key, header);
    this.aad = encodeHeader(header);
    this.push(this.aad);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    // Keep at least one byte back: the chunk that ends the stream must be the one flagged last.
    if (this.pendingLength > CHUNK_SIZE) {
      const all = Buffer.concat(this.pending);
      let offset = 0;
      while (all.length - offset > CHUNK_SIZE) {
        this.push(this.seal(all.subarray(offset, offset + CHUNK_SIZE), false));
        offset += CHUNK_SIZE;
      }
      this.pending = [all.subarray(offset)];
      this.pendingLength = all.length - offset;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(this.seal(Buffer.concat(this.pending), true));
    this.pending = [];
    done();
  }

  private seal(plaintext: Buffer, last: boolean): Buffer {
    if (this.index > 0xffffffff) throw new Error('The backup is too large (more than 2^32 chunks).');
    const cipher = createCipheriv('aes-256-gcm', this.key, nonceOf(this.index++, last));
    cipher.setAAD(this.aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(plaintext.length);
    return Buffer.concat([length, body, cipher.getAuthTag()]);
  }
}

/**
 * Backup file in, plaintext out: each chunk is passed on only once its tag has verified. The stream
 * fails with a BackupFileError on a foreign file, another key, any altered byte, or a missing end, so
 * a reader must treat its output as usable only when the stream has finished without error.
 */
export class BackupDecryptor extends Transform {
  /** The header, once read. */
  header: BackupHeader | undefined;
  private key: Buffer | undefined;
  private aad: Buffer = Buffer.alloc(0);
  private buffered: Buffer = Buffer.alloc(0);
  private index = 0;
  private ended = false;

  constructor(private readonly backupKey: Buffer) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.drain();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.header) {
      done(
        new BackupFileError(
          this.buffered.length < BACKUP_MAGIC.length
            ? 'This file is not a Nhịp Cầu backup.'
            : 'The backup file is cut off.',
        ),
      );
    } else if (!this.ended) {
      done(new BackupFileError('The backup file is cut off (its end is missing): it cannot be restored.'));
    } else {
      done();
    }
  }

  private drain(): void {
    if (!this.header) {
      const parsed = parseHeader(this.buffered);
      if (!parsed) return;
      assertKeyMatches(parsed.header, this.backupKey);
      this.header = parsed.header;
      this.aad = Buffer.from(parsed.raw);
      this.key = fileKey(this.backupKey, parsed.header);
      this.buffered = this.buffered.subarray(parsed.raw.length);
    }
    while (this.buffered.length > 0) {
      if (this.ended) throw new BackupFileError('The backup file has been altered (bytes after its end).');
      if (this.buffered.length < 4) return;
      const length = this.buffered.readUInt32BE(0);
      if (length > CHUNK_SIZE) throw this.altered();
      const total = 4 + length + TAG_LENGTH;
      if (this.buffered.length < total) return;
      this.open(this.buffered.subarray(4, 4 + length), this.buffered.subarray(4 + length, total));
      this.buffered = this.buffered.subarray(total);
    }
  }

  private open(ciphertext: Buffer, tag: Buffer): void {
    // A chunk verifies either as a middle chunk or as the last one, never both.
    for (const last of [false, true]) {
      const decipher = createDecipheriv('aes-256-gcm', this.key!, nonceOf(this.index, last));
      decipher.setAAD(this.aad);
      decipher.setAuthTag(tag);
      const plaintext = decipher.update(ciphertext);
      try {
        decipher.final();
      } catch {
        continue;
      }
      this.index++;
      this.ended = last;
      this.push(plaintext);
      return;
    }
    throw this.altered();
  }

  private altered(): BackupFileError {
    return new BackupFileError(
      `The backup file has been altered or damaged (chunk ${this.index + 1} fails its integrity check): it cannot be restored.`,
    );
  }
}
