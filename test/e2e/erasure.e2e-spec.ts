import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AssessmentsService } from '../../src/assessments/assessments.service';
import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { localDay } from '../../src/clock/clock';
import { ContactsService } from '../../src/contacts/contacts.service';
import { ClientErasureService, ErasureRefusedError } from '../../src/erasure/erasure.service';
import { GroupSessionsService } from '../../src/groups/group-sessions.service';
import { GroupsService } from '../../src/groups/groups.service';
import { ClientDataKeys } from '../../src/privacy/client-data-keys';
import { ProvidersService } from '../../src/providers/providers.service';
import { ReferralsService } from '../../src/referrals/referrals.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp, unique } from '../support/app';
import { cli, queryCliDatabase } from '../support/cli';
import { aClient, actorOf } from '../support/fixtures';

jest.setTimeout(180_000);

const ALIAS = 'Hoạ Mi Tangerine';
const CONTACT_NOTE = 'Hẹn gặp ở quán nước đầu ngõ – dấu Saffron-Quill-58';
const REFERRAL_NOTE = 'Sợ bị hỏi giấy tờ ở phòng khám – dấu Juniper-Atlas-26';
const STATUS_NOTE = 'Đổi lịch vì ca làm đêm – dấu Marigold-Vessel-91';

const testId = (html: string, id: string): string | null =>
  new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim() ?? null;

/** Every value of every text-like column of every table of the public schema, labelled `table.column`. */
async function everyValue(t: TestApp): Promise<Array<{ where: string; text: string }>> {
  const columns: Array<{ table_name: string; column_name: string; data_type: string }> = await t.dataSource.query(
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
    const rows: Array<{ v: string }> = await t.dataSource.query(
      `SELECT ${expression} AS v FROM "${table}" WHERE "${column}" IS NOT NULL`,
    );
    for (const { v } of rows) values.push({ where: `${table}.${column}`, text: v });
  }
  return values;
}

/** Texts sealed with a client key ("c:<iv>:<tag>:<data>"), wherever they sit (a column, inside JSON). */
const SEALED = /c:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*/g;

describe('erasure of a client (crypto-shredding)', () => {
  let t: TestApp;
  let worker: Persona;
  let manager: Persona;
  let otherManager: Persona;
  let workerAgent: Agent;
  let managerAgent: Agent;

  const today = () => localDay(t.clock.now());

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
    otherManager = await aPersona(t, 'manager');
    workerAgent = await loginAs(t, worker);
    managerAgent = await loginAs(t, manager);
  });

  afterAll(() => t.close());

  const clientRow = async (id: string) => {
    const [row] = await t.dataSource.query(
      `SELECT status, erased_at, uic_hash, display_code, alias_cipher, data_key_cipher, submission_key,
              consent_worker_id, gender, birth_year, work_setting, organization_id, primary_district,
              to_char(first_contact_date, 'YYYY-MM-DD') AS first_contact_date
         FROM client WHERE id = $1`,
      [id],
    );
    return row as Record<string, unknown>;
  };

  const erasedEvents = async (id: string) =>
    t.dataSource.query(`SELECT details FROM audit_event WHERE action = 'client.erased' AND target_id = $1`, [id]);

  const eraseForm = (clientId: string, fields: Record<string, string>) =>
    submit(managerAgent, `/clients/${clientId}/erase`, fields, `/clients/${clientId}/erase`);

  /** A client with something of every kind: alias, contact note, assessment, referral notes and slip, a group. */
  async function aRichClient() {
    const actor = actorOf(worker);
    const context = cliContext();
    const registered = await aClient(t, worker, { firstContactDate: '2024-03-01' });
    await t.app.get(ClientsService).updateDetails(actor, context, registered.id, {
      gender: registered.gender,
      birthYear: registered.birthYear,
      primaryDistrict: registered.primaryDistrict,
      workSetting: registered.workSetting,
      firstContactDate: registered.firstContactDate,
      alias: ALIAS,
    });
    const client = (await t.app.get(ClientsService).getForActor(actor, registered.id)) as Client;
    await t.app.get(ContactsService).record(
      actor,
      context,
      client,
      {
        contactDate: today(),
        modality: 'venue',
        districtCode: 'hoan-kiem',
        topics: ['hiv_sti'],
        condoms: 2,
        lubricants: 0,
        hivSelfTests: 1,
        note: CONTACT_NOTE,
      },
      randomUUID(),
    );
    await t.app
      .get(AssessmentsService)
      .record(
        actor,
        context,
        client.id,
        { assessedOn: today(), answers: [{ domain: 'health', need: 'yes', eligible: 'yes' }], violence: 'no' },
        randomUUID(),
      );
    const provider = await t.app.get(ProvidersService).create(cliContext(), {
      name: unique('Phòng khám'),
      domains: ['health'],
      serviceTypes: ['hiv_testing'],
      districtCode: 'hoan-kiem',
      address: null,
      phone: null,
      openingHours: null,
      kpFriendly: true,
      active: true,
      needsReview: false,
      sample: false,
    });
    const referrals = t.app.get(ReferralsService);
    const referral = await referrals.create(
      actor,
      context,
      client,
      {
        domain: 'health',
        serviceType: 'hiv_testing',
        providerId: provider.id,
        referredOn: today(),
        appointmentOn: null,
        note: REFERRAL_NOTE,
      },
      randomUUID(),
    );
    await referrals.changeStatus(actor, context, referral.id, 1, {
      status: 'scheduled',
      statusOn: today(),
      appointmentOn: today(),
      verification: null,
      note: STATUS_NOTE,
    });
    const slip = await workerAgent.get(`/referrals/${referral.id}/slip`).expect(200);
    const groups = t.app.get(GroupsService);
    const group = await groups.create(
      actorOf(manager),
      context,
      {
        name: unique('Nhóm'),
        kind: 'peer_group',
        districtCode: 'hoan-kiem',
        foundedOn: '2024-01-01',
        active: true,
        coordinatorIds: [],
      },
      randomUUID(),
    );
    const added = await groups.addMember(
      actorOf(manager),
      context,
      group,
      { kind: 'code', displayCode: client.displayCode! },
      { role: 'member', joinedOn: '2024-02-01', submissionKey: randomUUID() },
    );
    expect(added.kind).toBe('added');
    await t.app.get(GroupSessionsService).record(
      actorOf(manager),
      context,
      group,
      {
        sessionDate: today(),
        durationMinutes: 60,
        sessionType: 'regular_meeting',
        topics: ['hiv_sti'],
        attendance: [{ clientId: client.id, facilitated: false }],
        facilitatorUserIds: [],
        anonymousAttendees: 2,
        condoms: 0,
        lubricants: 0,
        hivSelfTests: 0,
        countsAsContact: true,
        note: null,
      },
      randomUUID(),
    );
    const row = await clientRow(client.id);
    return {
      client,
      groupId: group.id,
      referralId: referral.id,
      slip: { code: testId(slip.text, 'slip-code')!, pin: testId(slip.text, 'slip-pin')! },
      uicHash: row.uic_hash as string,
      displayCode: row.display_code as string,
      wrappedKey: row.data_key_cipher as string,
    };
  }

  /** The facts the indicators read: contacts, assessments, referrals, their history and attendance. */
  const factsOf = async (clientId: string) => ({
    contacts: await t.dataSource.query(
      `SELECT id, to_char(contact_date, 'YYYY-MM-DD') AS day, district_code, modality, topics, condoms, source, deleted_at
         FROM contact WHERE client_id = $1 ORDER BY id`,
      [clientId],
    ),
    assessments: await t.dataSource.query(
      `SELECT d.domain, d.need, d.eligible, to_char(d.assessed_on, 'YYYY-MM-DD') AS day
         FROM needs_assessment_domain d WHERE d.client_id = $1 ORDER BY d.domain`,
      [clientId],
    ),
    referrals: await t.dataSource.query(
      `SELECT id, domain, service_type, status, to_char(referred_on, 'YYYY-MM-DD') AS referred, to_char(status_on, 'YYYY-MM-DD') AS status_on,
              completed_on, (SELECT count(*)::int FROM referral_event e WHERE e.referral_id = r.id) AS events
         FROM referral r WHERE client_id = $1 ORDER BY id`,
      [clientId],
    ),
    attendance: await t.dataSource.query(`SELECT session_id FROM group_attendance WHERE client_id = $1`, [clientId]),
  });

  describe('by a manager, from the client page', () => {
    let rich: Awaited<ReturnType<typeof aRichClient>>;
    let control: Awaited<ReturnType<typeof aRichClient>>;
    let before: Awaited<ReturnType<typeof factsOf>>;
    let valuesBefore: Array<{ where: string; text: string }>;

    beforeAll(async () => {
      rich = await aRichClient();
      control = await aRichClient();
      before = await factsOf(rich.client.id);
      valuesBefore = await everyValue(t);
    });

    it('offers the erase link to a manager only', async () => {
      const asManager = await managerAgent.get(`/clients/${rich.client.id}`).expect(200);
      expect(asManager.text).toContain(`href="/clients/${rich.client.id}/erase"`);
      const asWorker = await workerAgent.get(`/clients/${rich.client.id}`).expect(200);
      expect(asWorker.text).not.toContain('data-testid="erase-link"');
    });

    it('answers 404 to a worker and to a manager of another organization, changing nothing', async () => {
      await workerAgent.get(`/clients/${rich.client.id}/erase`).expect(404);
      const other = await loginAs(t, otherManager);
      await other.get(`/clients/${rich.client.id}/erase`).expect(404);
      const posted = await submit(
        other,
        `/clients/${rich.client.id}/erase`,
        { reason: 'client_request', confirmCode: rich.displayCode },
        '/clients',
      );
      expect(posted.status).toBe(404);
      expect((await clientRow(rich.client.id)).status).toBe('active');
    });

    it('shows the page with the display code, the reasons and the warning', async () => {
      const page = await managerAgent.get(`/clients/${rich.client.id}/erase`).expect(200);
      expect(testId(page.text, 'display-code')).toBe(rich.displayCode);
      expect(page.text).toContain('Khách hàng yêu cầu xoá dữ liệu');
      expect(page.text).not.toContain('value="retention"');
      expect(page.text).toContain('<title>');
      expect(/<title>[^<]*<\/title>/.exec(page.text)![0]).not.toContain(rich.displayCode);
    });

    it.each([
      ['no reason', { confirmCode: 'x' }, 'Vui lòng chọn lý do xoá.'],
      ['an unknown reason', { reason: 'retention', confirmCode: 'x' }, 'Vui lòng chọn lý do xoá.'],
      ['no confirmation', { reason: 'client_request' }, 'Vui lòng nhập mục này.'],
      ['a wrong display code', { reason: 'client_request', confirmCode: 'AAA-AAA' }, 'Mã nhập lại không khớp'],
      ['the code of another client', { reason: 'other', confirmCode: 'control' }, 'Mã nhập lại không khớp'],
    ])('refuses %s with a clear message (422) and changes nothing', async (_, fields, message) => {
      const typed = { ...fields } as Record<string, string>;
      if (typed.confirmCode === 'control') typed.confirmCode = control.displayCode;
      const response = await eraseForm(rich.client.id, typed);
      expect(response.status).toBe(422);
      expect(response.text).toContain(message);
      expect(response.text).toContain(rich.displayCode);
      const row = await clientRow(rich.client.id);
      expect(row.status).toBe('active');
      expect(row.display_code).toBe(rich.displayCode);
      expect(await erasedEvents(rich.client.id)).toEqual([]);
    });

    it('says so in English too', async () => {
      const english = await loginAs(t, manager);
      const page = `/clients/${rich.client.id}/erase`;
      expect((await submit(english, '/lang', { lang: 'en', next: page }, page)).status).toBe(303);
      const response = await submit(english, page, { reason: 'client_request', confirmCode: 'AAA-AAA' }, page);
      expect(response.status).toBe(422);
      expect(response.text).toContain('does not match this client');
      const noReason = await submit(english, page, { confirmCode: rich.displayCode }, page);
      expect(noReason.text).toContain('Choose the reason for erasure.');
    });

    describe('once erased (display code typed in lower case, with a space)', () => {
      let erasedAt: number;

      beforeAll(async () => {
        const typed = `${rich.displayCode.slice(0, 3)} ${rich.displayCode.slice(4)}`.toLowerCase();
        const response = await eraseForm(rich.client.id, { reason: 'client_request', confirmCode: typed });
        expect(response.status).toBe(303);
        expect(response.headers.location).toBe('/clients');
        erasedAt = Date.now();
      });

      it('tells the manager, and the client page, the erase page and a second erasure answer 404', async () => {
        const list = await managerAgent.get('/clients').expect(200);
        expect(list.text).toContain('Đã xoá dữ liệu khách hàng.');
        await managerAgent.get(`/clients/${rich.client.id}`).expect(404);
        await managerAgent.get(`/clients/${rich.client.id}/erase`).expect(404);
        const again = await eraseForm(rich.client.id, { reason: 'client_request', confirmCode: rich.displayCode });
        expect(again.status).toBe(404);
        expect(await erasedEvents(rich.client.id)).toHaveLength(1);
      });

      it('refuses a second erasure through the service with a clear reason', async () => {
        await expect(
          t.app.get(ClientErasureService).erase(cliContext(), rich.client.id, 'client_request'),
        ).rejects.toMatchObject({ messageKey: 'erasure.errors.alreadyErased' });
      });

      it('leaves a tombstone: organization, district and dates only', async () => {
        const row = await clientRow(rich.client.id);
        expect(row).toMatchObject({
          status: 'erased',
          uic_hash: null,
          display_code: null,
          alias_cipher: null,
          data_key_cipher: null,
          submission_key: null,
          consent_worker_id: null,
          gender: null,
          birth_year: null,
          work_setting: null,
          organization_id: worker.organizationId,
          primary_district: 'hoan-kiem',
          first_contact_date: '2024-03-01',
        });
        expect(Math.abs(new Date(row.erased_at as string).getTime() - erasedAt)).toBeLessThan(60_000);
      });

      it('keeps every contact, assessment, referral and attendance as anonymous facts', async () => {
        expect(await factsOf(rich.client.id)).toEqual(before);
        expect(before.contacts.length).toBe(2); // the contact and the group session's
        expect(before.referrals[0].events).toBe(2);
      });

      it('never lists or finds the tombstone', async () => {
        const list = await workerAgent.get('/clients').expect(200);
        expect(list.text).not.toContain(rich.client.id);
        const search = await workerAgent.get(`/clients?code=${encodeURIComponent(rich.displayCode)}`);
        expect(search.status).toBe(200);
        expect(search.text).not.toContain(`/clients/${rich.client.id}`);
        await workerAgent.get(`/referrals/${rich.referralId}`).expect(404);
        const followUps = await workerAgent.get('/referrals/follow-up').expect(200);
        expect(followUps.text).not.toContain(rich.referralId);
      });

      it('ends the group membership today and shows the past member as erased', async () => {
        const memberships = await t.dataSource.query(
          `SELECT to_char(left_on, 'YYYY-MM-DD') AS left_on FROM group_membership WHERE client_id = $1`,
          [rich.client.id],
        );
        expect(memberships).toEqual([{ left_on: today() }]);
        const group = await managerAgent.get(`/groups/${rich.groupId}`).expect(200);
        expect(group.text).toContain('Khách hàng đã xoá dữ liệu');
        expect(group.text).not.toContain(rich.displayCode);
      });

      it('makes the referral slip confirm nothing, exactly like an unknown code', async () => {
        const provider = request.agent(t.app.getHttpServer());
        const erased = await submit(provider, '/confirm', { ...rich.slip, servedOn: today() }, '/confirm');
        const unknown = await submit(
          request.agent(t.app.getHttpServer()),
          '/confirm',
          { code: 'QQQQ-QQQQ', pin: '123456', servedOn: today() },
          '/confirm',
        );
        expect(erased.status).toBe(unknown.status);
        expect(erased.text).toContain('Mã chuyển gửi hoặc mã PIN không đúng.');
        const [referral] = await t.dataSource.query(
          `SELECT status, slip_code, slip_expires_on, pin_cipher, note_cipher, outcome_note_cipher FROM referral WHERE id = $1`,
          [rich.referralId],
        );
        expect(referral).toEqual({
          status: 'scheduled',
          slip_code: null,
          slip_expires_on: null,
          pin_cipher: null,
          note_cipher: null,
          outcome_note_cipher: null,
        });
      });

      it('audits the erasure with a reason code and counts, and earlier rows keep only the tombstone id', async () => {
        const [event] = await t.dataSource.query(
          `SELECT actor_user_id, organization_id, target_type, details FROM audit_event
            WHERE action = 'client.erased' AND target_id = $1`,
          [rich.client.id],
        );
        expect(event).toMatchObject({
          actor_user_id: manager.userId,
          organization_id: worker.organizationId,
          target_type: 'client',
          details: { reason: 'client_request', slips: 1, memberships: 1 },
        });
        // alias is on the client row; here: the contact note, the referral note, the status note, the PIN.
        expect(event.details.sealedCells).toBe(4);
        const about: Array<{ details: unknown; target_id: string | null }> = await t.dataSource.query(
          `SELECT details, target_id FROM audit_event WHERE target_id = $1 OR details->>'clientId' = $1`,
          [rich.client.id],
        );
        expect(about.length).toBeGreaterThan(5);
        const text = JSON.stringify(about);
        for (const needle of [rich.displayCode, rich.uicHash, ALIAS, 'Saffron-Quill-58']) {
          expect(text).not.toContain(needle);
        }
      });

      it('leaves no code hash, display code, alias, note, key or readable ciphertext of the client in any column of any table', async () => {
        const dataKeys = t.app.get(ClientDataKeys);
        const readable = (values: Array<{ where: string; text: string }>, wrappedKey: string) =>
          values.flatMap(({ where, text }) =>
            (text.match(SEALED) ?? []).flatMap((cipher) => {
              try {
                return [{ where, plain: dataKeys.decrypt(wrappedKey, cipher) }];
              } catch {
                return [];
              }
            }),
          );
        const needles = [
          rich.uicHash,
          rich.displayCode,
          rich.wrappedKey,
          rich.slip.code,
          ALIAS,
          'Tangerine',
          CONTACT_NOTE,
          'Saffron-Quill-58',
          'Juniper-Atlas-26',
          'Marigold-Vessel-91',
        ];
        const found = (values: Array<{ where: string; text: string }>) =>
          values.flatMap(({ where, text }) =>
            needles
              .filter((needle) => text.toLowerCase().includes(needle.toLowerCase()))
              .map((needle) => ({ where, needle })),
          );

        // The scan is not blind: before erasure it saw the client's code, key and readable ciphertexts.
        expect(found(valuesBefore).map((f) => f.where)).toEqual(
          expect.arrayContaining(['client.uic_hash', 'client.display_code', 'client.data_key_cipher']),
        );
        expect(readable(valuesBefore, rich.wrappedKey).map((r) => r.where)).toEqual(
          expect.arrayContaining([
            'client.alias_cipher',
            'contact.note_cipher',
            'referral.note_cipher',
            'referral.pin_cipher',
          ]),
        );

        // Even with the old wrapped key (an old backup) and the application keys, nothing left decrypts.
        const after = await everyValue(t);
        expect(found(after)).toEqual([]);
        expect(readable(after, rich.wrappedKey)).toEqual([]);
        // The other client of the organization is untouched.
        const controlRow = await clientRow(control.client.id);
        expect(controlRow).toMatchObject({ status: 'active', display_code: control.displayCode });
        expect(readable(after, control.wrappedKey).map((r) => r.plain)).toEqual(
          expect.arrayContaining([ALIAS, CONTACT_NOTE, REFERRAL_NOTE, STATUS_NOTE]),
        );
      });
    });
  });

  describe('through the service', () => {
    it('refuses an unknown or malformed id, and a merged record, changing nothing', async () => {
      const erasure = t.app.get(ClientErasureService);
      await expect(erasure.erase(cliContext(), randomUUID(), 'client_request')).rejects.toMatchObject({
        messageKey: 'erasure.errors.notFound',
      });
      await expect(erasure.erase(cliContext(), 'not-a-uuid', 'client_request')).rejects.toBeInstanceOf(
        ErasureRefusedError,
      );
      const keep = await aClient(t, worker);
      const duplicate = await aClient(t, worker);
      await t.app.get(ClientsService).merge(actorOf(manager), cliContext(), keep.id, duplicate.id, 'registered_twice');
      await expect(erasure.erase(cliContext(), duplicate.id, 'client_request')).rejects.toMatchObject({
        messageKey: 'erasure.errors.merged',
      });
      expect((await clientRow(duplicate.id)).status).toBe('merged');
      expect(await erasedEvents(duplicate.id)).toEqual([]);
    });
  });
});

describe('client:erase on the command line', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let org: string;
  const RAW_UIC = 'LAHOF91Q';
  const SECOND_UIC = 'MIHUF88T';

  const rowsOf = (sql: string, params: unknown[] = []) =>
    queryCliDatabase<Record<string, unknown>>(dataDir, sql, params);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nc-erase-'));
    env = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test' };
    org = unique('erase-org');
    expect((await cli(env, ['org:create', '--code', org, '--name', 'Tổ chức xoá dữ liệu'])).code).toBe(0);
    const file = join(dataDir, 'clients.csv');
    writeFileSync(
      file,
      `uic,gender,birth_year,district,work_setting,first_contact_date,consent_date\n${RAW_UIC},female,1991,ba-dinh,street,2024-05-02,2024-05-02\n${SECOND_UIC},female,1988,ba-dinh,street,2024-05-03,2024-05-03\n`,
    );
    const imported = await cli(env, ['import', 'clients', file, '--org', org]);
    expect(imported.code).toBe(0);
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** The organization's clients by first contact (RAW_UIC's is the earlier), a date erasure keeps. */
  const clientOfOrg = async (index = 0) => {
    const rows = await rowsOf(
      `SELECT c.id, c.status, c.uic_hash, c.display_code FROM client c JOIN organization o ON o.id = c.organization_id
        WHERE o.code = $1 ORDER BY c.first_contact_date`,
      [org],
    );
    return rows[index];
  };

  it('refuses a missing reason and an unknown organization (exit 2), erasing nothing', async () => {
    const noReason = await cli(env, ['client:erase', '--uic', RAW_UIC, '--org', org]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    expect(noReason.stderr).toContain('client_request');
    const noOrg = await cli(env, ['client:erase', '--uic', RAW_UIC, '--org', 'no-such-org', '--reason', 'other']);
    expect(noOrg.code).toBe(2);
    expect(noOrg.stderr).toContain('no organization has the code no-such-org');
    expect((await clientOfOrg()).status).toBe('active');
  });

  it('erases the client found by its raw code, never printing the code, audited as the OS user', async () => {
    const before = await clientOfOrg();
    const done = await cli(env, ['client:erase', '--uic', 'la ho f 91 q', '--org', org, '--reason', 'client_request']);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Client erased');
    expect(`${done.stdout}${done.stderr}`).not.toMatch(/LAHOF91Q|la ho f 91 q/i);
    expect(await clientOfOrg()).toMatchObject({ id: before.id, status: 'erased', uic_hash: null, display_code: null });
    const [audit] = await rowsOf(
      `SELECT actor_name, details FROM audit_event WHERE action = 'client.erased' AND target_id = $1`,
      [before.id],
    );
    expect(audit.actor_name).toMatch(/^cli:/);
    expect(audit.details).toMatchObject({ reason: 'client_request' });
  });

  it('answers exit 2 with a clear message for a code that matches no client (the erased one included)', async () => {
    const again = await cli(env, ['client:erase', '--uic', RAW_UIC, '--org', org, '--reason', 'client_request']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('No client of this organization has that UIC.');
    expect(again.stderr).not.toContain(RAW_UIC);
    const [{ n }] = await rowsOf(
      `SELECT count(*)::int AS n FROM audit_event a JOIN client c ON c.id::text = a.target_id
         JOIN organization o ON o.id = c.organization_id
        WHERE a.action = 'client.erased' AND o.code = $1`,
      [org],
    );
    expect(n).toBe(1);
  });

  it('takes the reason in words too: recorded as other, the words sealed in the audit trail; refuses a phone number', async () => {
    const phone = await cli(env, ['client:erase', '--uic', SECOND_UIC, '--org', org, '--reason', 'gọi 0912345678']);
    expect(phone.code).toBe(2);
    expect(phone.stderr).toContain('--reason');
    const tooShort = await cli(env, ['client:erase', '--uic', SECOND_UIC, '--org', org, '--reason', 'abc']);
    expect(tooShort.code).toBe(2);
    const before = await clientOfOrg(1);
    expect(before.status).toBe('active');

    const WORDS = 'Yêu cầu trực tiếp tại văn phòng';
    const done = await cli(env, ['client:erase', '--uic', SECOND_UIC, '--org', org, '--reason', WORDS]);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect((await clientOfOrg(1)).status).toBe('erased');
    const [audit] = await rowsOf(`SELECT details FROM audit_event WHERE action = 'client.erased' AND target_id = $1`, [
      before.id,
    ]);
    expect(audit.details).toMatchObject({ reason: 'other', reasonCipher: expect.any(String) });
    expect(JSON.stringify(audit.details)).not.toContain('văn phòng');
  });

  it('lists the erasure register (tombstone ids and times, audited) and refuses a register that is not one', async () => {
    const erasedIds = [(await clientOfOrg(0)).id, (await clientOfOrg(1)).id];
    const listed = await cli(env, ['erasures:list']);
    expect(listed.code).toBe(0);
    for (const id of erasedIds) expect(listed.stdout).toMatch(new RegExp(`^${id}\\t\\d{4}-\\d\\d-\\d\\dT`, 'm'));
    const future = await cli(env, ['erasures:list', '--since', '2999-01-01']);
    expect(future.stdout.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
    const badDay = await cli(env, ['erasures:list', '--since', '31/02/2026']);
    expect(badDay.code).toBe(2);
    const [{ n }] = await rowsOf(`SELECT count(*)::int AS n FROM audit_event WHERE action = 'erasure.register_listed'`);
    expect(n).toBeGreaterThanOrEqual(2);

    const notARegister = join(dataDir, 'not-a-register.txt');
    writeFileSync(notARegister, `${erasedIds[0]}\nLAHOF91Q\n`);
    const refused = await cli(env, ['erasures:reapply', notARegister]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('line 2: not a tombstone id');
    expect(refused.stderr).not.toContain('LAHOF91Q');
    // A register of this database: everyone on it is erased already, so nothing changes.
    const register = join(dataDir, 'register.txt');
    writeFileSync(register, listed.stdout);
    const reapplied = await cli(env, ['erasures:reapply', register]);
    expect(reapplied.code).toBe(0);
    expect(reapplied.stdout).toContain('0 client(s) erased again');
  });
});
