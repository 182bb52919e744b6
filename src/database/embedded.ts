import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/** `DATA_DIR=memory://` keeps the embedded database in memory (tests). */
export const IN_MEMORY = 'memory://';

/** The database files under DATA_DIR (beside the lock file and the development secrets). */
export const embeddedPgdata = (dataDir: string): string => join(dataDir, 'pglite');

export class EmbeddedDatabaseInUseError extends Error {
  constructor(pid: number) {
    super(
      `The embedded database is in use by process ${pid}: stop it, or set DATABASE_URL to use a PostgreSQL server.`,
    );
  }
}

interface OpenDatabase {
  pglite: PGlite;
  close: () => Promise<void>;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * PGlite has no lock between processes, and two processes on one data directory silently lose rows:
 * hold an exclusive lock file with our PID, replacing a stale one whose process is gone.
 */
function acquireLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) throw new EmbeddedDatabaseInUseError(pid);
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not take the embedded database lock ${lockFile}`);
}

/**
 * Opens (creating it on first use) the embedded PostgreSQL-compatible database under dataDir.
 * `loadDataDir`: create it from a `dumpDataDir()` tarball instead (restore; refused if one exists).
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  options: { loadDataDir?: Blob } = {},
): Promise<OpenDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir === IN_MEMORY) {
    const pglite = await PGlite.create();
    return { pglite, close: () => pglite.close() };
  }
  mkdirSync(dataDir, { recursive: true });
  const release = acquireLock(join(dataDir, 'pglite.lock'));
  try {
    const pglite = await PGlite.create(embeddedPgdata(dataDir), options);
    return {
      pglite,
      close: async () => {
        try {
          await pglite.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
