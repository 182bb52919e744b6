import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule } from '../app.module';
import { cliContext } from '../audit/audit.service';
import type { Role } from '../auth/permissions';
import { ConfigError, loadEnv } from '../config/env';
import { EmbeddedDatabaseInUseError } from '../database/embedded';
import { translate } from '../i18n/i18n';
import { OrganizationCodeTakenError, OrganizationsService } from '../organizations/organizations.service';
import { UsernameTakenError, UsersService } from '../users/users.service';
import { parseForm } from '../web/form';
import { CreateOrganizationArgs, CreateUserArgs } from './cli.forms';

/** A problem with the command's input: printed without a stack, exit status 2. */
export class UsageError extends Error {}

const USAGE = `Usage:
  npm run cli -- org:create --code CODE --name "NAME"
  npm run cli -- user:create --username U --role ROLE --org CODE   (password read from standard input)
  npm run cli -- secrets:generate   (prints fresh secrets for a production .env)
Roles: admin, manager, social_worker, peer_coordinator`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Validates like the web forms, and prints field errors in English (the CLI's language). */
async function validated<T extends object>(formClass: new () => T, input: Record<string, unknown>): Promise<T> {
  const form = await parseForm(formClass, input);
  if (form.ok) return form.value;
  const lines = Object.entries(form.errors).map(([field, key]) => {
    const [messageKey, ...pairs] = key.split('|');
    return `  --${field}: ${translate('en', messageKey, Object.fromEntries(pairs.map((p) => p.split('='))))}`;
  });
  throw new UsageError(`Invalid arguments:\n${lines.join('\n')}`);
}

type Command = (app: INestApplicationContext, values: Record<string, string | undefined>) => Promise<string>;

const COMMANDS: Record<string, { options: string[]; run: Command }> = {
  'org:create': {
    options: ['code', 'name'],
    run: async (app, values) => {
      const args = await validated(CreateOrganizationArgs, values);
      try {
        const organization = await app.get(OrganizationsService).create(cliContext(), args);
        return `Organization ${organization.code} created.`;
      } catch (error) {
        if (error instanceof OrganizationCodeTakenError)
          throw new UsageError(`--code: ${translate('en', 'organizations.codeTaken')}`);
        throw error;
      }
    },
  },
  'user:create': {
    options: ['username', 'role', 'org'],
    run: async (app, values) => {
      const password = await readStdin();
      const args = await validated(CreateUserArgs, { ...values, password });
      const organization = await app.get(OrganizationsService).findByCode(args.org);
      if (!organization?.active) throw new UsageError(`--org: no active organization has the code ${args.org}`);
      try {
        const { user } = await app.get(UsersService).create(cliContext(), {
          username: args.username,
          role: args.role as Role,
          organizationId: organization.id,
          password: args.password,
        });
        return `User ${user.username} (${user.role}) created in ${organization.code}.`;
      } catch (error) {
        if (error instanceof UsernameTakenError)
          throw new UsageError(`--username: ${translate('en', 'users.usernameTaken')}`);
        throw error;
      }
    },
  },
};

/** Fresh secrets for a production `.env`: needs no database, so it runs before anything is set up. */
function generateSecrets(): string {
  const b64 = (n: number) => randomBytes(n).toString('base64');
  return [
    `SESSION_SECRET=${b64(48)}`,
    `UIC_KEY=${b64(32)}`,
    `FIELD_KEYS=v1:${b64(32)}`,
    `POSTGRES_PASSWORD=${randomBytes(24).toString('hex')}`,
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'secrets:generate') {
    process.stdout.write(`${generateSecrets()}\n`);
    return 0;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let app: INestApplicationContext | undefined;
  try {
    const { values } = parseArgs({
      args: rest,
      options: Object.fromEntries(command.options.map((o) => [o, { type: 'string' as const }])),
      strict: true,
      allowPositionals: false,
    });
    loadEnv();
    app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
    process.stdout.write(`${await command.run(app, values as Record<string, string | undefined>)}\n`);
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
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
