import { DistrictsService } from '../../src/geography/districts.service';
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { actorContext, cliContext } from '../../src/audit/audit.service';
import { Actor, toActor } from '../../src/auth/actor';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { localDay } from '../../src/clock/clock';
import { ContactInput, ContactsService } from '../../src/contacts/contacts.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';
import { namesRecord, pathOf, refusalFor } from '../support/routes';

// The project's `testTimeout` is ignored inside a Jest project; four sign-ins and thirty contacts need more than 5 s on a busy machine.
jest.setTimeout(30_000);

const MINE = '/contacts/mine';

/** The persona as the services see a signed-in user. */
const actorOf = (persona: Persona): Actor =>
  toActor({
    id: persona.userId,
    username: persona.username,
    role: persona.role,
    organizationId: persona.organizationId,
    grantedOrganizationIds: [],
    mustChangePassword: false,
    totpEnabled: persona.totpSecret !== undefined,
  });

const LETTERS = 'ABCDEGHKLMNPQRSTUVXY';
const letters = (n: number) => Array.from({ length: n }, () => LETTERS[randomInt(LETTERS.length)]).join('');

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;

const inputValue = (html: string, field: string): string | null =>
  new RegExp(`name="${field}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? null;

const selected = (html: string, field: string): string | null =>
  new RegExp(`<select[^>]*name="${field}"[\\s\\S]*?<option value="([^"]*)" selected>`).exec(html)?.[1] ?? null;

const rows = (html: string) => html.match(/<tr data-testid="contact-row">[\s\S]*?<\/tr>/g) ?? [];

const dayAfter = (day: string, days = 1) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};

describe('outreach contacts', () => {
  let t: TestApp;
  let worker: Persona;
  let colleague: Persona;
  let manager: Persona;
  let outsider: Persona;
  let agent: Agent;
  let colleagueAgent: Agent;
  let managerAgent: Agent;
  let outsiderAgent: Agent;
  let client: Client;

  const clients = () => t.app.get(ClientsService);
  const contacts = () => t.app.get(ContactsService);
  const today = () => localDay(t.clock.now());

  /** A consenting client registered by the persona (a fresh code each time). */
  const aClient = async (persona: Persona, primaryDistrict = 'hoan-kiem'): Promise<Client> => {
    for (;;) {
      const outcome = await clients().register(actorOf(persona), cliContext(), {
        uic: { mother: letters(2), father: letters(2), sex: 'F', own: letters(1) },
        gender: 'female',
        birthYear: 1985 + randomInt(20),
        primaryDistrict,
        workSetting: 'street',
        firstContactDate: '2024-03-01',
        consentDate: '2024-03-01',
        confirmKnownElsewhere: true,
        submissionKey: randomUUID(),
      });
      if (outcome.kind === 'created') return outcome.client;
    }
  };

  const aContact = (persona: Persona, of: Client, overrides: Partial<ContactInput> = {}) =>
    contacts().record(
      actorOf(persona),
      actorContext(actorOf(persona), null),
      of.id,
      {
        contactDate: today(),
        modality: 'street',
        districtCode: of.primaryDistrict,
        topics: ['hiv_sti'],
        condoms: 5,
        lubricants: 0,
        hivSelfTests: 0,
        ...overrides,
      },
      randomUUID(),
    );

  /** A valid form for `of`; an override of `undefined` leaves that field out, as a browser would. */
  const fields = (of: Client, overrides: Record<string, string | string[] | undefined> = {}) =>
    Object.fromEntries(
      Object.entries({
        submissionKey: randomUUID(),
        contactDate: today(),
        modality: 'venue',
        districtCode: of.primaryDistrict,
        topics: ['hiv_sti', 'condoms'],
        condoms: '10',
        lubricants: '2',
        hivSelfTests: '1',
        note: '',
        ...overrides,
      }).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
    );

  const newPath = (of: Client) => `/clients/${of.id}/contacts/new`;
  const createPath = (of: Client) => `/clients/${of.id}/contacts`;

  const record = (as: Agent, of: Client, overrides: Record<string, string | string[] | undefined> = {}) =>
    submit(as, createPath(of), fields(of, overrides), newPath(of));

  const storedBy = (submissionKey: string) =>
    t.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT *, to_char(contact_date, 'YYYY-MM-DD') AS day FROM contact WHERE submission_key = $1`,
      [submissionKey],
    );

  const storedRow = async (id: string) =>
    (await t.dataSource.query<Array<Record<string, unknown>>>(`SELECT * FROM contact WHERE id = $1`, [id]))[0];

  const contactsOf = async (of: Client) =>
    Number(
      (
        await t.dataSource.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM contact WHERE client_id = $1`, [
          of.id,
        ])
      )[0].n,
    );

  const auditRowsOn = (targetId: string) =>
    t.dataSource.query<Array<{ action: string; actor_user_id: string; target_type: string; details: object }>>(
      `SELECT action, actor_user_id, target_type, details FROM audit_event WHERE target_id = $1 ORDER BY id`,
      [targetId],
    );

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    colleague = await aPersona(t, 'social_worker', { organizationId: worker.organizationId });
    manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
    outsider = await aPersona(t, 'social_worker');
    [agent, colleagueAgent, managerAgent, outsiderAgent] = await Promise.all(
      [worker, colleague, manager, outsider].map((p) => loginAs(t, p)),
    );
    client = await aClient(worker, 'dong-da');
  });
  afterAll(() => t.close());

  describe('the quick form', () => {
    it('shows the client code at the top, today, the street and the client’s district, under a neutral title', async () => {
      const page = await agent.get(newPath(client)).expect(200);
      expect(page.text).toContain('<title>Ghi nhận lượt tiếp cận · Nhịp Cầu</title>');
      expect(page.text).toMatch(new RegExp(`data-testid="client-code">${client.displayCode}<`));
      expect(inputValue(page.text, 'contactDate')).toBe(today());
      expect(selected(page.text, 'modality')).toBe('street');
      expect(selected(page.text, 'districtCode')).toBe('dong-da');
      for (const field of ['condoms', 'lubricants', 'hivSelfTests']) {
        expect(inputValue(page.text, field)).toBe('0');
        expect(page.text).toMatch(new RegExp(`name="${field}" type="text" inputmode="numeric"`));
      }
      expect(inputValue(page.text, 'submissionKey')).toMatch(/^[0-9a-f-]{36}$/);
      expect(page.text).toContain('name="topics" value="gbv"');
      expect(page.text).toContain('Bạo lực trên cơ sở giới');
      expect(page.text).toMatch(/<textarea[^>]*name="note"[^>]*maxlength="1000"/);
    });

    it('gives every form a new submission key', async () => {
      const first = inputValue((await agent.get(newPath(client))).text, 'submissionKey');
      const second = inputValue((await agent.get(newPath(client))).text, 'submissionKey');
      expect(first).not.toBe(second);
    });

    it('offers only active districts', async () => {
      // Through the service, as the admin page does: it also refreshes the cached list of active districts.
      const districts = t.app.get(DistrictsService);
      const { code: _code, ...meLinh } = await districts.get('me-linh');
      await districts.update(cliContext(), 'me-linh', { ...meLinh, active: false });
      try {
        const page = await agent.get(newPath(client)).expect(200);
        expect(page.text).not.toContain('value="me-linh"');
        expect(page.text).toContain('value="ba-dinh"');
      } finally {
        await districts.update(cliContext(), 'me-linh', { ...meLinh, active: true });
      }
    });

    it('answers 404 for another organization’s client, an unknown id and a malformed id', async () => {
      await outsiderAgent.get(newPath(client)).expect(404);
      await agent.get(`/clients/${randomUUID()}/contacts/new`).expect(404);
      await agent.get('/clients/not-an-id/contacts/new').expect(404);
      const res = await submit(outsiderAgent, createPath(client), fields(client), MINE);
      expect(res.status).toBe(404);
      expect(await contactsOf(client)).toBe(0);
    });
  });

  describe('recording', () => {
    it('records the contact, audits it and goes back to the client page with a message', async () => {
      const form = fields(client);
      const res = await submit(agent, createPath(client), form, newPath(client));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${client.id}`);
      const [row] = await storedBy(form.submissionKey as string);
      expect(row).toMatchObject({
        client_id: client.id,
        organization_id: worker.organizationId,
        worker_id: worker.userId,
        modality: 'venue',
        district_code: 'dong-da',
        topics: ['hiv_sti', 'condoms'],
        condoms: 10,
        lubricants: 2,
        hiv_self_tests: 1,
        note_cipher: null,
        source: 'app',
        deleted_at: null,
      });
      expect(row.day).toBe(today());
      const audit = await auditRowsOn(row.id as string);
      expect(audit).toEqual([
        {
          action: 'contact.created',
          actor_user_id: worker.userId,
          target_type: 'contact',
          details: { clientId: client.id },
        },
      ]);
      const next = await agent.get(MINE).expect(200);
      expect(next.text).toContain('Đã ghi nhận lượt tiếp cận.');
    });

    it('records once when the same form is submitted twice, answering the same redirect', async () => {
      const form = fields(client);
      const first = await submit(agent, createPath(client), form, newPath(client));
      const second = await submit(agent, createPath(client), form, newPath(client));
      expect(first.status).toBe(303);
      expect(second.status).toBe(303);
      expect(second.headers.location).toBe(first.headers.location);
      expect(await storedBy(form.submissionKey as string)).toHaveLength(1);
    });

    it('records once when a double tap sends the form twice at the same time', async () => {
      const form = fields(client);
      const [a, b] = await Promise.all([
        submit(agent, createPath(client), form, newPath(client)),
        submit(agent, createPath(client), form, newPath(client)),
      ]);
      expect([a.status, b.status]).toEqual([303, 303]);
      expect(await storedBy(form.submissionKey as string)).toHaveLength(1);
    });

    it('records a contact with no topic ticked, empty quantities as 0 and a date typed as dd/mm/yyyy', async () => {
      const form = fields(client, { topics: undefined, condoms: '', lubricants: undefined, contactDate: '05/01/2025' });
      await submit(agent, createPath(client), form, newPath(client)).then((r) => expect(r.status).toBe(303));
      const [row] = await storedBy(form.submissionKey as string);
      expect(row).toMatchObject({ topics: [], condoms: 0, lubricants: 0, hiv_self_tests: 1 });
      expect(row.day).toBe('2025-01-05');
    });

    it.each([['0912345678'], ['+84 912 345 678'], ['gọi 091.234.5678 sau'], ['CMND 123456789'], ['CCCD 001234567890']])(
      'refuses a note with a phone or ID number (%s) and saves nothing',
      async (note) => {
        const form = fields(client, { note });
        const res = await submit(agent, createPath(client), form, newPath(client));
        expect(res.status).toBe(422);
        expect(fieldError(res.text, 'note')).toContain('Không ghi số điện thoại hay số giấy tờ tùy thân');
        expect(await storedBy(form.submissionKey as string)).toHaveLength(0);
      },
    );

    const tomorrow = () => dayAfter(today());
    it.each<[string, Record<string, string | string[] | undefined>, string, string]>([
      ['a missing date', { contactDate: undefined }, 'contactDate', 'Vui lòng nhập mục này.'],
      ['an empty date', { contactDate: '' }, 'contactDate', 'Vui lòng nhập mục này.'],
      ['a date that is not one', { contactDate: 'yesterday' }, 'contactDate', 'Ngày không hợp lệ (dd/mm/yyyy).'],
      ['a day that does not exist', { contactDate: '2025-02-30' }, 'contactDate', 'Ngày không hợp lệ (dd/mm/yyyy).'],
      ['a date in the future', { contactDate: 'TOMORROW' }, 'contactDate', 'Ngày tiếp cận không thể sau hôm nay.'],
      ['a date before 2000', { contactDate: '1999-12-31' }, 'contactDate', 'Ngày tiếp cận phải từ 01/01/2000 trở đi.'],
      ['a missing modality', { modality: undefined }, 'modality', 'Vui lòng chọn một hình thức tiếp cận'],
      ['an unknown modality', { modality: 'bus' }, 'modality', 'Vui lòng chọn một hình thức tiếp cận'],
      ['a missing district', { districtCode: undefined }, 'districtCode', 'Vui lòng chọn một địa bàn'],
      ['an unknown district', { districtCode: 'atlantis' }, 'districtCode', 'Vui lòng chọn một địa bàn'],
      ['an unknown topic', { topics: ['hiv_sti', 'astrology'] }, 'topics', 'Vui lòng chọn nội dung tư vấn'],
      ['a negative number of condoms', { condoms: '-1' }, 'condoms', 'Nhập một số nguyên từ 0 đến 1000.'],
      ['too many condoms', { condoms: '1001' }, 'condoms', 'Nhập một số nguyên từ 0 đến 1000.'],
      ['a fraction of lubricant', { lubricants: '2.5' }, 'lubricants', 'Nhập một số nguyên từ 0 đến 1000.'],
      ['words for self-tests', { hivSelfTests: 'two' }, 'hivSelfTests', 'Nhập một số nguyên từ 0 đến 1000.'],
      ['a repeated quantity field', { hivSelfTests: ['1', '2'] }, 'hivSelfTests', 'Giá trị không hợp lệ.'],
      ['a note over 1000 characters', { note: 'a'.repeat(1001) }, 'note', 'Quá dài (tối đa 1000 ký tự).'],
    ])('refuses %s with a message next to the field and saves nothing', async (_, override, field, message) => {
      const patched = override.contactDate === 'TOMORROW' ? { contactDate: tomorrow() } : override;
      const form = fields(client, patched);
      const res = await submit(agent, createPath(client), form, newPath(client));
      expect(res.status).toBe(422);
      expect(res.text).toContain('Vui lòng sửa các mục được đánh dấu bên dưới.');
      expect(fieldError(res.text, field)).toContain(message);
      expect(Object.keys(form).filter((f) => f !== field && fieldError(res.text, f) !== null)).toEqual([]);
      expect(await storedBy(form.submissionKey as string)).toHaveLength(0);
    });

    it('accepts today, 01/01/2000 and the bounds 0 and 1000', async () => {
      for (const override of [{ contactDate: '2000-01-01' }, { condoms: '1000', lubricants: '0' }]) {
        const form = fields(client, override);
        await submit(agent, createPath(client), form, newPath(client)).then((r) => expect(r.status).toBe(303));
        expect(await storedBy(form.submissionKey as string)).toHaveLength(1);
      }
    });

    it('keeps what was typed and the same submission key when the form comes back with errors', async () => {
      const form = fields(client, { condoms: '9999', note: 'gặp ở chợ', topics: ['gbv'] });
      const res = await submit(agent, createPath(client), form, newPath(client));
      expect(res.status).toBe(422);
      expect(inputValue(res.text, 'condoms')).toBe('9999');
      expect(inputValue(res.text, 'submissionKey')).toBe(form.submissionKey);
      expect(selected(res.text, 'modality')).toBe('venue');
      expect(res.text).toMatch(/value="gbv" id="topic-gbv" checked/);
      expect(res.text).not.toMatch(/value="hiv_sti" id="topic-hiv_sti" checked/);
      expect(res.text).toContain('>gặp ở chợ</textarea>');
      expect(res.text).toMatch(new RegExp(`data-testid="client-code">${client.displayCode}<`));
    });

    it('refuses a form without a valid submission key and gives it a fresh one', async () => {
      const before = await contactsOf(client);
      const res = await record(agent, client, { submissionKey: 'not-a-key' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Biểu mẫu không hợp lệ.');
      expect(inputValue(res.text, 'submissionKey')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
      expect(await contactsOf(client)).toBe(before);
    });

    it('stores the note encrypted and shows it decrypted on the edit page', async () => {
      const note = 'Cần hỗ trợ tư vấn pháp lý, hẹn gặp lại thứ Sáu';
      const form = fields(client, { note });
      await submit(agent, createPath(client), form, newPath(client)).then((r) => expect(r.status).toBe(303));
      const [row] = await storedBy(form.submissionKey as string);
      expect(typeof row.note_cipher).toBe('string');
      expect(row.note_cipher as string).toMatch(/^c:/);
      expect(row.note_cipher as string).not.toContain('pháp lý');
      expect(JSON.stringify(row)).not.toContain(note);
      const edit = await agent.get(`/contacts/${row.id as string}/edit`).expect(200);
      expect(edit.text).toContain(`>${note}</textarea>`);
      expect(edit.text).toContain('<title>Sửa lượt tiếp cận · Nhịp Cầu</title>');
      // Reading the note is reading the client's record.
      const views = (await auditRowsOn(client.id)).filter((r) => r.action === 'client.viewed');
      expect(views.at(-1)).toMatchObject({ actor_user_id: worker.userId });
    });
  });

  describe('editing and deleting', () => {
    const editPath = (id: string) => `/contacts/${id}/edit`;
    const change = (as: Agent, id: string, overrides: Record<string, string | string[] | undefined> = {}) =>
      submit(as, `/contacts/${id}`, fields(client, { submissionKey: undefined, ...overrides }), MINE);
    const remove = (as: Agent, id: string) => submit(as, `/contacts/${id}/delete`, {}, MINE);

    it('shows the author the contact’s values on the edit page, with the client code and a delete button', async () => {
      const contact = await aContact(worker, client, {
        contactDate: '2025-03-04',
        modality: 'online',
        districtCode: 'ba-dinh',
        topics: ['gbv', 'legal_rights'],
        condoms: 3,
      });
      const page = await agent.get(editPath(contact.id)).expect(200);
      expect(inputValue(page.text, 'contactDate')).toBe('2025-03-04');
      expect(selected(page.text, 'modality')).toBe('online');
      expect(selected(page.text, 'districtCode')).toBe('ba-dinh');
      expect(page.text).toMatch(/value="gbv" id="topic-gbv" checked/);
      expect(page.text).toMatch(/value="legal_rights" id="topic-legal_rights" checked/);
      expect(page.text).not.toMatch(/value="hiv_sti" id="topic-hiv_sti" checked/);
      expect(inputValue(page.text, 'condoms')).toBe('3');
      expect(page.text).not.toContain('name="submissionKey"');
      expect(page.text).toMatch(new RegExp(`data-testid="client-code">${client.displayCode}<`));
      expect(page.text).toContain(`action="/contacts/${contact.id}/delete"`);
    });

    it('lets the author change the contact, audits it and goes back to the client page', async () => {
      const contact = await aContact(worker, client);
      const res = await change(agent, contact.id, {
        modality: 'phone',
        condoms: '7',
        topics: ['services'],
        note: 'đã gọi lại',
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${client.id}`);
      expect(await storedRow(contact.id)).toMatchObject({ modality: 'phone', condoms: 7, topics: ['services'] });
      expect((await contacts().get(actorOf(worker), contact.id)).note).toBe('đã gọi lại');
      expect((await auditRowsOn(contact.id)).map((r) => [r.action, r.actor_user_id])).toEqual([
        ['contact.created', worker.userId],
        ['contact.updated', worker.userId],
      ]);
      expect((await agent.get(MINE)).text).toContain('Đã cập nhật lượt tiếp cận.');
    });

    it('refuses a bad change with a message next to the field and changes nothing', async () => {
      const contact = await aContact(worker, client);
      const res = await change(agent, contact.id, { condoms: '5000', note: '0912345678' });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'condoms')).toContain('Nhập một số nguyên từ 0 đến 1000.');
      expect(fieldError(res.text, 'note')).toContain('Không ghi số điện thoại');
      expect(await storedRow(contact.id)).toMatchObject({ condoms: 5, modality: 'street' });
      expect((await auditRowsOn(contact.id)).map((r) => r.action)).toEqual(['contact.created']);
    });

    it('lets a manager of the organization edit and delete a worker’s contact', async () => {
      const contact = await aContact(worker, client);
      await managerAgent.get(editPath(contact.id)).expect(200);
      await change(managerAgent, contact.id, { lubricants: '4' }).then((r) => expect(r.status).toBe(303));
      expect(await storedRow(contact.id)).toMatchObject({ lubricants: 4 });
      await remove(managerAgent, contact.id).then((r) => expect(r.status).toBe(303));
      expect((await storedRow(contact.id)).deleted_at).not.toBeNull();
      expect((await auditRowsOn(contact.id)).map((r) => [r.action, r.actor_user_id])).toEqual([
        ['contact.created', worker.userId],
        ['contact.updated', manager.userId],
        ['contact.deleted', manager.userId],
      ]);
    });

    it('answers 403 to another worker of the organization, and changes nothing', async () => {
      const contact = await aContact(worker, client);
      await colleagueAgent.get(editPath(contact.id)).expect(403);
      await change(colleagueAgent, contact.id, { condoms: '1' }).then((r) => expect(r.status).toBe(403));
      await remove(colleagueAgent, contact.id).then((r) => expect(r.status).toBe(403));
      expect(await storedRow(contact.id)).toMatchObject({ condoms: 5, deleted_at: null });
      expect((await auditRowsOn(contact.id)).map((r) => r.action)).toEqual(['contact.created']);
    });

    it('answers 404 to another organization, for an unknown id and for a malformed id', async () => {
      const contact = await aContact(worker, client);
      await outsiderAgent.get(editPath(contact.id)).expect(404);
      await change(outsiderAgent, contact.id).then((r) => expect(r.status).toBe(404));
      await remove(outsiderAgent, contact.id).then((r) => expect(r.status).toBe(404));
      expect(await storedRow(contact.id)).toMatchObject({ condoms: 5, deleted_at: null });
      for (const id of [randomUUID(), 'nope', `${contact.id}x`]) {
        await agent.get(editPath(id)).expect(404);
        await change(agent, id).then((r) => expect(r.status).toBe(404));
        await remove(agent, id).then((r) => expect(r.status).toBe(404));
      }
    });

    it('deletes softly: audited, the note erased, gone from the lists and the edit page', async () => {
      const own = await aClient(worker);
      const contact = await aContact(worker, own, { note: 'ghi chú sẽ bị xóa' });
      expect(rows((await agent.get(MINE)).text).join()).toContain(own.displayCode!);
      const res = await remove(agent, contact.id);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${own.id}`);
      const row = await storedRow(contact.id);
      expect(row.deleted_at).not.toBeNull();
      expect(row.note_cipher).toBeNull();
      expect((await agent.get(MINE)).text).toContain('Đã xóa lượt tiếp cận.');
      expect(rows((await agent.get(MINE)).text).join()).not.toContain(own.displayCode!);
      expect(rows((await agent.get('/contacts')).text).join()).not.toContain(own.displayCode!);
      await agent.get(editPath(contact.id)).expect(404);
      await remove(agent, contact.id).then((r) => expect(r.status).toBe(404));
      expect((await auditRowsOn(contact.id)).map((r) => r.action)).toEqual(['contact.created', 'contact.deleted']);
    });
  });

  describe('lists', () => {
    let listWorker: Persona;
    let listColleague: Persona;
    let listAgent: Agent;
    let a: Client;
    let b: Client;

    beforeAll(async () => {
      listWorker = await aPersona(t, 'social_worker');
      listColleague = await aPersona(t, 'social_worker', { organizationId: listWorker.organizationId });
      listAgent = await loginAs(t, listWorker);
      a = await aClient(listWorker, 'ba-dinh');
      b = await aClient(listColleague, 'tay-ho');
      await aContact(listWorker, a, { contactDate: '2025-01-10', modality: 'street', note: 'bí mật của khách' });
      await aContact(listWorker, a, { contactDate: '2025-02-10', modality: 'venue', districtCode: 'tay-ho' });
      await aContact(listColleague, b, { contactDate: '2025-03-10', modality: 'online', districtCode: 'tay-ho' });
      // 27 more of the colleague's for paging, all in 2024.
      for (let i = 0; i < 27; i++) {
        await aContact(listColleague, b, {
          contactDate: `2024-06-${String(i + 1).padStart(2, '0')}`,
          modality: 'phone',
        });
      }
    });

    const listOf = async (query: string) => {
      const page = await listAgent.get(`/contacts${query}`).expect(200);
      return { page, rows: rows(page.text) };
    };

    it('shows the organization’s contacts, newest first, with the client code linking to the client page and never a note', async () => {
      const { page, rows: found } = await listOf('');
      expect(page.text).toContain('<title>Lượt tiếp cận · Nhịp Cầu</title>');
      expect(page.text).toContain('<details class="mb-3">'); // the filters stay folded until used
      expect(found).toHaveLength(25);
      expect(found[0]).toContain(`<a href="/clients/${b.id}" data-testid="contact-client">${b.displayCode}</a>`);
      expect(found[0]).toContain('10/03/2025');
      expect(found[0]).toContain('Trực tuyến – mạng xã hội');
      expect(found[0]).toContain('Tây Hồ');
      expect(found[0]).toContain(listColleague.username);
      expect(found[2]).toContain(`<a href="/clients/${a.id}" data-testid="contact-client">${a.displayCode}</a>`);
      expect(found[2]).toContain('Ba Đình');
      expect(found[2]).toContain('Dự phòng HIV/STI');
      expect(found[2]).toContain('BCS 5');
      expect(page.text).not.toContain('bí mật');
      expect(page.text).not.toContain(client.displayCode!); // another organization's client
    });

    it('offers an edit link only on the contacts the reader may change', async () => {
      const { rows: found } = await listOf('?modality=venue');
      expect(found[0]).toContain('/edit"');
      const { rows: theirs } = await listOf('?modality=online');
      expect(theirs[0]).not.toContain('/edit"');
    });

    it('pages through the list, keeping the filters in the links', async () => {
      const first = await listOf('?from=2024-01-01');
      expect(first.rows).toHaveLength(25);
      expect(first.page.text).toContain('Trang 1/2 · 30 mục');
      expect(first.page.text).toContain('href="?from&#x3D;2024-01-01&amp;page&#x3D;2"');
      const second = await listOf('?from=2024-01-01&page=2');
      expect(second.rows).toHaveLength(5);
      expect(second.rows.at(-1)).toContain('01/06/2024');
    });

    it.each([
      ['a period', '?from=2025-01-01&to=2025-02-28', 2],
      ['a period given as dd/mm/yyyy', '?from=01/02/2025&to=10/03/2025', 2],
      ['a district', '?district=tay-ho', 29],
      ['a modality', '?modality=street', 1],
      ['a district and a period', '?district=tay-ho&from=2025-01-01', 2],
    ])('filters by %s', async (_, query, count) => {
      expect((await listOf(query)).page.text).toContain(`· ${count} mục`);
    });

    it('filters by worker, offering the organization’s users only', async () => {
      const { page } = await listOf(`?worker=${listWorker.userId}`);
      expect(page.text).toContain('· 2 mục');
      expect(page.text).toContain(`<option value="${listColleague.userId}">${listColleague.username}</option>`);
      expect(page.text).not.toContain(`value="${worker.userId}"`);
      expect(selected(page.text, 'worker')).toBe(listWorker.userId);
    });

    it.each([
      ['from', 'from=2025-13-45', 'Ngày không hợp lệ (dd/mm/yyyy).'],
      ['to', 'from=2025-03-01&to=2025-01-01', '“Đến ngày” phải sau “Từ ngày”.'],
      ['district', 'district=atlantis', 'Vui lòng chọn một địa bàn trong danh sách.'],
      ['modality', 'modality=bus', 'Vui lòng chọn một hình thức tiếp cận trong danh sách.'],
      ['worker', `worker=${randomUUID()}`, 'Vui lòng chọn một nhân viên của đơn vị.'],
      ['worker', 'worker=not-a-user', 'Vui lòng chọn một nhân viên của đơn vị.'],
      ['district', 'district=ba-dinh&district=tay-ho', 'Giá trị lọc không hợp lệ.'],
    ])('answers a bad %s filter with a message next to it, and ignores it', async (field, query, message) => {
      const { page } = await listOf(`?${query}`);
      expect(fieldError(page.text, field)).toBe(message);
      expect(page.text).toContain('<details class="mb-3" open>');
    });

    it('applies the good filters when another one is bad', async () => {
      const { page } = await listOf('?modality=venue&district=atlantis');
      expect(fieldError(page.text, 'district')).not.toBeNull();
      expect(page.text).toContain('· 1 mục');
    });

    it('shows my recent contacts only', async () => {
      const page = await listAgent.get(MINE).expect(200);
      expect(page.text).toContain('<title>Lượt tiếp cận của tôi · Nhịp Cầu</title>');
      expect(rows(page.text)).toHaveLength(2);
      expect(rows(page.text)[0]).toContain('10/02/2025');
      expect(page.text).not.toContain(b.displayCode!);
      expect(page.text).not.toContain('bí mật');
    });

    it('shows an empty list with a message', async () => {
      const page = await outsiderAgent.get('/contacts?from=2030-01-01').expect(200);
      expect(page.text).toContain('Chưa có lượt tiếp cận nào.');
    });
  });

  describe('who may use these pages', () => {
    const ROUTES: Array<['GET' | 'POST', string]> = [
      ['GET', '/clients/:client/contacts/new'],
      ['POST', '/clients/:client/contacts'],
      ['GET', '/contacts'],
      ['GET', MINE],
      ['GET', '/contacts/:contact/edit'],
      ['POST', '/contacts/:contact'],
      ['POST', '/contacts/:contact/delete'],
    ];

    /** Calls every contact route, with a social worker's client and contact of the persona's organization,
     *  expecting `statusOf(pattern)`; then checks that nothing was recorded, changed or deleted. */
    const expectEveryRoute = async (persona: Persona, statusOf: (pattern: string) => number) => {
      const as = await loginAs(t, persona);
      const contact = await aContact(worker, client);
      const before = await contactsOf(client);
      for (const [method, pattern] of ROUTES) {
        const path = pathOf(pattern, { client: client.id, contact: contact.id });
        const res = method === 'GET' ? await as.get(path) : await submit(as, path, fields(client), '/');
        expect({ method, path, status: res.status }).toEqual({ method, path, status: statusOf(pattern) });
      }
      expect(await storedRow(contact.id)).toMatchObject({ condoms: 5, deleted_at: null });
      expect(await contactsOf(client)).toBe(before);
    };

    it('answers an admin 404 on every route naming a client or a contact, 403 on the lists', async () => {
      const admin = await aPersona(t, 'admin', { organizationId: worker.organizationId });
      await expectEveryRoute(admin, refusalFor);
    });

    // A coordinator holds contacts:write (peer contacts for their group members) but not contacts:read: the
    // lists answer 403; a client outside their groups and a contact they did not record are out of their
    // scope, in their own organization too, and answer 404 as a record that does not exist.
    it('answers a peer coordinator 404 on a client outside their groups and another’s contact, 403 on the lists', async () => {
      const coordinator = await aPersona(t, 'peer_coordinator', { organizationId: worker.organizationId });
      await expectEveryRoute(coordinator, (pattern) => (namesRecord(pattern) ? 404 : 403));
    });

    it('lets a manager read the lists and record a contact', async () => {
      await managerAgent.get('/contacts').expect(200);
      await managerAgent.get(MINE).expect(200);
      await record(managerAgent, client).then((r) => expect(r.status).toBe(303));
    });

    it('sends a visitor who is not signed in to the sign-in page', async () => {
      const res = await request(t.app.getHttpServer()).get('/contacts');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    });
  });
});
