import type { INestApplicationContext } from '@nestjs/common';
import { translate } from '../i18n/i18n';
import { parseForm } from '../web/form';

/** A problem with the command's input: printed without a stack, exit status 2. */
export class UsageError extends Error {}

interface CommandBase {
  name: string;
  /** One usage line, e.g. `org:create --code CODE --name "NAME"`. */
  usage: string;
  /** Named `--options`, all strings (boolean flags list in `flags`). */
  options: string[];
  flags?: string[];
  /** Whether extra positional arguments are accepted (e.g. `import KIND FILE`). */
  positionals?: boolean;
}

type Values = Record<string, string | boolean | undefined>;

/** Runs with the app started (migrations applied). Returns what to print on standard output. */
export interface CliCommand extends CommandBase {
  run: (app: INestApplicationContext, values: Values, positionals: string[]) => Promise<string>;
}

/**
 * Runs before the app starts, and starts it with `startApp` when ready: for work that must find the
 * database as it is, before migrations run (backup, restore into an empty database).
 */
export interface EarlyCommand extends CommandBase {
  runBeforeApp: (
    startApp: () => Promise<INestApplicationContext>,
    values: Values,
    positionals: string[],
  ) => Promise<string>;
}

export async function readStdinLine(prompt: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(prompt);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Validates like the web forms, and prints field errors in English (the CLI's language). */
export async function validated<T extends object>(formClass: new () => T, input: Record<string, unknown>): Promise<T> {
  const form = await parseForm(formClass, input);
  if (form.ok) return form.value;
  const lines = Object.entries(form.errors).map(([field, key]) => {
    const [messageKey, ...pairs] = key.split('|');
    return `  --${field}: ${translate('en', messageKey, Object.fromEntries(pairs.map((p) => p.split('='))))}`;
  });
  throw new UsageError(`Invalid arguments:\n${lines.join('\n')}`);
}
