import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { cliContext } from '../../src/audit/audit.service';
import { ClientsService } from '../../src/clients/clients.service';
import { resetEnvForTests } from '../../src/config/env';
import { ContactsService } from '../../src/contacts/contacts.service';
import { openEmbeddedDatabase } from '../../src/database/embedded';
import { ClientDataKeys } from '../../src/privacy/client-data-keys';
import { FieldCipher, open } from '../../src/privacy/field-cipher';
import { aPersona, createTestApp, Persona, TestApp } from '../support/app';
import { cli, CliResult } from '../support/cli';
import { aClient, actorOf, erase } from '../support/fixtures';

jest.setTimeout(240_000);

type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * A fresh database of one kind: a database on the PostgreSQL server next to the test database, or a
 * fresh DATA_DIR for the embedded one.
 */
interface Store {
  /** What the CLI needs to work on this store. */
  env: Record<string, string>;
  /** Runs `work` with one connection (the embedded database takes its lock meanwhile). */
  session: <T>(work: (query: Query) => Promise<T>) => Promise<T>;
  remove: () => Promise<void>;
}

type Kind = 'server' | 'embedded';
const SERVER_URL = process.env.DATABASE_URL;
/** Both kinds when a server is configured (CI), else the embedded one only. */
const KINDS: Kind[] = SERVER_URL ? ['server', 'embedded'] : ['embedded'];

async function onServer<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function newStore(kind: Kind, label: string): Promise<Store> {
  if (kind === 'server' && SERVER_URL) {
    const url = new URL(SERVER_URL);
    const name = `${url.pathname.slice(1)}_${label}_${randomBytes(4).toString('hex')}`.slice(-63);
    await onServer(SERVER_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
    url.pathname = `/${name}`;
    const own = url.toString();
    return {
      env: { DATABASE_URL: own },
      session: (work) => onServer(own, (c) => work(async (sql, params) => (await c.query(sql, params)).rows)),
      remove: async () => {
        await onServer(SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `nc-backup-${label}-`));
  return {
    env: { DATA_DIR: dir, DATABASE_URL: '' },
    session: async (work) => {
      const db = await openEmbeddedDatabase(dir);
      try {
        return await work(async (sql, params) => (await db.pglite.query(sql, params)).rows as never);
      } finally {
        await db.close();
      }
    },
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Per table: rows and a checksum of their text; plus every sequence's position. */
type Fingerprint = Record<string, string>;

/**
 * Every table of the app's schema. The audit trail is compared up to `auditUpTo` (the restore adds
 * its own entry), and so is its sequence.
 */
async function fingerprintOf(store: Store, auditUpTo?: string): Promise<Fingerprint> {
  return store.session(async (query) => {
    const tables = await query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    const result: Fingerprint = {};
    for (const { name } of tables) {
      const where = name === 'audit_event' && auditUpTo ? `WHERE t.id <= ${Number(auditUpTo)}` : '';
      const [row] = await query<{ n: number; sum: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum
           FROM "${name}" t ${where}`,
      );
      result[name] = `${row.n} rows, md5 ${row.sum}`;
    }
    const sequences = await query<{ name: string; last_value: string | null }>(
      `SELECT sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname = 'public'
          AND sequencename NOT LIKE 'audit_event%' ORDER BY sequencename`,
    );
    for (const s of sequences) result[`sequence ${s.name}`] = String(s.last_value);
    return result;
  });
}

const tableCount = (store: Store) =>
  store.session(async (query) => {
    const [row] = await query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    return row.n;
  });

/** Every value of every text-like column of every table of the app's schema, labelled `table.column`. */
const everyValue = (store: Store) =>
  store.session(async (query) => {
    const columns = await query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.table_name, c.column_name, c.data_type
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED', 'bytea', 'uuid')
        ORDER BY c.table_name, c.ordinal_position`,
    );
    const values: Array<{ where: string; text: string }> = [];
    for (const { table_name: table, column_name: column, data_type: type } of columns) {
      const expression = type === 'bytea' ? `encode("${column}", 'escape')` : `"${column}"::text`;
      const rows = await query<{ v: string }>(
        `SELECT ${expression} AS v FROM "${table}" WHERE "${column}" IS NOT NULL`,
      );
      for (const { v } of rows) values.push({ where: `${table}.${column}`, text: v });
    }
    return values;
  });

/** Texts sealed with a client's key ("c:…") and with the application key ring ("v1:…"), wherever they sit. */
const CLIENT_SEALED = /(?<![A-Za-z0-9+/=])c:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*/g;
const RING_SEALED = /(?<![A-Za-z0-9+/=])v\d+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*/g;

const lastAuditId = (store: Store) =>
  store.session(async (query) => (await query<{ id: string }>(`SELECT max(id)::text AS id FROM audit_event`))[0].id);

describe.each(KINDS)(
  'encrypted backup and restore of the %s database (npm run cli -- backup FILE / restore FILE)',
  (kind) => {
    const onServerKind = kind === 'server';
    const base = { ...process.env, NODE_ENV: 'test' };
    const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };
    const stores: Store[] = [];
    let work: string;
    let source: Store;
    let backupFile: string;
    let sourceBefore: Fingerprint;
    let sourceLastAuditId: string;

    const run = (store: Store, args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
      cli({ ...base, ...store.env, ...extra }, args);
    const aStore = async (label: string) => {
      const store = await newStore(kind, label);
      stores.push(store);
      return store;
    };

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'nc-backup-files-'));
      source = await aStore('src');
      // The source holds real data: migrations, seeded districts, users with sealed TOTP secrets,
      // clients with wrapped data keys, and their audit trail.
      resetEnvForTests(source.env);
      const t = await createTestApp();
      try {
        const worker = await aPersona(t, 'social_worker');
        await aPersona(t, 'manager', { organizationId: worker.organizationId });
        for (let i = 0; i < 3; i++) await aClient(t, worker);
      } finally {
        await t.close();
      }
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetEnvForTests();
      sourceBefore = await fingerprintOf(source);
      sourceLastAuditId = await lastAuditId(source);
      backupFile = join(work, 'nightly.backup');
    });

    afterAll(async () => {
      for (const store of stores) await store.remove();
      rmSync(work, { recursive: true, force: true });
    });

    it('writes an encrypted file, readable only by its owner, and audits the backup', async () => {
      const res = await run(source, ['backup', backupFile]);
      expect(res.stderr).not.toContain('Failed');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`written to ${backupFile}`);

      const file = readFileSync(backupFile);
      expect(file.subarray(0, 14).toString('ascii')).toBe('NHIPCAU-BACKUP');
      expect(statSync(backupFile).mode & 0o777).toBe(0o600);
      // A pg_dump archive or a tarball of the data directory names its tables in clear: this file does not.
      for (const clear of ['audit_event', 'app_user', 'PGDMP', 'PG_VERSION']) {
        expect(file.includes(Buffer.from(clear))).toBe(false);
      }
      const [audit] = await source.session((query) =>
        query<{ action: string; actor_name: string; details: Record<string, string> }>(
          `SELECT action, actor_name, details FROM audit_event WHERE id > $1 ORDER BY id`,
          [sourceLastAuditId],
        ),
      );
      expect(audit).toMatchObject({ action: 'backup.created', details: { kind: onServerKind ? 'pg' : 'embedded' } });
      expect(audit.actor_name).toMatch(/^cli:/);
      expect(JSON.stringify(audit.details)).not.toContain('nightly');
    });

    it('restores into a fresh database with the same rows in every table, then audits the restore', async () => {
      const target = await aStore('dst');
      const res = await run(target, ['restore', backupFile]);
      expect(res.stderr).not.toContain('Failed');
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/Restored the .* backed up at \d{4}-\d\d-\d\dT/);
      expect(res.stdout).toContain('client.erased');

      const restored = await fingerprintOf(target, sourceLastAuditId);
      expect(Object.keys(restored).length).toBeGreaterThan(20);
      expect(restored).toEqual(sourceBefore);
      const after = await target.session((query) =>
        query<{ action: string; actor_name: string }>(
          `SELECT action, actor_name FROM audit_event WHERE id > $1 ORDER BY id`,
          [sourceLastAuditId],
        ),
      );
      expect(after).toEqual([{ action: 'backup.restored', actor_name: expect.stringMatching(/^cli:/) }]);
    });

    it('a backup taken after an erasure restores no trace of the erased client; an older one does until the erasure register is applied', async () => {
      const ALIAS = 'Sơn Ca bến xe – dấu Quartz-Lynx-31';
      const NOTE = 'Hẹn ở quán nước gần chợ – dấu Topaz-Marten-84';
      const KEPT_ALIAS = 'Chim Sẻ chợ đêm – dấu Opal-Badger-57';
      const origin = await aStore('era');
      /** Runs `work` with the app on the origin store, then puts the environment back. */
      const withApp = async <T>(work: (t: TestApp) => Promise<T>): Promise<T> => {
        resetEnvForTests(origin.env);
        const t: TestApp = await createTestApp();
        try {
          return await work(t);
        } finally {
          await t.close();
          for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
          }
          resetEnvForTests();
        }
      };
      let cipher!: FieldCipher;
      let dataKeys!: ClientDataKeys;
      let erased!: {
        id: string;
        uic_hash: string;
        display_code: string;
        data_key_cipher: string;
        alias_cipher: string;
      };
      let erasedKey!: Buffer;
      let erasedCiphers!: string[];
      let keptId!: string;
      await withApp(async (t) => {
        // The application key ring outlives the app: it is what an attacker holding the keys would use.
        cipher = t.app.get(FieldCipher);
        dataKeys = t.app.get(ClientDataKeys);
        const worker = await aPersona(t, 'social_worker');
        const withAliasAndNote = async (persona: Persona, alias: string, note: string) => {
          const client = await aClient(t, persona);
          await t.app.get(ClientsService).updateDetails(actorOf(persona), cliContext(), client.id, {
            gender: client.gender,
            birthYear: client.birthYear,
            primaryDistrict: client.primaryDistrict,
            workSetting: client.workSetting,
            firstContactDate: client.firstContactDate,
            alias,
          });
          const fresh = await t.app.get(ClientsService).getForActor(actorOf(persona), client.id);
          await t.app.get(ContactsService).record(
            actorOf(persona),
            cliContext(),
            fresh,
            {
              contactDate: '2024-03-02',
              modality: 'street',
              districtCode: 'hoan-kiem',
              topics: [],
              condoms: 0,
              lubricants: 0,
              hivSelfTests: 0,
              note,
            },
            randomUUID(),
          );
          return fresh;
        };
        const target = await withAliasAndNote(worker, ALIAS, NOTE);
        keptId = (await withAliasAndNote(worker, KEPT_ALIAS, 'Ghi chú của khách hàng còn lại')).id;
        [erased] = await t.dataSource.query(
          `SELECT id, uic_hash, display_code, data_key_cipher, alias_cipher FROM client WHERE id = $1`,
          [target.id],
        );
        erasedKey = Buffer.from(cipher.decrypt(erased.data_key_cipher), 'base64');
        const notes: Array<{ note_cipher: string }> = await t.dataSource.query(
          `SELECT note_cipher FROM contact WHERE client_id = $1`,
          [target.id],
        );
        erasedCiphers = [erased.alias_cipher, ...notes.map((n) => n.note_cipher)];
        // Before the erasure the client's key opens its text: the checks below are not vacuous.
        expect(erasedCiphers.map((c) => open(c, () => erasedKey))).toEqual([ALIAS, NOTE]);
      });
      const before = join(work, 'before-erasure.backup');
      expect((await run(origin, ['backup', before])).code).toBe(0);
      await withApp((t) => erase(t, erased));

      /** The restored copy holds no trace of the erased client, and the kept client's text still opens. */
      const expectNoTrace = async (store: Store) => {
        const [tombstone] = await store.session((query) =>
          query(`SELECT status, uic_hash, display_code, alias_cipher, data_key_cipher FROM client WHERE id = $1`, [
            erased.id,
          ]),
        );
        expect(tombstone).toEqual({
          status: 'erased',
          uic_hash: null,
          display_code: null,
          alias_cipher: null,
          data_key_cipher: null,
        });
        const values = await everyValue(store);
        expect(values.length).toBeGreaterThan(50);
        const traces = [erased.uic_hash, erased.display_code, erased.data_key_cipher, ...erasedCiphers, ALIAS, NOTE];
        const found = values.filter((v) => traces.some((trace) => v.text.includes(trace)));
        expect(found).toEqual([]);
        // No text sealed with any client key opens with the erased client's key …
        const sealed = values.flatMap((v) =>
          (v.text.match(CLIENT_SEALED) ?? []).map((text) => ({ where: v.where, text })),
        );
        expect(sealed.length).toBeGreaterThan(0);
        const opened = sealed.filter(({ text }) => {
          try {
            open(text, () => erasedKey);
            return true;
          } catch {
            return false;
          }
        });
        expect(opened).toEqual([]);
        // … and nothing the application key ring opens is that key: it is gone from the copy.
        const ringSealed = values.flatMap((v) => v.text.match(RING_SEALED) ?? []);
        expect(ringSealed.length).toBeGreaterThan(0);
        const keyBase64 = erasedKey.toString('base64');
        expect(ringSealed.filter((text) => cipher.decrypt(text) === keyBase64)).toEqual([]);
        // The other client's text is still readable in the restored copy (the keys are right).
        const [kept] = await store.session((query) =>
          query<{ alias_cipher: string; data_key_cipher: string }>(
            `SELECT alias_cipher, data_key_cipher FROM client WHERE id = $1`,
            [keptId],
          ),
        );
        expect(dataKeys.decrypt(kept.data_key_cipher, kept.alias_cipher)).toBe(KEPT_ALIAS);
      };

      // A backup taken after the erasure: nothing of the client.
      const after = join(work, 'after-erasure.backup');
      expect((await run(origin, ['backup', after])).code).toBe(0);
      const restoredAfter = await aStore('era2');
      const restore = await run(restoredAfter, ['restore', after]);
      expect(restore.stderr).not.toContain('Failed');
      expect(restore.code).toBe(0);
      await expectNoTrace(restoredAfter);

      // The erasure register of the origin: tombstone ids and times only.
      const listed = await run(origin, ['erasures:list']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(erased.id);
      expect(listed.stdout).not.toContain(erased.display_code);
      const register = join(work, 'erasures.txt');
      writeFileSync(register, listed.stdout);

      // A backup taken before the erasure brings the client back (SECURITY.md §3) …
      const restoredBefore = await aStore('era3');
      expect((await run(restoredBefore, ['restore', before])).code).toBe(0);
      const [back] = await restoredBefore.session((query) =>
        query<{ status: string; alias_cipher: string; data_key_cipher: string }>(
          `SELECT status, alias_cipher, data_key_cipher FROM client WHERE id = $1`,
          [erased.id],
        ),
      );
      expect(back.status).toBe('active');
      expect(dataKeys.decrypt(back.data_key_cipher, back.alias_cipher)).toBe(ALIAS);
      // … until the register is applied to the restored copy: then it holds nothing of the client either.
      const reapplied = await run(restoredBefore, ['erasures:reapply', register]);
      expect(reapplied.stderr).toBe('');
      expect(reapplied.code).toBe(0);
      expect(reapplied.stdout).toContain('1 client(s) erased again');
      await expectNoTrace(restoredBefore);
      const [audit] = await restoredBefore.session((query) =>
        query<{ details: { reason: string } }>(
          `SELECT details FROM audit_event WHERE action = 'client.erased' AND target_id = $1`,
          [erased.id],
        ),
      );
      expect(audit.details.reason).toBe('reapplied_after_restore');
      // Applying it again changes nothing.
      const again = await run(restoredBefore, ['erasures:reapply', register]);
      expect(again.stdout).toContain('0 client(s) erased again, 1 already erased');
    });

    it('refuses a damaged file, a file that is not a backup, or another key, leaving the target empty', async () => {
      const target = await aStore('bad');
      const good = readFileSync(backupFile);
      const flipped = Buffer.from(good);
      flipped[Math.floor(good.length / 2)] ^= 0x40;
      const cases: Array<[string, Buffer, Record<string, string>, RegExp]> = [
        ['flipped.backup', flipped, {}, /altered or damaged/],
        ['truncated.backup', good.subarray(0, good.length - 1000), {}, /cut off/],
        ['random.backup', randomBytes(50_000), {}, /not a Nhịp Cầu backup/],
        ['good.backup', good, { BACKUP_KEY: Buffer.alloc(32, 99).toString('base64') }, /another backup key/],
      ];
      for (const [name, bytes, env, message] of cases) {
        const path = join(work, name);
        writeFileSync(path, bytes);
        const res = await run(target, ['restore', path], env);
        expect({ name, code: res.code }).toEqual({ name, code: 2 });
        expect(res.stderr).toMatch(message);
        expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
      }
      const missing = await run(target, ['restore', join(work, 'no-such.backup')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('There is no file');

      if (onServerKind) expect(await tableCount(target)).toBe(0);
      else expect(existsSync(join(target.env.DATA_DIR, 'pglite', 'PG_VERSION'))).toBe(false);
    });

    it('refuses to restore into a database that already holds data, changing nothing', async () => {
      const before = await fingerprintOf(source);
      const res = await run(source, ['restore', backupFile]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(onServerKind ? /is not empty \(\d+ tables\)/ : /already holds an embedded database/);
      expect(await fingerprintOf(source)).toEqual(before);
    });

    it('never overwrites an existing file', async () => {
      const res = await run(source, ['backup', backupFile]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('already exists');
      expect(readFileSync(backupFile).subarray(0, 14).toString('ascii')).toBe('NHIPCAU-BACKUP');
    });

    it('prints its usage without a file name', async () => {
      const res = await run(source, ['restore']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('Usage: npm run cli -- restore FILE');
    });

    // Only the embedded database has a lock file: the server serves any number of processes.
    if (!onServerKind) {
      it('refuses to back up or restore the embedded database while another process holds it', async () => {
        // What a running app leaves in DATA_DIR: the lock file with its (live) process id.
        const holdLock = (dir: string) => writeFileSync(join(dir, 'pglite.lock'), String(process.pid));
        const target = await aStore('held');
        holdLock(source.env.DATA_DIR);
        holdLock(target.env.DATA_DIR);
        try {
          const backup = await run(source, ['backup', join(work, 'while-running.backup')]);
          expect(backup.code).toBe(2);
          expect(backup.stderr).toContain(`The embedded database is in use by process ${process.pid}`);
          expect(existsSync(join(work, 'while-running.backup'))).toBe(false);

          const restore = await run(target, ['restore', backupFile]);
          expect(restore.code).toBe(2);
          expect(restore.stderr).toContain(`The embedded database is in use by process ${process.pid}`);
          expect(existsSync(join(target.env.DATA_DIR, 'pglite', 'PG_VERSION'))).toBe(false);
        } finally {
          rmSync(join(source.env.DATA_DIR, 'pglite.lock'), { force: true });
          rmSync(join(target.env.DATA_DIR, 'pglite.lock'), { force: true });
        }
      });
    }
  },
);
