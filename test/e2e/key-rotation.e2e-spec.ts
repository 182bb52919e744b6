import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actorContext, cliContext } from '../../src/audit/audit.service';
import type { Actor } from '../../src/auth/actor';
import { ROLE_PERMISSIONS } from '../../src/auth/permissions';
import { rotateKeysCommand } from '../../src/cli/commands/keys.command';
import { UsageError } from '../../src/cli/command';
import { ClientsService } from '../../src/clients/clients.service';
import { localDay } from '../../src/clock/clock';
import { resetEnvForTests } from '../../src/config/env';
import { ContactsService } from '../../src/contacts/contacts.service';
import { GroupSessionsService } from '../../src/groups/group-sessions.service';
import { GroupsService } from '../../src/groups/groups.service';
import { KeyRotationService } from '../../src/privacy/key-rotation.service';
import { aPersona, createTestApp, loginAs, Persona, TestApp } from '../support/app';

jest.setTimeout(60_000);

/** The key every other test file uses (test/support/env.ts), and a second one to rotate to. */
const KEY_V1 = `v1:${Buffer.alloc(32, 9).toString('base64')}`;
const KEY_V2 = `v2:${Buffer.alloc(32, 23).toString('base64')}`;

const actorOf = (persona: Persona): Actor => ({
  userId: persona.userId,
  username: persona.username,
  role: persona.role,
  organizationId: persona.organizationId,
  organizationIds: [persona.organizationId],
  permissions: new Set(ROLE_PERMISSIONS[persona.role]),
});

interface SealedClient {
  id: string;
  alias: string;
  contactId: string;
  note: string;
}

/**
 * Two apps on one database: the first knows only v1 and seals everything with it; the second is
 * configured with v1,v2 (v2 active, as the last of FIELD_KEYS) and rotates. The embedded database
 * lives in a temporary directory so that it outlives the first app; on PostgreSQL (DATABASE_URL)
 * both apps share the server.
 */
describe('key rotation', () => {
  let dataDir: string | undefined;
  let worker: Persona;
  let manager: Persona;
  const clients: SealedClient[] = [];
  const noteCiphersBefore = new Map<string, string>();
  /** A group session's note: the group's, not a client's, so it is sealed with the key ring itself. */
  const GROUP_NOTE = 'Buổi sinh hoạt về quyền lao động, nhóm muốn gặp luật sư';
  let sessionId: string;
  const sessionCipherOf = async (t: TestApp): Promise<string> =>
    (await t.dataSource.query(`SELECT note_cipher FROM group_session WHERE id = $1`, [sessionId]))[0].note_cipher;

  const wrappedKeysOf = async (t: TestApp) =>
    (await t.dataSource.query(`SELECT id, data_key_cipher FROM client WHERE id = ANY($1::uuid[])`, [
      clients.map((c) => c.id),
    ])) as Array<{ id: string; data_key_cipher: string }>;
  const totpCipherOf = async (t: TestApp, userId: string): Promise<string> =>
    (await t.dataSource.query(`SELECT totp_secret_cipher FROM app_user WHERE id = $1`, [userId]))[0].totp_secret_cipher;
  const notCiphersUnder = async (t: TestApp, keyId: string): Promise<number> => {
    const [row] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM client WHERE data_key_cipher IS NOT NULL AND split_part(data_key_cipher, ':', 1) <> $1)
            + (SELECT count(*) FROM app_user WHERE totp_secret_cipher IS NOT NULL AND split_part(totp_secret_cipher, ':', 1) <> $1)
            + (SELECT count(*) FROM group_session WHERE note_cipher IS NOT NULL AND split_part(note_cipher, ':', 1) <> $1)
              AS n`,
      [keyId],
    );
    return Number(row.n);
  };

  beforeAll(() => {
    if (!process.env.DATABASE_URL) {
      dataDir = mkdtempSync(join(tmpdir(), 'nhipcau-keys-'));
      resetEnvForTests({ DATA_DIR: dataDir });
    }
  });
  afterAll(() => {
    resetEnvForTests({
      FIELD_KEYS: KEY_V1,
      FIELD_KEY_ID: '',
      DATA_DIR: process.env.DATABASE_URL ? './data-test' : 'memory://',
    });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('before: an app with FIELD_KEYS=v1 only', () => {
    let t: TestApp;

    beforeAll(async () => {
      resetEnvForTests({ FIELD_KEYS: KEY_V1, FIELD_KEY_ID: '' });
      t = await createTestApp();
      worker = await aPersona(t, 'social_worker');
      manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
      const actor = actorOf(worker);
      const today = localDay(t.clock.now());
      for (let i = 0; i < 5; i++) {
        const alias = `Bí danh Hoa Sứ ${i}`;
        const note = `Ghi chú kín số ${i}: hẹn khám tại phòng khám thân thiện`;
        const outcome = await t.app.get(ClientsService).register(actor, actorContext(actor, null), {
          uic: { mother: 'Thơ', father: 'Bảo', sex: 'F', own: String.fromCharCode(65 + i) },
          birthYear: 1990,
          gender: 'female',
          primaryDistrict: 'ba-dinh',
          workSetting: 'street',
          firstContactDate: today,
          consentDate: today,
          alias,
          submissionKey: randomUUID(),
          confirmKnownElsewhere: true,
        });
        if (outcome.kind !== 'created') throw new Error(`Client not created: ${outcome.kind}`);
        const contact = await t.app.get(ContactsService).record(
          actor,
          actorContext(actor, null),
          outcome.client.id,
          {
            contactDate: today,
            modality: 'street',
            districtCode: 'ba-dinh',
            topics: ['hiv_sti'],
            condoms: 2,
            lubricants: 0,
            hivSelfTests: 0,
            note,
          },
          randomUUID(),
        );
        clients.push({ id: outcome.client.id, alias, contactId: contact.id, note });
      }
      const notes = await t.dataSource.query(`SELECT id, note_cipher FROM contact WHERE id = ANY($1::uuid[])`, [
        clients.map((c) => c.contactId),
      ]);
      for (const row of notes) noteCiphersBefore.set(row.id, row.note_cipher);
      const managerActor = actorOf(manager);
      const group = await t.app.get(GroupsService).create(
        managerActor,
        actorContext(managerActor, null),
        {
          name: 'Nhóm Hoa Sen',
          kind: 'peer_group',
          districtCode: 'ba-dinh',
          foundedOn: today,
          active: true,
          coordinatorIds: [worker.userId],
        },
        randomUUID(),
      );
      const session = await t.app.get(GroupSessionsService).record(
        actor,
        actorContext(actor, null),
        group,
        {
          sessionDate: today,
          durationMinutes: 60,
          sessionType: 'regular_meeting',
          topics: [],
          attendance: [],
          facilitatorUserIds: [],
          anonymousAttendees: 4,
          condoms: 0,
          lubricants: 0,
          hivSelfTests: 0,
          countsAsContact: false,
          note: GROUP_NOTE,
        },
        randomUUID(),
      );
      sessionId = session.id;
    });
    afterAll(() => t.close());

    it('seals the client data keys and the TOTP secret under v1', async () => {
      const wrapped = await wrappedKeysOf(t);
      expect(wrapped).toHaveLength(clients.length);
      for (const row of wrapped) expect(row.data_key_cipher.startsWith('v1:')).toBe(true);
      expect((await totpCipherOf(t, manager.userId)).startsWith('v1:')).toBe(true);
      expect((await sessionCipherOf(t)).startsWith('v1:')).toBe(true);
      // Notes and aliases are sealed with each client's own key, not the key ring.
      for (const cipher of noteCiphersBefore.values()) expect(cipher.startsWith('c:')).toBe(true);
    });
  });

  describe('after: an app with FIELD_KEYS=v1,v2 (v2 active by default)', () => {
    let t: TestApp;
    let rotation: KeyRotationService;

    beforeAll(async () => {
      resetEnvForTests({ FIELD_KEYS: `${KEY_V1},${KEY_V2}`, FIELD_KEY_ID: '' });
      t = await createTestApp();
      rotation = t.app.get(KeyRotationService);
    });
    afterAll(() => t.close());

    it('takes the last key of FIELD_KEYS as the active one', () => {
      expect(rotation.activeKeyId).toBe('v2');
    });

    it('stops after the batches it was allowed, and the next run resumes where it stopped', async () => {
      expect(await notCiphersUnder(t, 'v2')).toBeGreaterThanOrEqual(clients.length + 1);
      const interrupted = await rotation.rotate(cliContext(), { batchSize: 2, maxBatches: 2 });
      expect(interrupted.complete).toBe(false);
      expect(interrupted.columns.reduce((sum, c) => sum + c.rotated, 0)).toBe(4);
      const left = await notCiphersUnder(t, 'v2');
      expect(left).toBeGreaterThan(0);
      expect(interrupted.columns.reduce((sum, c) => sum + c.remaining, 0)).toBe(left);

      const resumed = await rotation.rotate(cliContext(), { batchSize: 2 });
      expect(resumed.complete).toBe(true);
      // Only what the first run left is done again: nothing is re-encrypted twice.
      expect(resumed.columns.reduce((sum, c) => sum + c.rotated, 0)).toBe(left);
      expect(await notCiphersUnder(t, 'v2')).toBe(0);
    });

    it('leaves every wrapped client key, the TOTP secret and the group session note under v2', async () => {
      for (const row of await wrappedKeysOf(t)) expect(row.data_key_cipher.startsWith('v2:')).toBe(true);
      expect((await totpCipherOf(t, manager.userId)).startsWith('v2:')).toBe(true);
      expect((await sessionCipherOf(t)).startsWith('v2:')).toBe(true);
      const { note } = await t.app.get(GroupSessionsService).getEditable(actorOf(worker), sessionId);
      expect(note).toBe(GROUP_NOTE);
    });

    it('keeps the client keys themselves: notes are untouched, and aliases and notes still open', async () => {
      const actor = actorOf(worker);
      const notes = await t.dataSource.query(`SELECT id, note_cipher FROM contact WHERE id = ANY($1::uuid[])`, [
        clients.map((c) => c.contactId),
      ]);
      for (const row of notes) expect(row.note_cipher).toBe(noteCiphersBefore.get(row.id));
      for (const sealed of clients) {
        const client = await t.app.get(ClientsService).getForActor(actor, sealed.id);
        expect(t.app.get(ClientsService).aliasOf(client)).toBe(sealed.alias);
        expect((await t.app.get(ContactsService).get(actor, sealed.contactId)).note).toBe(sealed.note);
      }
    });

    it('still signs the manager in with their authenticator code', async () => {
      const agent = await loginAs(t, manager);
      await agent.get('/').expect(200);
    });

    it('changes nothing when run again', async () => {
      const before = await wrappedKeysOf(t);
      const again = await rotation.rotate(cliContext());
      expect(again.complete).toBe(true);
      for (const column of again.columns) expect(column).toMatchObject({ rotated: 0, remaining: 0 });
      expect(await wrappedKeysOf(t)).toEqual(before);
    });

    it('audits every run as keys.rotated with the counts per table', async () => {
      const rows: Array<{ actor_name: string; details: Record<string, unknown> }> = await t.dataSource.query(
        `SELECT actor_name, details FROM audit_event WHERE action = 'keys.rotated' ORDER BY id DESC LIMIT 3`,
      );
      expect(rows).toHaveLength(3);
      const [last, resumed, interrupted] = rows;
      expect(last.actor_name).toMatch(/^cli:/);
      expect(last.details).toEqual({
        activeKeyId: 'v2',
        complete: true,
        rotated: { 'client.data_key_cipher': 0, 'app_user.totp_secret_cipher': 0, 'group_session.note_cipher': 0 },
        remaining: { 'client.data_key_cipher': 0, 'app_user.totp_secret_cipher': 0, 'group_session.note_cipher': 0 },
      });
      expect(interrupted.details).toMatchObject({ complete: false });
      expect(resumed.details).toMatchObject({ complete: true });
      const total = (details: Record<string, unknown>) =>
        Object.values(details.rotated as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(total(interrupted.details)).toBe(4);
      expect(total(resumed.details)).toBeGreaterThan(0);
    });

    it('prints a summary per table from the command line', async () => {
      const output = await rotateKeysCommand.run(t.app, { 'batch-size': '100' }, []);
      expect(output).toContain('Key rotation to v2:');
      expect(output).toMatch(/client\.data_key_cipher\s+0 re-encrypted, 0 remaining/);
      expect(output).toMatch(/app_user\.totp_secret_cipher\s+0 re-encrypted, 0 remaining/);
      expect(output).toContain('Everything is sealed under v2');
    });

    it.each(['0', '-1', 'many', '100000'])('refuses --batch-size %s', async (size) => {
      await expect(rotateKeysCommand.run(t.app, { 'batch-size': size }, [])).rejects.toThrow(UsageError);
    });

    it('stops on a value it cannot decrypt, naming the row but not its content', async () => {
      const [victim] = clients;
      const [{ data_key_cipher: original }] = await t.dataSource.query(
        `SELECT data_key_cipher FROM client WHERE id = $1`,
        [victim.id],
      );
      await t.dataSource.query(`UPDATE client SET data_key_cipher = $1 WHERE id = $2`, [
        'v9:AAAA:BBBB:CCCC',
        victim.id,
      ]);
      try {
        await expect(rotation.rotate(cliContext())).rejects.toThrow(
          `client.data_key_cipher of row ${victim.id} cannot be decrypted: Unknown field key id v9`,
        );
      } finally {
        await t.dataSource.query(`UPDATE client SET data_key_cipher = $1 WHERE id = $2`, [original, victim.id]);
      }
    });
  });
});
