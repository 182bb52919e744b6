import { open, stat, unlink } from 'node:fs/promises';
import type { AuditService } from '../audit/audit.service';
import { cliContext } from '../audit/audit.service';
import {
  assertKeyMatches,
  BackupDecryptor,
  BackupEncryptor,
  BackupFileError,
  BackupHeader,
  BackupKind,
  newHeader,
  readBackupHeader,
} from './backup-file';
import { assertEmptyEmbedded, dumpEmbedded, restoreEmbedded } from './embedded-backup';
import { assertEmptyPostgres, dumpPostgres, restorePostgres } from './postgres-backup';

/** Where the database is (as the app is configured) and the backup key. */
export interface BackupSettings {
  /** DATABASE_URL; unset: the embedded database under dataDir. */
  url?: string;
  dataDir: string;
  key: Buffer;
}

export interface BackupSummary {
  kind: BackupKind;
  keyId: string;
  /** When the backup was taken (ISO 8601). */
  createdAt: string;
  /** Size of the backup file (0 when restoring). */
  bytes: number;
}

const KIND_NAMES: Record<BackupKind, string> = {
  pg: 'a PostgreSQL server database (restore it with DATABASE_URL set to an empty database)',
  embedded: 'the embedded database (restore it without DATABASE_URL, into an empty DATA_DIR)',
};

const kindOf = (settings: BackupSettings): BackupKind => (settings.url ? 'pg' : 'embedded');

const summaryOf = (header: BackupHeader, bytes: number): BackupSummary => ({
  kind: header.kind,
  keyId: header.keyId,
  createdAt: header.createdAt,
  bytes,
});

/**
 * Writes an encrypted backup of the configured database into `file`, which must not exist yet (a
 * backup never overwrites another). The file is created with mode 0600; if anything fails it is removed.
 */
export async function createBackup(settings: BackupSettings, file: string, now = new Date()): Promise<BackupSummary> {
  const header = newHeader(kindOf(settings), settings.key, now);
  const handle = await open(file, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') {
      throw new BackupFileError(`${file} already exists: a backup never overwrites a file; choose another name.`);
    }
    if (error.code === 'ENOENT') throw new BackupFileError(`The folder of ${file} does not exist.`);
    throw error;
  });
  const into = [new BackupEncryptor(settings.key, header), handle.createWriteStream()];
  try {
    if (settings.url) await dumpPostgres(settings.url, into);
    else await dumpEmbedded(settings.dataDir, into);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw error;
  }
  return summaryOf(header, (await stat(file)).size);
}

/**
 * Restores `file` into the configured database, which must be empty. In order: the file's header and
 * key, the kind of database, the target's emptiness; then the whole file is decrypted and every tag
 * verified before anything is written to the database.
 */
export async function restoreBackup(settings: BackupSettings, file: string): Promise<BackupSummary> {
  const header = await readBackupHeader(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new BackupFileError(`There is no file ${file}.`);
    if (error.code === 'EISDIR') throw new BackupFileError(`${file} is a folder, not a backup file.`);
    throw error;
  });
  assertKeyMatches(header, settings.key);
  if (header.kind !== kindOf(settings)) {
    throw new BackupFileError(`This file is a backup of ${KIND_NAMES[header.kind]}.`);
  }
  const decryptor = new BackupDecryptor(settings.key);
  if (settings.url) {
    await assertEmptyPostgres(settings.url);
    await restorePostgres(settings.url, file, decryptor);
  } else {
    assertEmptyEmbedded(settings.dataDir);
    await restoreEmbedded(settings.dataDir, file, decryptor);
  }
  return summaryOf(header, 0);
}

/** `backup.created` / `backup.restored`, as the OS user: what kind, which key, taken when (never the file name). */
export function recordBackupEvent(
  audit: AuditService,
  action: 'backup.created' | 'backup.restored',
  summary: BackupSummary,
): Promise<void> {
  return audit.record(null, cliContext(), {
    action,
    details: { kind: summary.kind, keyId: summary.keyId, backupCreatedAt: summary.createdAt },
  });
}
