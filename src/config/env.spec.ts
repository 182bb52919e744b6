import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseEnv, toolEnvironment } from './env';

const KEY = Buffer.alloc(32, 1).toString('base64');
const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db:5432/app',
  SESSION_SECRET: 'x'.repeat(40),
  UIC_KEY: KEY,
  FIELD_KEYS: `v1:${KEY}`,
  BACKUP_KEY: KEY,
};

describe('configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nc-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a complete production configuration and applies the defaults', () => {
    const env = parseEnv(production);
    expect(env.PORT).toBe(3000);
    expect(env.SUPPRESSION_K).toBe(5);
    expect(env.RETENTION_MONTHS).toBe(36);
    expect(env.SESSION_IDLE_MINUTES).toBe(15);
  });

  it('refuses to start in production without the database and secrets, naming each one', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(
      new ConfigError('Missing configuration for production: DATABASE_URL, SESSION_SECRET, UIC_KEY, FIELD_KEYS, BACKUP_KEY'),
    );
    const { SESSION_SECRET: _omit, ...withoutSecret } = production;
    expect(() => parseEnv(withoutSecret)).toThrow(/SESSION_SECRET/);
  });

  it('names every malformed value', () => {
    const bad = { ...production, PORT: 'eighty', UIC_KEY: 'short', SUPPRESSION_K: '1', DATABASE_URL: 'mysql://x' };
    let message = '';
    try {
      parseEnv(bad);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['PORT', 'UIC_KEY', 'SUPPRESSION_K', 'DATABASE_URL']) expect(message).toContain(name);
  });

  it('refuses an active field key id that is not in the key ring', () => {
    expect(() => parseEnv({ ...production, FIELD_KEY_ID: 'v7' })).toThrow(/FIELD_KEY_ID/);
  });

  it('reads a secret from NAME_FILE (container secrets)', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, `${'s'.repeat(48)}\n`);
    const { SESSION_SECRET: _omit, ...rest } = production;
    expect(parseEnv({ ...rest, SESSION_SECRET_FILE: file }).SESSION_SECRET).toBe('s'.repeat(48));
  });

  it('generates missing development secrets into DATA_DIR once, with a warning, and reuses them', () => {
    const warnings: string[] = [];
    const first = parseEnv({ NODE_ENV: 'development', DATA_DIR: dir }, (m) => warnings.push(m));
    const second = parseEnv({ NODE_ENV: 'development', DATA_DIR: dir });
    expect(existsSync(join(dir, 'secrets.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).UIC_KEY).toBe(first.UIC_KEY);
    expect(second.SESSION_SECRET).toBe(first.SESSION_SECRET);
    expect(second.FIELD_KEYS).toBe(first.FIELD_KEYS);
    expect(second.BACKUP_KEY).toBe(first.BACKUP_KEY);
    expect(warnings[0]).toMatch(/Never use them in production/);
  });

  it('gives a child tool its connection settings and never the app secrets', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { SESSION_SECRET: 'x'.repeat(40), BACKUP_KEY: KEY, PGSSLMODE: 'require' });
    try {
      const env = toolEnvironment({ PGHOST: 'db', PGPASSWORD: 'pw' });
      expect(env).toMatchObject({ PGHOST: 'db', PGPASSWORD: 'pw', PGSSLMODE: 'require' });
      expect(env.PATH).toBe(process.env.PATH);
      expect(Object.keys(env)).not.toContain('SESSION_SECRET');
      expect(Object.keys(env)).not.toContain('BACKUP_KEY');
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});
