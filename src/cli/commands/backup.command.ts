import { resolve } from 'node:path';
import { AuditService } from '../../audit/audit.service';
import { BackupFileError } from '../../backup/backup-file';
import {
  BackupSettings,
  BackupSummary,
  createBackup,
  recordBackupEvent,
  restoreBackup,
} from '../../backup/backup.service';
import { NoEmbeddedDatabaseError } from '../../backup/embedded-backup';
import { TargetNotEmptyError } from '../../backup/postgres-backup';
import { databaseConfig } from '../../config/database.config';
import { loadEnv } from '../../config/env';
import { EarlyCommand, UsageError } from '../command';

function settings(): BackupSettings {
  const database = databaseConfig();
  return { url: database.url, dataDir: database.dataDir, key: Buffer.from(loadEnv().BACKUP_KEY, 'base64') };
}

function fileOf(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError(`Usage: npm run cli -- ${usage}`);
  return resolve(positionals[0]);
}

/** Problems with the file or the target are the operator's to fix: exit 2 with the message alone. */
async function refusingClearly<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (
      error instanceof BackupFileError ||
      error instanceof TargetNotEmptyError ||
      error instanceof NoEmbeddedDatabaseError
    ) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

const KIND_LABELS = { pg: 'PostgreSQL database', embedded: 'embedded database' } as const;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export const backupCommand: EarlyCommand = {
  name: 'backup',
  usage: 'backup FILE            (encrypted with BACKUP_KEY; FILE must not exist)',
  options: [],
  positionals: true,
  // The dump is taken before the app starts, so it holds the database exactly as it was (before any
  // pending migration); the app then starts only to write the audit entry.
  runBeforeApp: async (startApp, _values, positionals) => {
    const file = fileOf(positionals, 'backup FILE');
    const summary = await refusingClearly(() => createBackup(settings(), file));
    await recordBackupEvent((await startApp()).get(AuditService), 'backup.created', summary);
    return [
      `Backup of the ${KIND_LABELS[summary.kind]} written to ${file} (${megabytes(summary.bytes)}, backup key id ${summary.keyId}).`,
      'Keep BACKUP_KEY, UIC_KEY and FIELD_KEYS apart from the backups: a restore needs all of them (see SECURITY.md).',
    ].join('\n');
  },
};

function afterRestore(summary: BackupSummary): string {
  return [
    `Restored the ${KIND_LABELS[summary.kind]} backed up at ${summary.createdAt}.`,
    `Clients erased after ${summary.createdAt} are back in this copy: erase them again before anyone uses it,`,
    'with the erasure register kept beside the backups (or taken from the previous database, whose audit trail',
    'also lists them under client.erased): npm run cli -- erasures:reapply REGISTER (see SECURITY.md §4).',
  ].join('\n');
}

export const restoreCommand: EarlyCommand = {
  name: 'restore',
  usage: 'restore FILE           (into an empty database only: a new DATABASE_URL database, or a DATA_DIR without one)',
  options: [],
  positionals: true,
  // Before the app starts: its migrations would fill the empty database the restore needs. It starts
  // afterwards, applies any migration newer than the backup, and records the restore.
  runBeforeApp: async (startApp, _values, positionals) => {
    const file = fileOf(positionals, 'restore FILE');
    const summary = await refusingClearly(() => restoreBackup(settings(), file));
    await recordBackupEvent((await startApp()).get(AuditService), 'backup.restored', summary);
    return afterRestore(summary);
  },
};
