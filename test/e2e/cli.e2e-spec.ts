import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedDatabase } from '../../src/database/embedded';
import { unique } from '../support/app';
import { cli, queryCliDatabase as query } from '../support/cli';

jest.setTimeout(120_000);

describe('command line', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'nc-cli-'));
    env = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test' };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates an organization and a user whose password comes from standard input, audited as the OS user', async () => {
    const code = unique('cli-org');
    const username = unique('cli.user');
    const org = await cli(env, ['org:create', '--code', code, '--name', 'Trung tâm CTXH Hoàng Mai']);
    expect(org).toMatchObject({ code: 0 });
    expect(org.stdout).toContain(`Organization ${code} created.`);

    const user = await cli(
      env,
      ['user:create', '--username', username, '--role', 'social_worker', '--org', code],
      'a-strong-password-from-stdin\n',
    );
    expect(user.stderr).not.toContain('Failed');
    expect(user.code).toBe(0);

    const [row] = await query<{ role: string; must_change_password: boolean; password_hash: string }>(
      dataDir,
      'SELECT role, must_change_password, password_hash FROM app_user WHERE username = $1',
      [username],
    );
    expect(row.role).toBe('social_worker');
    expect(row.must_change_password).toBe(false);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);

    const audit = await query<{ action: string; actor_name: string; details: unknown }>(
      dataDir,
      `SELECT action, actor_name, details FROM audit_event WHERE action IN ('organization.created', 'user.created') ORDER BY id DESC LIMIT 2`,
    );
    expect(audit.map((a) => a.action).sort()).toEqual(['organization.created', 'user.created']);
    expect(audit.every((a) => a.actor_name.startsWith('cli:'))).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('a-strong-password-from-stdin');
  });

  it('refuses bad arguments with a message per argument and a non-zero exit, saving nothing', async () => {
    const res = await cli(env, ['user:create', '--username', 'A', '--role', 'boss', '--org', 'nowhere'], 'short\n');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--username');
    expect(res.stderr).toContain('--role');
    expect(res.stderr).toContain('--password');
    const rows = await query(dataDir, `SELECT 1 FROM app_user WHERE username = 'a'`);
    expect(rows).toHaveLength(0);
  });

  it('refuses an unknown organization and a duplicate code', async () => {
    const res = await cli(
      env,
      ['user:create', '--username', unique('nobody'), '--role', 'manager', '--org', 'no-such-org'],
      'a-strong-password-1\n',
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no active organization has the code no-such-org');
    const code = unique('dup');
    expect((await cli(env, ['org:create', '--code', code, '--name', 'A'])).code).toBe(0);
    const dup = await cli(env, ['org:create', '--code', code, '--name', 'B']);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('already taken');
  });

  it('prints its usage for an unknown command or option', async () => {
    const unknown = await cli(env, ['nonsense']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage:');
    const option = await cli(env, ['org:create', '--colour', 'red']);
    expect(option.code).toBe(2);
  });

  it('refuses to open the embedded database while another process holds it', async () => {
    const embeddedEnv = { ...env, DATABASE_URL: '' };
    const held = await openEmbeddedDatabase(dataDir);
    try {
      const res = await cli(embeddedEnv, ['org:create', '--code', unique('locked'), '--name', 'X']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`The embedded database is in use by process ${process.pid}`);
    } finally {
      await held.close();
    }
  });
});
