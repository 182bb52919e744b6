import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { actorContext, cliContext } from '../../src/audit/audit.service';
import { Actor, toActor } from '../../src/auth/actor';
import { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { localDay } from '../../src/clock/clock';
import { ContactsService } from '../../src/contacts/contacts.service';
import { runPrepared } from '../../src/database/prepared';
import { UsersService } from '../../src/users/users.service';
import { anOrganization, aPersona, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';
import { aClient } from '../support/fixtures';

// The reads and writes on the path of every request (the session's user, the client of a page, a contact
// entry) skip TypeORM's mapping and run as prepared statements: they must give what TypeORM gave.
jest.setTimeout(30_000);

describe('the hot paths', () => {
  let t: TestApp;
  let worker: Persona;
  let actor: Actor;
  let client: Client;

  const users = () => t.app.get(UsersService);
  const sessionActor = async (persona: Persona) => toActor((await users().loadSessionUser(persona.userId))!);

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    actor = await sessionActor(worker);
    // With an alias: an encrypted column holding a value, in the comparison with TypeORM's mapping.
    client = await aClient(t, worker, { primaryDistrict: 'dong-da', alias: 'Hoa' });
  });
  afterAll(() => t.close());

  it("reads a client exactly as TypeORM's mapping does (every column, with its type)", async () => {
    const mapped = await t.dataSource.getRepository(Client).findOneByOrFail({ id: client.id });
    const read = await t.app.get(ClientsService).getForActor(actor, client.id);
    expect({ ...read }).toEqual({ ...mapped });
    expect(read.createdAt).toBeInstanceOf(Date);
    expect(read.firstContactDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('answers 404 for a client of another organization or a code that is not an id', async () => {
    const outsider = await sessionActor(await aPersona(t, 'social_worker'));
    await expect(t.app.get(ClientsService).getForActor(outsider, client.id)).rejects.toMatchObject({ status: 404 });
    await expect(t.app.get(ClientsService).getForActor(actor, 'not-an-id')).rejects.toMatchObject({ status: 404 });
  });

  it("loads the session's user with a manager's grants and the second-factor flag, and no one inactive", async () => {
    const manager = await aPersona(t, 'manager');
    const other = await anOrganization(t);
    await users().update(cliContext(), manager.userId, {
      role: 'manager',
      organizationId: manager.organizationId,
      grantedOrganizationIds: [other.id],
    });
    expect(await users().loadSessionUser(manager.userId)).toEqual({
      id: manager.userId,
      username: manager.username,
      role: 'manager',
      organizationId: manager.organizationId,
      grantedOrganizationIds: [other.id],
      mustChangePassword: false,
      totpEnabled: true,
    });
    expect(await users().loadSessionUser(worker.userId)).toMatchObject({
      grantedOrganizationIds: [],
      totpEnabled: false,
    });
    const leaving = await aPersona(t, 'social_worker');
    await users().setActive(cliContext(), leaving.userId, false);
    expect(await users().loadSessionUser(leaving.userId)).toBeNull();
    expect(await users().loadSessionUser('not-an-id')).toBeNull();
  });

  it('writes a contact and its audit event together, and neither when the event cannot be written', async () => {
    const contacts = t.app.get(ContactsService);
    const input = {
      contactDate: localDay(t.clock.now()),
      modality: 'street' as const,
      districtCode: 'dong-da',
      topics: ['condoms' as const],
      condoms: 3,
      lubricants: 1,
      hivSelfTests: 0,
    };
    const saved = await contacts.record(actor, actorContext(actor, '10.0.0.7'), client.id, input, randomUUID());
    const [stored] = await t.dataSource.query<Array<{ created_at: Date }>>(
      'SELECT created_at FROM contact WHERE id = $1',
      [saved.id],
    );
    expect(saved.createdAt).toEqual(stored.created_at);
    const events = await t.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT actor_user_id, action, target_id, ip_address, details FROM audit_event WHERE target_id = $1`,
      [saved.id],
    );
    expect(events).toEqual([
      {
        actor_user_id: worker.userId,
        action: 'contact.created',
        target_id: saved.id,
        ip_address: '10.0.0.7',
        details: { clientId: client.id },
      },
    ]);

    // An actor name longer than its column makes the event fail: the contact must not stay behind.
    const count = async () =>
      Number((await t.dataSource.query('SELECT count(*) AS n FROM contact WHERE client_id = $1', [client.id]))[0].n);
    const before = await count();
    // …and the failure costs no connection (and what it had prepared): the pool drops none.
    const pool = (t.dataSource.driver as unknown as { master: Pool }).master;
    let dropped = 0;
    const onRemove = () => dropped++;
    pool.on('remove', onRemove);
    const unwritable = { ...actorContext(actor, null), actorName: 'x'.repeat(200) };
    try {
      await expect(contacts.record(actor, unwritable, client.id, input, randomUUID())).rejects.toThrow();
      expect(await count()).toBe(before);
      await contacts.record(actor, actorContext(actor, null), client.id, input, randomUUID());
      expect(await count()).toBe(before + 1);
    } finally {
      pool.off('remove', onRemove);
    }
    expect(dropped).toBe(0);
  });

  it('refuses to run a prepared statement beside an open transaction (it would take another connection)', async () => {
    await expect(
      t.dataSource.transaction((tx) => runPrepared(tx, { name: 'test.one', text: 'SELECT 1 AS one' }, [])),
    ).rejects.toThrow(/inside a transaction/);
    await expect(runPrepared(t.dataSource.manager, { name: 'test.one', text: 'SELECT 1 AS one' }, [])).resolves.toEqual(
      [{ one: 1 }],
    );
  });

  it('sets the CSRF cookie with a page, not with a save answered by a redirect', async () => {
    const agent = await loginAs(t, worker);
    const form = await agent.get(`/clients/${client.id}/contacts/new`).expect(200);
    expect(String(form.headers['set-cookie'] ?? '')).toMatch(/nc\.csrf=/);
    const saved = await submit(
      agent,
      `/clients/${client.id}/contacts`,
      {
        submissionKey: randomUUID(),
        contactDate: localDay(t.clock.now()),
        modality: 'venue',
        districtCode: 'dong-da',
        topics: ['condoms'],
        condoms: '2',
        lubricants: '0',
        hivSelfTests: '0',
        note: '',
      },
      `/clients/${client.id}/contacts/new`,
    );
    expect(saved.status).toBe(303);
    expect(String(saved.headers['set-cookie'] ?? '')).not.toMatch(/nc\.csrf=/);
  });
});
