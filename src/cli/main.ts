import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { ConfigError, loadEnv } from '../config/env';
import { EmbeddedDatabaseInUseError } from '../database/embedded';
import { UsageError } from './command';
import { COMMANDS } from './commands';

const USAGE = `Usage:
${COMMANDS.map((c) => `  npm run cli -- ${c.usage}`).join('\n')}
  npm run cli -- secrets:generate   (prints fresh secrets for a production .env)`;

/** Fresh secrets for a production `.env`: needs no database, so it runs before anything is set up. */
function generateSecrets(): string {
  const b64 = (n: number) => randomBytes(n).toString('base64');
  return [
    `SESSION_SECRET=${b64(48)}`,
    `UIC_KEY=${b64(32)}`,
    `FIELD_KEYS=v1:${b64(32)}`,
    `BACKUP_KEY=${b64(32)}`,
    `POSTGRES_PASSWORD=${randomBytes(24).toString('hex')}`,
  ].join('\n');
}

/** Runs one command with the same services as the web app; every action is audited as `cli:<OS user>`. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'secrets:generate') {
    process.stdout.write(`${generateSecrets()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let app: INestApplicationContext | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: Object.fromEntries([
        ...command.options.map((o) => [o, { type: 'string' as const }]),
        ...(command.flags ?? []).map((f) => [f, { type: 'boolean' as const }]),
      ]),
      strict: true,
      allowPositionals: command.positionals === true,
    });
    loadEnv();
    const startApp = async () =>
      (app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false }));
    const options = values as Record<string, string | boolean | undefined>; // no option is `multiple`
    const output =
      'runBeforeApp' in command
        ? await command.runBeforeApp(startApp, options, positionals)
        : await command.run(await startApp(), options, positionals);
    process.stdout.write(`${output}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof EmbeddedDatabaseInUseError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`Failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
