import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { toolEnvironment } from '../config/env';
import { BackupDecryptor } from './backup-file';
import { dbnameArgument, postgresConnectionOf } from './postgres-connection';

/** The database to restore into already holds tables: a restore never mixes two databases. */
export class TargetNotEmptyError extends Error {}

/** Only the app's schema; libpq asks for no password interactively (it comes from DATABASE_URL). */
const DUMP_ARGS = ['--format=custom', '--schema=public', '--no-password'];
/**
 * One transaction, stop at the first error: a failed restore leaves the database as empty as it was.
 * `--schema=public` restores the schema's objects but not `CREATE SCHEMA public`, which every database has.
 */
const RESTORE_ARGS = ['--no-owner', '--single-transaction', '--exit-on-error', '--schema=public', '--no-password'];

interface Tool {
  stdout: Readable;
  /** Resolves when the tool exits with 0; rejects with its error output otherwise. */
  done: Promise<void>;
}

function runTool(name: 'pg_dump' | 'pg_restore', args: string[], env: Record<string, string>): Tool {
  const child = spawn(name, args, { env: toolEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (errors.length < 16_000) errors += text;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`${name} was not found: install the PostgreSQL client tools (postgresql-client, same major version as the server).`)
          : error,
      );
    });
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${name} failed (exit status ${code}): ${errors.trim() || 'no message'}`));
    });
  });
  return { stdout: child.stdout, done };
}

/** Streams `pg_dump --format=custom` of the app's schema into `into` (the encryptor, then the file). */
export async function dumpPostgres(url: string, into: Writable[]): Promise<void> {
  const { env } = postgresConnectionOf(url);
  const tool = runTool('pg_dump', DUMP_ARGS, env);
  await Promise.all([tool.done, pipeline([tool.stdout, ...into] as [Readable, ...Writable[]])]);
}

/** Tables in the target's app schema: a restore goes only into a database that has none. */
export async function assertEmptyPostgres(url: string): Promise<void> {
  const { database } = postgresConnectionOf(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE schemaname = 'public'`,
    );
    const tables = rows[0]?.n ?? 0;
    if (tables > 0) {
      throw new TargetNotEmptyError(
        `The database ${database} is not empty (${tables} tables): a backup is restored only into a new, empty ` +
          'database. Create one (createdb), point DATABASE_URL at it, and run restore again.',
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * Decrypts the whole file into a private temporary file first, so that every chunk's tag has verified
 * before pg_restore touches the database; then restores it in one transaction and deletes the copy.
 */
export async function restorePostgres(url: string, file: string, decryptor: BackupDecryptor): Promise<void> {
  const { env, database } = postgresConnectionOf(url);
  const dir = await mkdtemp(join(tmpdir(), 'nhipcau-restore-'));
  try {
    const archive = join(dir, 'backup.dump');
    await pipeline(createReadStream(file), decryptor, createWriteStream(archive, { mode: 0o600, flags: 'wx' }));
    const tool = runTool('pg_restore', [...RESTORE_ARGS, `--dbname=${dbnameArgument(database)}`, archive], env);
    tool.stdout.resume();
    await tool.done;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
