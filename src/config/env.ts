import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes'].includes(String(value).toLowerCase());

/**
 * Every environment variable the app reads. This is the only place that may touch
 * `process.env` (see eslint.config.mjs). Variables marked "Secret" must never be logged.
 */
export class Env {
  /** `production` refuses to start without a real database and real secrets. */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** HTTP port. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** PostgreSQL URL. Unset: the embedded database under DATA_DIR (development only). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must start with postgres://' })
  DATABASE_URL?: string;

  /** Size of the connection pool on PostgreSQL (the embedded database always uses 1). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_MAX = 10;

  /** Where the embedded database and generated development secrets live. */
  @IsString()
  DATA_DIR = './data';

  /** Secret. Signs session cookies and CSRF tokens; at least 32 characters. */
  @IsString()
  @MinLength(32, { message: 'SESSION_SECRET must be at least 32 characters' })
  SESSION_SECRET!: string;

  /** Secret. Key of the HMAC that turns a client's UIC into its stored hash (base64, 32 bytes). */
  @IsString()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'UIC_KEY must be 32 bytes in base64' })
  UIC_KEY!: string;

  /** Secret. Field-encryption key ring: "v1:<base64 32 bytes>,v2:<base64 32 bytes>". */
  @IsString()
  @Matches(/^v\d+:[A-Za-z0-9+/]{43}=(,v\d+:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'FIELD_KEYS must look like v1:<base64 of 32 bytes>[,v2:…]',
  })
  FIELD_KEYS!: string;

  /** Key id used for new encryptions, e.g. "v2"; older ids stay readable. Defaults to the last of FIELD_KEYS. */
  @IsOptional()
  @Matches(/^v\d+$/, { message: 'FIELD_KEY_ID must look like v1' })
  FIELD_KEY_ID?: string;

  /** Secret. Encrypts backup files (`npm run cli -- backup FILE`), 32 bytes in base64; keep it apart from the backups. */
  @IsString()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'BACKUP_KEY must be 32 bytes in base64' })
  BACKUP_KEY!: string;

  /** Small-cell suppression threshold k: counts 1..k-1 are shown as "<k". */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(100)
  SUPPRESSION_K = 5;

  /** Clients with no activity for this many months are erased by the retention job. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(240)
  RETENTION_MONTHS = 36;

  /** The daily retention job (02:00 Hanoi time, web server only): `on` or `off`. Unset: on, except with NODE_ENV=test. */
  @IsOptional()
  @IsIn(['on', 'off'], { message: 'RETENTION_SCHEDULE must be on or off' })
  RETENTION_SCHEDULE?: 'on' | 'off';

  /**
   * Days a data-subject request (see, restrict, erase) may take: its deadline is the day it was
   * received plus this many calendar days. One number for the three kinds; set it from the program's
   * legal advice on Decree 356/2025/ND-CP.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(90)
  PRIVACY_REQUEST_DAYS = 30;

  /** Idle session timeout, in minutes. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(240)
  SESSION_IDLE_MINUTES = 15;

  /** Absolute session lifetime, in hours. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24)
  SESSION_ABSOLUTE_HOURS = 8;

  /** Express "trust proxy" setting: number of proxy hops in front of the app (0: none). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY = 0;

  /** Send cookies with `Secure`. Defaults to true in production (the app is behind TLS there). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  COOKIE_SECURE?: boolean;

  /** Apply pending migrations at start. */
  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  /** pino log level. */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}

/** Secrets generated on first use in development, kept in DATA_DIR so they survive restarts. */
const GENERATED_SECRETS = ['SESSION_SECRET', 'UIC_KEY', 'FIELD_KEYS', 'BACKUP_KEY'] as const;
/** Variables production cannot run without. */
const REQUIRED_IN_PRODUCTION = ['DATABASE_URL', ...GENERATED_SECRETS] as const;

export class ConfigError extends Error {}

type RawEnv = Record<string, string | undefined>;

/** Variables that may instead be read from a file named by NAME_FILE. */
const FILE_SECRETS: readonly string[] = ['DATABASE_URL', 'SESSION_SECRET', 'UIC_KEY', 'FIELD_KEYS', 'BACKUP_KEY'];

/** `NAME_FILE=/run/secrets/x` reads the value of NAME from that file (Docker/Kubernetes secrets). */
function withFileSecrets(raw: RawEnv): RawEnv {
  const out: RawEnv = { ...raw };
  for (const [name, value] of Object.entries(raw)) {
    const target = name.slice(0, -'_FILE'.length);
    if (name.endsWith('_FILE') && value && FILE_SECRETS.includes(target)) {
      if (!out[target]) out[target] = readFileSync(value, 'utf8').trim();
    }
  }
  return out;
}

function generateSecret(name: (typeof GENERATED_SECRETS)[number]): string {
  if (name === 'SESSION_SECRET') return randomBytes(48).toString('base64');
  if (name === 'UIC_KEY' || name === 'BACKUP_KEY') return randomBytes(32).toString('base64');
  return `v1:${randomBytes(32).toString('base64')}`;
}

function fillDevelopmentSecrets(raw: RawEnv, warn: (message: string) => void): RawEnv {
  const missing = GENERATED_SECRETS.filter((name) => !raw[name]);
  if (missing.length === 0) return raw;
  if (raw.DATA_DIR === 'memory://') throw new ConfigError(`With DATA_DIR=memory:// give ${missing.join(', ')}.`);
  const file = join(resolve(raw.DATA_DIR ?? './data'), 'secrets.json');
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const name of missing) {
    if (!stored[name]) {
      stored[name] = generateSecret(name);
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  warn(`Development secrets (${missing.join(', ')}) are read from ${file}. Never use them in production.`);
  return { ...raw, ...Object.fromEntries(missing.map((name) => [name, stored[name]])) };
}

/** Validates the environment; throws a ConfigError naming every missing or malformed variable. */
export function parseEnv(source: RawEnv, warn: (message: string) => void = () => undefined): Env {
  let raw = withFileSecrets(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  const production = raw.NODE_ENV === 'production';
  if (production) {
    const missing = REQUIRED_IN_PRODUCTION.filter((name) => !raw[name]);
    if (missing.length > 0) {
      throw new ConfigError(`Missing configuration for production: ${missing.join(', ')}`);
    }
  } else {
    raw = fillDevelopmentSecrets(raw, warn);
  }
  const known = Object.keys(new Env());
  const picked = Object.fromEntries(
    Object.entries(raw).filter(([name, value]) => value !== undefined && (known.includes(name) || name in ENV_NAMES)),
  );
  const env = plainToInstance(Env, picked);
  const errors = validateSync(env, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  if (env.FIELD_KEY_ID && !env.FIELD_KEYS.split(',').some((k) => k.startsWith(`${env.FIELD_KEY_ID}:`))) {
    throw new ConfigError(`Invalid configuration:\n  FIELD_KEY_ID: ${env.FIELD_KEY_ID} is not in FIELD_KEYS`);
  }
  return env;
}

/** Names of optional variables without a default (they do not show up in `new Env()`). */
const ENV_NAMES: Record<string, true> = {
  DATABASE_URL: true,
  SESSION_SECRET: true,
  UIC_KEY: true,
  FIELD_KEYS: true,
  FIELD_KEY_ID: true,
  RETENTION_SCHEDULE: true,
  BACKUP_KEY: true,
  COOKIE_SECURE: true,
};

let cached: Env | undefined;

/** The validated environment, read once per process. */
export function loadEnv(): Env {
  cached ??= parseEnv(process.env, (message) => process.emitWarning(message, 'Configuration'));
  return cached;
}

/** Variables a child tool (pg_dump, pg_restore) may inherit: search path, locale, and libpq's own PG* settings. */
const TOOL_VARIABLES = /^(PATH|HOME|LANG|LC_[A-Z]+|TZ|TMPDIR|PG[A-Z_]+)$/;

/**
 * The environment of a child tool: a few inherited variables (never the app's secrets) plus `extra`,
 * e.g. the PGHOST/PGUSER/PGPASSWORD of DATABASE_URL.
 */
export function toolEnvironment(extra: Record<string, string>): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && TOOL_VARIABLES.test(entry[0]),
  );
  return { ...Object.fromEntries(inherited), ...extra };
}

/** Tests change the environment between apps; production never calls this. */
export function resetEnvForTests(overrides: RawEnv = {}): void {
  Object.assign(process.env, overrides);
  cached = undefined;
}
