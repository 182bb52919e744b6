import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EmbeddedDatabaseInUseError, embeddedPgdata, IN_MEMORY, openEmbeddedDatabase } from '../database/embedded';
import type { BackupDecryptor } from './backup-file';
import { TargetNotEmptyError } from './postgres-backup';

/** Nothing to back up, or nowhere to restore to (an in-memory database, or no database yet). */
export class NoEmbeddedDatabaseError extends Error {}

const hasDatabase = (dataDir: string) => existsSync(join(embeddedPgdata(dataDir), 'PG_VERSION'));

function assertOnDisk(dataDir: string): void {
  if (dataDir === IN_MEMORY) {
    throw new NoEmbeddedDatabaseError('DATA_DIR=memory:// keeps the database in memory: there is nothing to back up or restore to.');
  }
}

/**
 * Streams the embedded database's data directory (PGlite's `dumpDataDir`, a gzipped tarball) into
 * `into`. Opening the database takes its lock: a running app holds it, and the backup is refused.
 */
export async function dumpEmbedded(dataDir: string, into: Writable[]): Promise<void> {
  assertOnDisk(dataDir);
  if (!hasDatabase(dataDir)) throw new NoEmbeddedDatabaseError(`There is no embedded database in ${dataDir} to back up.`);
  const db = await openEmbeddedDatabase(dataDir);
  let tarball: Buffer;
  try {
    tarball = Buffer.from(await (await db.pglite.dumpDataDir('gzip')).arrayBuffer());
  } finally {
    await db.close();
  }
  await pipeline([Readable.from([tarball]), ...into] as [Readable, ...Writable[]]);
}

/** A restore writes a new database only into a DATA_DIR that has none. */
export function assertEmptyEmbedded(dataDir: string): void {
  assertOnDisk(dataDir);
  const pgdata = embeddedPgdata(dataDir);
  if (hasDatabase(dataDir) || (existsSync(pgdata) && readdirSync(pgdata).length > 0)) {
    throw new TargetNotEmptyError(
      `${dataDir} already holds an embedded database: a backup is restored only into a DATA_DIR without one ` +
        '(stop the app, then restore into a new, empty DATA_DIR).',
    );
  }
}

/**
 * Decrypts the whole file in memory (every chunk's tag verified) before writing anything, then creates
 * the database from the tarball under the lock. If that fails, the half-written directory is removed.
 */
export async function restoreEmbedded(dataDir: string, file: string, decryptor: BackupDecryptor): Promise<void> {
  const parts: Buffer[] = [];
  await pipeline(
    createReadStream(file),
    decryptor,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(chunk);
        done();
      },
    }),
  );
  let db: Awaited<ReturnType<typeof openEmbeddedDatabase>> | undefined;
  try {
    db = await openEmbeddedDatabase(dataDir, { loadDataDir: new Blob(parts) });
    await db.pglite.query('SELECT 1');
  } catch (error) {
    await db?.close().catch(() => undefined);
    db = undefined;
    // In use: another process holds the lock, and whatever is there is its own. Otherwise the
    // directory was empty before this restore began: leave it so.
    if (!(error instanceof EmbeddedDatabaseInUseError)) {
      await rm(embeddedPgdata(dataDir), { recursive: true, force: true });
    }
    throw error;
  } finally {
    await db?.close();
  }
}
