import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { actorContext } from '../../src/audit/audit.service';
import { toActor } from '../../src/auth/actor';
import { ClientsService } from '../../src/clients/clients.service';
import { resetEnvForTests } from '../../src/config/env';
import { UsersService } from '../../src/users/users.service';
import { aPersona, createTestApp, Persona, TestApp } from '../support/app';

/** The same person must get the same record on every visit: the hash survives a restart of the app. */
describe('client code hash across restarts', () => {
  let dataDir: string | undefined;
  const uic = { mother: 'Hồng', father: 'Tuấn', sex: 'F', own: 'Ngọc' };

  beforeAll(() => {
    // Embedded runs keep the database in a directory both apps open in turn; CI uses DATABASE_URL.
    if (!process.env.DATABASE_URL) {
      dataDir = mkdtempSync(join(tmpdir(), 'nhipcau-restart-'));
      resetEnvForTests({ DATA_DIR: dataDir });
    }
  });
  afterAll(() => {
    resetEnvForTests({ DATA_DIR: process.env.DATABASE_URL ? './data-test' : 'memory://' });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const actorOf = async (t: TestApp, persona: Persona) =>
    toActor((await t.app.get(UsersService).loadSessionUser(persona.userId))!);

  it('finds the client registered before the restart by the same code parts', async () => {
    let first: TestApp | undefined = await createTestApp();
    const worker = await aPersona(first, 'social_worker');
    const actor = await actorOf(first, worker);
    const registered = await first.app.get(ClientsService).register(actor, actorContext(actor, null), {
      uic,
      gender: 'female',
      birthYear: 1993,
      primaryDistrict: 'dong-da',
      workSetting: 'karaoke_bar',
      firstContactDate: '2026-03-02',
      consentDate: '2026-03-02',
      submissionKey: randomUUID(),
    });
    expect(registered.kind).toBe('created');
    const clientId = registered.kind === 'created' ? registered.client.id : '';
    await first.close();
    first = undefined;

    const second = await createTestApp();
    try {
      const again = await actorOf(second, worker);
      const found = await second.app
        .get(ClientsService)
        .lookup(again, actorContext(again, null), { ...uic, mother: 'hong', own: 'N', birthYear: '1993' });
      expect(found.kind).toBe('existing');
      expect(found.kind === 'existing' && found.client.id).toBe(clientId);
    } finally {
      await second.close();
    }
  });
});
