import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { openEmbeddedDatabase } from '../../src/database/embedded';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run cli -- …` the way an operator does (through ts-node directly: the same entry point). */
export function cli(env: NodeJS.ProcessEnv, args: string[], stdin = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/cli/main.ts', ...args],
      { env, cwd: join(__dirname, '..', '..') },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Reads the database the CLI wrote to: the PostgreSQL server in CI, else the embedded one in dataDir. */
export async function queryCliDatabase<T>(dataDir: string, sql: string, params: unknown[] = []): Promise<T[]> {
  if (process.env.DATABASE_URL) {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = await openEmbeddedDatabase(dataDir);
  try {
    return (await db.pglite.query<T>(sql, params)).rows;
  } finally {
    await db.close();
  }
}
