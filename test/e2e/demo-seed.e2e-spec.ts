import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { verifyPassword } from '../../src/auth/password';
import { ROLES } from '../../src/auth/permissions';
import { UsageError } from '../../src/cli/command';
import { demoSeedCommand } from '../../src/cli/commands/demo.command';
import { openEmbeddedDatabase } from '../../src/database/embedded';
import { DEMO_DISTRICTS, DEMO_PASSWORDS } from '../../src/demo/demo-plan';
import { aPersona, createTestApp, TestApp } from '../support/app';
import { cli } from '../support/cli';

jest.setTimeout(300_000);

type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/** An empty database of the CLI's own, and a way to read it (in one connection) once the CLI has exited. */
interface FreshDatabase {
  env: NodeJS.ProcessEnv;
  read: <R>(reader: (query: Query) => Promise<R>) => Promise<R>;
  drop: () => Promise<void>;
}

async function onServer<R>(url: string, reader: (query: Query) => Promise<R>): Promise<R> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    return await reader(
      async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    );
  } finally {
    await client.end();
  }
}

/**
 * The test files share one PostgreSQL database in CI: there, a throwaway database next to it on the same
 * server; otherwise a fresh embedded database in a temporary directory.
 */
async function aFreshDatabase(): Promise<FreshDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nc-demo-'));
  const env = { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir };
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `demo_seed_${randomBytes(6).toString('hex')}`;
    await onServer(serverUrl, (query) => query(`CREATE DATABASE ${name}`));
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      env: { ...env, DATABASE_URL: url.toString() },
      read: (reader) => onServer(url.toString(), reader),
      drop: async () => {
        await onServer(serverUrl, (query) => query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  return {
    env: { ...env, DATABASE_URL: '' },
    read: async (reader) => {
      const db = await openEmbeddedDatabase(dataDir);
      try {
        return await reader(
          async <T>(sql: string, params: unknown[] = []) => (await db.pglite.query<T>(sql, params)).rows,
        );
      } finally {
        await db.close();
      }
    },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

describe('npm run cli -- demo:seed', () => {
  describe('on a database that has data', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    const demoTraces = async () => {
      const [row] = (await t.dataSource.query(
        `SELECT (SELECT count(*) FROM organization WHERE code LIKE 'demo-%')::int AS organizations,
                (SELECT count(*) FROM app_user WHERE username LIKE 'demo.%')::int AS users,
                (SELECT count(*) FROM audit_event WHERE action = 'demo.seeded')::int AS seeded`,
      )) as Array<{ organizations: number; users: number; seeded: number }>;
      return row;
    };

    it('refuses, says what is there and that nothing changed, and adds nothing', async () => {
      await aPersona(t, 'social_worker');
      const run = demoSeedCommand.run(t.app, { 'clients-per-org': '2' }, []);
      await expect(run).rejects.toBeInstanceOf(UsageError);
      await expect(run).rejects.toThrow(/only fills an empty database.*account\(s\).*Nothing was changed/s);
      expect(await demoTraces()).toEqual({ organizations: 0, users: 0, seeded: 0 });
    });

    it('refuses a size that is not a whole number from 1 to 1000', async () => {
      for (const size of ['0', '1001', 'ten', '-3']) {
        await expect(demoSeedCommand.run(t.app, { 'clients-per-org': size }, [])).rejects.toThrow(
          '--clients-per-org: a whole number from 1 to 1000',
        );
      }
      expect(await demoTraces()).toEqual({ organizations: 0, users: 0, seeded: 0 });
    });
  });

  describe('on a fresh empty database', () => {
    let db: FreshDatabase;
    beforeAll(async () => {
      db = await aFreshDatabase();
    });
    afterAll(() => db?.drop());

    it('fills it with a small living program through the services, prints the accounts, and refuses a second run', async () => {
      const first = await cli(db.env, ['demo:seed', '--clients-per-org', '6']);
      expect(first.stderr).not.toContain('Failed');
      expect(first.code).toBe(0);
      expect(first.stderr).toContain('demo-song-hong: 6/6 clients');
      expect(first.stdout).toMatch(/demo\.manager\.1\s+manager\s+demo-song-hong\s+demo-manager-2026/);
      expect(first.stdout).toMatch(/demo\.admin\s+admin\s+demo-song-hong\s+demo-admin-2026/);
      expect(first.stdout).toContain('two-factor');

      await db.read(async (query) => {
        const perOrganization = await query<{ code: string; clients: number }>(
          `SELECT o.code, count(c.id)::int AS clients FROM organization o LEFT JOIN client c ON c.organization_id = o.id
            GROUP BY o.code ORDER BY o.code`,
        );
        expect(perOrganization).toEqual([
          { code: 'demo-anh-duong', clients: 6 },
          { code: 'demo-hoa-sen', clients: 6 },
          { code: 'demo-song-hong', clients: 6 },
        ]);

        const users = await query<{
          username: string;
          role: string;
          password_hash: string;
          must_change_password: boolean;
        }>('SELECT username, role, password_hash, must_change_password FROM app_user ORDER BY username');
        expect(new Set(users.map((u) => u.role))).toEqual(new Set(ROLES));
        expect(users).toHaveLength(16);
        const worker = users.find((u) => u.username === 'demo.worker.2.3')!;
        expect(worker.must_change_password).toBe(false);
        expect(await verifyPassword(worker.password_hash, DEMO_PASSWORDS.social_worker)).toBe(true);

        const districts = await query<{ district_code: string }>('SELECT DISTINCT district_code FROM contact');
        expect(new Set(districts.map((d) => d.district_code))).toEqual(new Set(DEMO_DISTRICTS));

        const [figures] = await query<Record<string, number>>(
          `SELECT (SELECT count(*) FROM referral WHERE status = 'completed')::int AS completed,
                  (SELECT count(*) FROM referral)::int AS referrals,
                  (SELECT count(*) FROM referral_event)::int AS events,
                  (SELECT count(*) FROM needs_assessment)::int AS assessments,
                  (SELECT count(*) FROM group_session)::int AS sessions,
                  (SELECT count(*) FROM contact WHERE source = 'group')::int AS group_contacts,
                  (SELECT count(*) FROM contact WHERE note_cipher NOT LIKE 'c:%')::int AS open_notes,
                  (SELECT count(*) FROM client WHERE alias_cipher IS NOT NULL)::int AS aliases,
                  (SELECT count(*) FROM client WHERE alias_cipher NOT LIKE 'c:%')::int AS open_aliases,
                  (SELECT count(*) FROM service_provider WHERE sample)::int AS sample_providers`,
        );
        expect(figures.completed).toBeGreaterThan(0);
        expect(figures.events).toBeGreaterThan(figures.referrals); // the steps went through the lifecycle
        expect(figures.assessments).toBeGreaterThan(0);
        expect(figures.sessions).toBeGreaterThan(0);
        expect(figures.group_contacts).toBeGreaterThan(0);
        expect(figures.sample_providers).toBeGreaterThan(0);
        // Free text is sealed with each client's key, as the pages do it.
        expect(figures.aliases).toBeGreaterThan(0);
        expect(figures).toMatchObject({ open_notes: 0, open_aliases: 0 });

        // Each referral's last activity is the day of its last step (the follow-up list counts from it),
        // not the moment the demo was made.
        const [stale] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM referral
            WHERE (last_activity_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <> status_on`,
        );
        expect(stale.n).toBe(0);

        const audit = await query<{ actor_name: string; details: Record<string, unknown> }>(
          `SELECT actor_name, details FROM audit_event WHERE action = 'demo.seeded'`,
        );
        expect(audit).toHaveLength(1);
        expect(audit[0].actor_name).toMatch(/^cli:/);
        expect(audit[0].details).toMatchObject({ organizations: 3, users: 16, clients: 18 });
        const [created] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_event WHERE action = 'client.created' AND organization_id IS NOT NULL`,
        );
        expect(created.n).toBe(18);
      });

      const second = await cli(db.env, ['demo:seed', '--clients-per-org', '6']);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('only fills an empty database');
      expect(second.stderr).toContain('Nothing was changed');
      const [after] = await db.read((query) =>
        query<{ clients: number; users: number; seeded: number }>(
          `SELECT (SELECT count(*) FROM client)::int AS clients, (SELECT count(*) FROM app_user)::int AS users,
                  (SELECT count(*) FROM audit_event WHERE action = 'demo.seeded')::int AS seeded`,
        ),
      );
      expect(after).toEqual({ clients: 18, users: 16, seeded: 1 });
    });
  });
});
