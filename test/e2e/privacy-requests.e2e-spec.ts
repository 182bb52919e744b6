import { randomUUID } from 'node:crypto';
import { AssessmentsService } from '../../src/assessments/assessments.service';
import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { resetEnvForTests } from '../../src/config/env';
import { ContactsService } from '../../src/contacts/contacts.service';
import { GroupSessionsService } from '../../src/groups/group-sessions.service';
import { GroupsService } from '../../src/groups/groups.service';
import { translate } from '../../src/i18n/i18n';
import { composeUic } from '../../src/privacy/client-code';
import { PrivacyRequestsService } from '../../src/privacy-requests/privacy-requests.service';
import { ReferralsService } from '../../src/referrals/referrals.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp, unique } from '../support/app';
import { auditRowsFor } from '../support/audit';
import { actorOf, aClient, addDays, aUic } from '../support/fixtures';

jest.setTimeout(60_000);

// The deadline comes from configuration: a number other than the default shows it is read.
const DEADLINE_DAYS = 20;
const LIST = '/privacy/requests';
const DAY_MS = 24 * 60 * 60 * 1000;

/** What Handlebars makes of a message in a page. */
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
const escaped = (text: string) => text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);
const vi = (key: string, vars: Record<string, unknown> = {}) => escaped(translate('vi', key, vars));
const en = (key: string, vars: Record<string, unknown> = {}) => escaped(translate('en', key, vars));

const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;
const inputValue = (html: string, field: string): string | null =>
  new RegExp(`name="${field}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? null;
const openRows = (html: string) => html.match(/<tr data-testid="open-request"[\s\S]*?<\/tr>/g) ?? [];
const statusOf = (html: string) => /data-testid="request-status" data-status="([a-z]+)"/.exec(html)?.[1];
const dueText = (html: string) => /data-testid="due">([^<]*)/.exec(html)?.[1]?.trim();
/** dd/mm/yyyy, as pages show a day. */
const shown = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

describe('data-subject requests', () => {
  let t: TestApp;
  let worker: Persona;
  let manager: Persona;
  let outsider: Persona;
  let coordinator: Persona;
  let agent: Agent;
  let managerAgent: Agent;
  let outsiderAgent: Agent;
  let client: Client;

  const service = () => t.app.get(PrivacyRequestsService);
  const today = () => service().today();
  const post = (a: Agent, path: string, fields: Record<string, string>) => submit(a, path, fields, '/');
  const countRequests = async (clientId: string) =>
    Number(
      (await t.dataSource.query(`SELECT count(*)::int AS n FROM privacy_request WHERE client_id = $1`, [clientId]))[0]
        .n,
    );
  /** A request logged through the service, received `daysAgo` days before today. */
  const aRequest = (forClient: Client, daysAgo: number, type: 'see' | 'restrict' | 'erase' = 'see', by = worker) =>
    service().create(
      actorOf(by),
      cliContext(),
      forClient,
      { type, receivedOn: addDays(today(), -daysAgo), note: null },
      randomUUID(),
    );
  const newRequestForm = (forClient: Client, fields: Record<string, string>) =>
    post(agent, `/clients/${forClient.id}/privacy-requests/new`, {
      type: 'see',
      receivedOn: today(),
      submissionKey: randomUUID(),
      ...fields,
    });

  beforeAll(async () => {
    resetEnvForTests({ PRIVACY_REQUEST_DAYS: String(DEADLINE_DAYS) });
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
    manager = await aPersona(t, 'manager', { organizationId: worker.organizationId });
    coordinator = await aPersona(t, 'peer_coordinator', { organizationId: worker.organizationId });
    outsider = await aPersona(t, 'social_worker');
    agent = await loginAs(t, worker);
    managerAgent = await loginAs(t, manager);
    outsiderAgent = await loginAs(t, outsider);
  });

  afterAll(async () => {
    await t.close();
    resetEnvForTests({ PRIVACY_REQUEST_DAYS: '' });
  });

  beforeEach(async () => {
    t.clock.reset();
    client = await aClient(t, worker);
  });

  describe('logging a request', () => {
    it('logs a request from the client page with its deadline from configuration, the note sealed', async () => {
      const page = await agent.get(`/clients/${client.id}/privacy-requests/new`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(client.displayCode!);
      expect(page.text).not.toMatch(/<title>[^<]*[A-Z0-9]{3}-[A-Z0-9]{3}/); // neutral title
      const receivedOn = addDays(today(), -3);
      const note = 'Muốn xem toàn bộ ghi chép';
      const response = await newRequestForm(client, { type: 'erase', receivedOn, note });
      expect(response.status).toBe(303);
      const location = response.headers.location as string;
      expect(location).toMatch(/^\/privacy\/requests\/[0-9a-f-]{36}$/);

      const shownPage = await agent.get(location);
      expect(shownPage.status).toBe(200);
      expect(statusOf(shownPage.text)).toBe('open');
      expect(dueText(shownPage.text)).toBe(shown(addDays(receivedOn, DEADLINE_DAYS)));
      expect(shownPage.text).toContain(note);

      const [row] = await t.dataSource.query(
        `SELECT type, to_char(due_on, 'YYYY-MM-DD') AS due, note_cipher, created_by FROM privacy_request WHERE client_id = $1`,
        [client.id],
      );
      expect(row.type).toBe('erase');
      expect(row.due).toBe(addDays(receivedOn, DEADLINE_DAYS));
      expect(row.note_cipher).not.toContain('ghi chép');
      expect(row.created_by).toBe(worker.userId);

      const audit = (await auditRowsFor(t.dataSource, worker.userId)).filter(
        (r) => r.action === 'privacy_request.created' && r.details.clientId === client.id,
      );
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit[0].details)).not.toContain('ghi');
      expect(audit[0].details).toEqual({ clientId: client.id, type: 'erase' });
    });

    it('refuses a missing type, a future or missing day and a phone number, in both languages, and logs nothing', async () => {
      const noType = await newRequestForm(client, { type: '' });
      expect(noType.status).toBe(422);
      expect(noType.text).toContain(vi('privacyRequests.errors.type'));

      const future = await newRequestForm(client, { receivedOn: addDays(today(), 1) });
      expect(future.status).toBe(422);
      expect(fieldError(future.text, 'receivedOn')).toBe(vi('privacyRequests.errors.future'));

      const missing = await newRequestForm(client, { receivedOn: '' });
      expect(fieldError(missing.text, 'receivedOn')).toBe(vi('validation.required'));

      const bogus = await newRequestForm(client, { receivedOn: '31/02/2026' });
      expect(fieldError(bogus.text, 'receivedOn')).toBe(vi('validation.date'));

      const phone = await newRequestForm(client, { note: 'Gọi lại số 0912 345 678' });
      expect(phone.status).toBe(422);
      expect(fieldError(phone.text, 'note')).toBe(vi('validation.identifier'));

      const tampered = await newRequestForm(client, { type: 'sell' });
      expect(tampered.status).toBe(422);

      const english = await loginAs(t, worker);
      const path = `/clients/${client.id}/privacy-requests/new`;
      await submit(english, '/lang', { lang: 'en', next: path }, path).then((r) => expect(r.status).toBe(303));
      const inEnglish = await submit(
        english,
        path,
        { type: '', receivedOn: addDays(today(), 2), submissionKey: randomUUID() },
        path,
      );
      expect(inEnglish.status).toBe(422);
      expect(inEnglish.text).toContain(en('privacyRequests.errors.type'));
      expect(fieldError(inEnglish.text, 'receivedOn')).toBe(en('privacyRequests.errors.future'));

      expect(await countRequests(client.id)).toBe(0);
    });

    it('logs a request submitted twice once', async () => {
      const submissionKey = randomUUID();
      const first = await newRequestForm(client, { submissionKey });
      const second = await newRequestForm(client, { submissionKey });
      expect(first.status).toBe(303);
      expect(second.status).toBe(303);
      expect(second.headers.location).toBe(first.headers.location);
      expect(await countRequests(client.id)).toBe(1);
    });

    it('answers 404 for an unknown client, a malformed id and another organization’s client', async () => {
      expect((await agent.get(`/clients/${randomUUID()}/privacy-requests/new`)).status).toBe(404);
      expect((await agent.get('/clients/not-a-uuid/privacy-requests/new')).status).toBe(404);
      const unknown = await post(agent, `/clients/${randomUUID()}/privacy-requests/new`, {
        type: 'see',
        receivedOn: today(),
        submissionKey: randomUUID(),
      });
      expect(unknown.status).toBe(404);
      expect(unknown.text).toContain(vi('errors.404'));

      const elsewhere = await aClient(t, outsider);
      expect((await agent.get(`/clients/${elsewhere.id}/privacy-requests/new`)).status).toBe(404);
      const posted = await newRequestForm(elsewhere, {});
      expect(posted.status).toBe(404);
      expect(await countRequests(elsewhere.id)).toBe(0);
    });

    it('finds the client by display code from the log, with a clear message for an unknown or malformed code', async () => {
      const found = await post(agent, `${LIST}/find`, { displayCode: client.displayCode!.toLowerCase() });
      expect(found.status).toBe(303);
      expect(found.headers.location).toBe(`/clients/${client.id}/privacy-requests/new`);

      const elsewhere = await aClient(t, outsider);
      const other = await post(agent, `${LIST}/find`, { displayCode: elsewhere.displayCode! });
      expect(other.status).toBe(422);
      expect(fieldError(other.text, 'displayCode')).toBe(vi('privacyRequests.errors.noSuchClient'));

      const malformed = await post(agent, `${LIST}/find`, { displayCode: 'XX' });
      expect(malformed.status).toBe(422);
      expect(fieldError(malformed.text, 'displayCode')).toBe(vi('privacyRequests.errors.displayCode'));

      const empty = await post(agent, `${LIST}/find`, { displayCode: '' });
      expect(fieldError(empty.text, 'displayCode')).toBe(vi('validation.required'));
    });
  });

  describe('the log', () => {
    it('lists open requests by deadline, flags those past it, and flags one more when its deadline day has passed', async () => {
      const others = await Promise.all([aClient(t, worker), aClient(t, worker)]);
      const dueToday = await aRequest(client, DEADLINE_DAYS);
      const late = await aRequest(others[0], DEADLINE_DAYS + 3, 'erase');
      const recent = await aRequest(others[1], 2, 'restrict');

      const list = await agent.get(LIST);
      expect(list.status).toBe(200);
      const rows = openRows(list.text);
      const order = [late, dueToday, recent].map((r) =>
        rows.findIndex((row) => row.includes(`/privacy/requests/${r.id}`)),
      );
      expect(order.every((i) => i >= 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      const rowOf = (id: string) => rows.find((row) => row.includes(`/privacy/requests/${id}`))!;
      expect(rowOf(late.id)).toContain('data-overdue="true"');
      expect(rowOf(late.id)).toContain(vi('privacyRequests.overdue', { days: 3 }));
      // On its deadline day a request is due, not overdue.
      expect(rowOf(dueToday.id)).not.toContain('data-overdue');
      expect(rowOf(dueToday.id)).toContain(vi('privacyRequests.dueToday'));
      expect(rowOf(recent.id)).not.toContain('data-overdue');

      // The next day (Hanoi calendar), the one that was due is overdue (a new day, a new sign-in).
      t.clock.advance(DAY_MS);
      const nextDay = await loginAs(t, worker);
      const tomorrow = openRows((await nextDay.get(LIST)).text);
      expect(tomorrow.find((row) => row.includes(dueToday.id))).toContain('data-overdue="true"');
      expect(tomorrow.find((row) => row.includes(recent.id))).not.toContain('data-overdue');
      const page = await nextDay.get(`${LIST}/${dueToday.id}`);
      expect(page.text).toContain('data-testid="overdue"');
    });

    it('flags overdue requests on the manager’s home page only, with a link to the log', async () => {
      const ownOrganization = await aPersona(t, 'manager');
      const quietManager = await loginAs(t, ownOrganization);
      const quiet = await quietManager.get('/');
      expect(quiet.text).not.toContain('data-testid="home-overdue-requests"');

      const organizationClient = await aClient(
        t,
        await aPersona(t, 'social_worker', { organizationId: ownOrganization.organizationId }),
      );
      await aRequest(organizationClient, DEADLINE_DAYS + 1, 'see', ownOrganization);
      await aRequest(organizationClient, DEADLINE_DAYS + 5, 'erase', ownOrganization);
      await aRequest(organizationClient, 1, 'restrict', ownOrganization);
      const home = await quietManager.get('/');
      expect(home.text).toContain('data-testid="home-overdue-requests"');
      expect(home.text).toContain(vi('privacyRequests.homeOverdue', { count: 2 }));
      expect(home.text).toContain(`href="${LIST}"`);

      // The worker of an organization with overdue requests is not the one it is flagged to.
      await aRequest(client, DEADLINE_DAYS + 1);
      expect((await agent.get('/')).text).not.toContain('data-testid="home-overdue-requests"');
      expect((await managerAgent.get('/')).text).toContain('data-testid="home-overdue-requests"');
    });

    it('shows only the organization’s requests; another organization’s answer 404; coordinators have no access', async () => {
      const own = await aRequest(client, 1);
      const elsewhere = await aRequest(await aClient(t, outsider), 1, 'see', outsider);
      const list = await agent.get(LIST);
      expect(list.text).toContain(own.id);
      expect(list.text).not.toContain(elsewhere.id);
      expect((await agent.get(`${LIST}/${elsewhere.id}`)).status).toBe(404);
      expect((await outsiderAgent.get(`${LIST}/${own.id}`)).status).toBe(404);
      const closing = await post(outsiderAgent, `${LIST}/${own.id}`, {
        status: 'done',
        reason: 'carried_out',
        version: '1',
      });
      expect(closing.status).toBe(404);
      expect((await agent.get(`${LIST}/not-an-id`)).status).toBe(404);

      const coordinatorAgent = await loginAs(t, coordinator);
      expect((await coordinatorAgent.get(LIST)).status).toBe(403);
      // A route naming a record answers 404 to a role without the permission (MISSION §2 rule 4).
      expect((await coordinatorAgent.get(`/clients/${client.id}/privacy-requests/new`)).status).toBe(404);
      expect((await coordinatorAgent.get(`${LIST}/${own.id}`)).status).toBe(404);
    });
  });

  describe('the printable summary (the right to see)', () => {
    const ALIAS = 'Hoạ Mi đầu ngõ';
    const CONTACT_NOTE = 'Hẹn gặp lại ở quán nước – dấu Lantern-Quail-17';
    const REFERRAL_NOTE = 'Muốn đi khám buổi sáng – dấu Cobalt-Heron-42';
    const STATUS_NOTE = 'Đổi lịch vì ca làm đêm – dấu Amber-Wren-63';
    const REQUEST_NOTE = 'Muốn xem bản in – dấu Willow-Pike-08';
    const ELSEWHERE_NOTE = 'Ghi chú của đơn vị khác – dấu Basalt-Finch-29';
    const NEIGHBOUR_NOTE = 'Ghi chú về khách hàng khác – dấu Cedar-Moth-75';

    /** The client's article on the page (the layout around it has the menu, the sign-out form…). */
    const articleOf = (html: string) => /<article class="client-summary"[\s\S]*?<\/article>/.exec(html)?.[0] ?? '';
    const sectionOf = (html: string, testId: string) =>
      new RegExp(`data-testid="${testId}"[\\s\\S]*?</(ol|ul|dl)>`).exec(html)?.[0] ?? '';

    async function registerWith(by: Persona, parts: ReturnType<typeof aUic>) {
      const outcome = await t.app.get(ClientsService).register(actorOf(by), cliContext(), {
        uic: parts,
        gender: 'female',
        birthYear: 1991,
        primaryDistrict: 'hoan-kiem',
        workSetting: 'street',
        firstContactDate: addDays(today(), -30),
        consentDate: addDays(today(), -30),
        confirmKnownElsewhere: true,
        submissionKey: randomUUID(),
      });
      if (outcome.kind !== 'created') throw new Error(`Not registered: ${outcome.kind}`);
      return outcome.client;
    }

    const contactFor = (by: Persona, forClient: Client, day: string, note: string) =>
      t.app.get(ContactsService).record(
        actorOf(by),
        cliContext(),
        forClient,
        {
          contactDate: day,
          modality: 'venue',
          districtCode: 'hoan-kiem',
          topics: ['hiv_sti'],
          condoms: 3,
          lubricants: 0,
          hivSelfTests: 0,
          note,
        },
        randomUUID(),
      );

    /** A client with something of every kind, the same person known to another organization, and a neighbour. */
    async function aKnownClient() {
      const parts = aUic();
      const own = await registerWith(worker, parts);
      await t.app.get(ClientsService).updateDetails(actorOf(worker), cliContext(), own.id, {
        gender: own.gender,
        birthYear: own.birthYear,
        primaryDistrict: own.primaryDistrict,
        workSetting: own.workSetting,
        firstContactDate: own.firstContactDate,
        alias: ALIAS,
      });
      const days = { contact: addDays(today(), -20), assessed: addDays(today(), -15), referred: addDays(today(), -10) };
      await contactFor(worker, own, days.contact, CONTACT_NOTE);
      await t.app.get(AssessmentsService).record(
        actorOf(worker),
        cliContext(),
        own.id,
        {
          assessedOn: days.assessed,
          answers: [
            { domain: 'health', need: 'yes', eligible: 'yes' },
            { domain: 'legal', need: 'no', eligible: 'unknown' },
          ],
          violence: 'declined',
        },
        randomUUID(),
      );
      const referrals = t.app.get(ReferralsService);
      const referral = await referrals.create(
        actorOf(worker),
        cliContext(),
        own,
        {
          domain: 'health',
          serviceType: 'hiv_testing',
          providerId: null,
          referredOn: days.referred,
          appointmentOn: null,
          note: REFERRAL_NOTE,
        },
        randomUUID(),
      );
      await referrals.changeStatus(actorOf(worker), cliContext(), referral.id, 1, {
        status: 'scheduled',
        statusOn: addDays(days.referred, 1),
        appointmentOn: addDays(today(), 3),
        verification: null,
        note: STATUS_NOTE,
      });
      const groups = t.app.get(GroupsService);
      const groupName = unique('Nhóm Hoa Sen');
      const group = await groups.create(
        actorOf(manager),
        cliContext(),
        {
          name: groupName,
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
        cliContext(),
        group,
        { kind: 'code', displayCode: own.displayCode! },
        { role: 'peer_educator', joinedOn: addDays(today(), -25), submissionKey: randomUUID() },
      );
      expect(added.kind).toBe('added');
      await t.app.get(GroupSessionsService).record(
        actorOf(manager),
        cliContext(),
        group,
        {
          sessionDate: addDays(today(), -5),
          durationMinutes: 90,
          sessionType: 'skills_training',
          topics: ['hiv_sti'],
          attendance: [{ clientId: own.id, facilitated: true }],
          facilitatorUserIds: [],
          anonymousAttendees: 0,
          condoms: 0,
          lubricants: 0,
          hivSelfTests: 0,
          countsAsContact: false,
          note: null,
        },
        randomUUID(),
      );
      const request = await service().create(
        actorOf(worker),
        cliContext(),
        own,
        { type: 'see', receivedOn: addDays(today(), -1), note: REQUEST_NOTE },
        randomUUID(),
      );
      // The same person, registered by another organization with a note of its own.
      const elsewhere = await registerWith(outsider, parts);
      await contactFor(outsider, elsewhere, addDays(today(), -2), ELSEWHERE_NOTE);
      // Another client of the same organization.
      const neighbour = await aClient(t, worker);
      await contactFor(worker, neighbour, addDays(today(), -3), NEIGHBOUR_NOTE);
      const [row] = await t.dataSource.query(`SELECT uic_hash, consent_notice_version FROM client WHERE id = $1`, [
        own.id,
      ]);
      return { own, parts, days, groupName, request, elsewhere, neighbour, row: row as Record<string, string> };
    }

    it('shows, in plain Vietnamese, the display code and everything held: record, contacts, assessments, referrals, groups, consent, requests', async () => {
      const known = await aKnownClient();
      const response = await agent.get(`/clients/${known.own.id}/summary`);
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const article = articleOf(response.text);
      expect(article).not.toBe('');

      expect(article).toContain(vi('summary.heading'));
      expect(article).toContain(vi('summary.notKept'));
      const details = sectionOf(article, 'summary-details');
      expect(details).toContain(known.own.displayCode!);
      expect(details).toContain(vi('summary.codeHashText'));
      expect(details).toContain(`<dd data-testid="summary-alias">${escaped(ALIAS)}</dd>`);
      expect(details).toContain(vi('codes.gender.female'));
      expect(details).toContain('1991');
      expect(details).toContain('Hoàn Kiếm');
      expect(details).toContain(vi('codes.workSetting.street'));
      expect(details).toContain(
        vi('summary.consentText', { date: shown(addDays(today(), -30)), version: known.row.consent_notice_version }),
      );
      expect(details).toContain(vi('summary.notRestricted'));

      expect(article).toContain(vi('summary.contactsTitle'));
      const contacts = sectionOf(article, 'summary-contacts');
      expect(contacts).toContain(shown(known.days.contact));
      expect(contacts).toContain(vi('codes.modality.venue'));
      expect(contacts).toContain(vi('codes.topic.hiv_sti'));
      expect(contacts).toContain(escaped(CONTACT_NOTE));

      expect(article).toContain(vi('summary.assessmentsTitle'));
      const assessments = sectionOf(article, 'summary-assessments');
      expect(assessments).toContain(shown(known.days.assessed));
      expect(assessments).toContain(
        `${vi('codes.domain.health')}: ${vi('summary.needLine', { need: vi('codes.answer.yes'), eligible: vi('codes.answer.yes') })}`,
      );
      expect(assessments).toContain(
        `${vi('codes.domain.legal')}: ${vi('summary.needLine', { need: vi('codes.answer.no'), eligible: vi('codes.answer.unknown') })}`,
      );
      expect(assessments).toContain(vi('codes.violence.declined'));

      expect(article).toContain(vi('summary.referralsTitle'));
      const referrals = sectionOf(article, 'summary-referrals');
      expect(referrals).toContain(`${vi('codes.serviceType.hiv_testing')} (${vi('codes.domain.health')})`);
      expect(referrals).toContain(
        vi('summary.referralStatus', {
          status: vi('codes.referralStatus.scheduled'),
          date: shown(addDays(known.days.referred, 1)),
        }),
      );
      expect(referrals).toContain(escaped(REFERRAL_NOTE));
      expect(referrals).toContain(escaped(STATUS_NOTE));

      expect(article).toContain(vi('summary.groupsTitle'));
      const memberships = sectionOf(article, 'summary-memberships');
      expect(memberships).toContain(known.groupName);
      expect(memberships).toContain(vi('codes.memberRole.peer_educator'));
      expect(memberships).toContain(vi('summary.membershipDates', { from: shown(addDays(today(), -25)) }));
      const attended = sectionOf(article, 'summary-attended');
      expect(attended).toContain(shown(addDays(today(), -5)));
      expect(attended).toContain(vi('codes.sessionType.skills_training'));
      expect(attended).toContain(vi('summary.facilitated'));

      expect(article).toContain(vi('summary.requestsTitle'));
      const requests = sectionOf(article, 'summary-requests');
      expect(requests).toContain(vi('privacyRequests.type.see'));
      expect(requests).toContain(vi('summary.requestDue', { date: shown(addDays(today(), DEADLINE_DAYS - 1)) }));
      expect(requests).toContain(escaped(REQUEST_NOTE));
      expect(article).toContain(vi('summary.rights'));

      // Plain Vietnamese: every label translated (no message key left), none in English.
      expect(article).not.toMatch(/\b(summary|codes|clients|referrals|privacyRequests)\.[a-zA-Z]/);
      expect(article).not.toContain(en('summary.heading'));
      expect(article).not.toContain(en('summary.contactsTitle'));
    });

    it('shows nothing else: no code hash, no other client, no note of another organization, nothing in the title', async () => {
      const known = await aKnownClient();
      const response = await agent.get(`/clients/${known.own.id}/summary`);
      expect(response.status).toBe(200);
      const page = response.text;

      expect(known.row.uic_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(page).not.toContain(known.row.uic_hash);
      const composed = composeUic({ ...known.parts, birthYear: '1991' });
      expect(composed.ok).toBe(true);
      if (composed.ok) expect(page).not.toContain(composed.code);
      // The same person in another organization: neither its record nor its note.
      expect(page).not.toContain(known.elsewhere.displayCode!);
      expect(page).not.toContain(escaped(ELSEWHERE_NOTE));
      expect(page).not.toContain('Basalt-Finch');
      // Another client of the organization.
      expect(page).not.toContain(known.neighbour.displayCode!);
      expect(page).not.toContain('Cedar-Moth');
      // A neutral title: the page's name and the app's, nothing about the client.
      const title = /<title>([^<]*)<\/title>/.exec(page)?.[1];
      expect(title).toBe(`${vi('summary.title')} · ${vi('app.name')}`);

      // Every printing is audited, naming the client by id only.
      const audit = (await auditRowsFor(t.dataSource, worker.userId)).filter(
        (r) => r.action === 'client.summary_printed' && r.target_id === known.own.id,
      );
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit[0].details ?? {})).not.toMatch(/Lantern|Hoạ Mi|[A-Z0-9]{3}-[A-Z0-9]{3}/);

      // Another organization's worker gets 404 for this client; its own record of the same person shows
      // its own note, never this organization's.
      expect((await outsiderAgent.get(`/clients/${known.own.id}/summary`)).status).toBe(404);
      const theirs = await outsiderAgent.get(`/clients/${known.elsewhere.id}/summary`);
      expect(theirs.status).toBe(200);
      expect(theirs.text).toContain(escaped(ELSEWHERE_NOTE));
      expect(theirs.text).not.toContain('Lantern-Quail');
      expect(theirs.text).not.toContain(known.own.displayCode!);
    });
  });

  describe('closing a request', () => {
    it('closes a request as done with a reason and a note, audited; a second close from the same form is a conflict', async () => {
      const request = await aRequest(client, 4, 'see');
      const page = await managerAgent.get(`${LIST}/${request.id}`);
      expect(inputValue(page.text, 'version')).toBe('1');
      const closed = await post(managerAgent, `${LIST}/${request.id}`, {
        status: 'done',
        reason: 'carried_out',
        note: 'Đã cho xem bản tóm tắt',
        version: '1',
      });
      expect(closed.status).toBe(303);
      const shownPage = await managerAgent.get(`${LIST}/${request.id}`);
      expect(statusOf(shownPage.text)).toBe('done');
      expect(shownPage.text).toContain(vi('privacyRequests.reason.carried_out'));
      expect(shownPage.text).toContain('Đã cho xem bản tóm tắt');
      expect(shownPage.text).toContain(manager.username);
      expect(shownPage.text).not.toContain('data-testid="close-form"');

      const [row] = await t.dataSource.query(
        `SELECT status, outcome_reason, handled_by, to_char(closed_on, 'YYYY-MM-DD') AS closed_on, outcome_note_cipher, version
           FROM privacy_request WHERE id = $1`,
        [request.id],
      );
      expect(row).toMatchObject({ status: 'done', outcome_reason: 'carried_out', handled_by: manager.userId });
      expect(row.closed_on).toBe(today());
      expect(row.outcome_note_cipher).not.toContain('tóm tắt');
      const audit = (await auditRowsFor(t.dataSource, manager.userId)).filter(
        (r) => r.action === 'privacy_request.updated' && r.target_id === request.id,
      );
      expect(audit).toHaveLength(1);
      expect(audit[0].details).toEqual({ clientId: client.id, type: 'see', status: 'done', reason: 'carried_out' });

      const again = await post(managerAgent, `${LIST}/${request.id}`, {
        status: 'refused',
        reason: 'other',
        version: '1',
      });
      expect(again.status).toBe(409);
      expect(again.text).toContain(vi('privacyRequests.conflict'));
      const [after] = await t.dataSource.query(`SELECT status, version FROM privacy_request WHERE id = $1`, [
        request.id,
      ]);
      expect(after).toEqual({ status: 'done', version: row.version });

      // In the log, it is now among the closed ones.
      const list = await managerAgent.get(LIST);
      expect(openRows(list.text).some((r) => r.includes(request.id))).toBe(false);
      expect(list.text).toMatch(new RegExp(`data-testid="closed-request">[\\s\\S]*?${request.id}`));
    });

    it('refuses a close without outcome or reason, a reason of the other outcome and a phone number, changing nothing', async () => {
      const request = await aRequest(client, 1, 'erase');
      const close = (fields: Record<string, string>) =>
        post(managerAgent, `${LIST}/${request.id}`, { version: '1', ...fields });

      const nothing = await close({ status: '', reason: '' });
      expect(nothing.status).toBe(422);
      expect(fieldError(nothing.text, 'status')).toBe(vi('privacyRequests.errors.outcome'));

      const noReason = await close({ status: 'refused', reason: '' });
      expect(noReason.status).toBe(422);
      expect(fieldError(noReason.text, 'reason')).toBe(vi('privacyRequests.errors.reasonRequired'));

      const mismatched = await close({ status: 'done', reason: 'legal_obligation' });
      expect(mismatched.status).toBe(422);
      expect(fieldError(mismatched.text, 'reason')).toBe(vi('privacyRequests.errors.reason'));

      const phone = await close({ status: 'refused', reason: 'other', note: 'CMND 012345678' });
      expect(phone.status).toBe(422);
      expect(fieldError(phone.text, 'note')).toBe(vi('validation.identifier'));

      const badVersion = await close({ status: 'done', reason: 'carried_out', version: 'x' });
      expect(badVersion.status).toBe(422);

      const english = await loginAs(t, manager);
      const path = `${LIST}/${request.id}`;
      await submit(english, '/lang', { lang: 'en', next: path }, path);
      const inEnglish = await submit(english, path, { status: 'refused', reason: '', version: '1' }, path);
      expect(fieldError(inEnglish.text, 'reason')).toBe(en('privacyRequests.errors.reasonRequired'));

      const [row] = await t.dataSource.query(
        `SELECT status, version, outcome_reason FROM privacy_request WHERE id = $1`,
        [request.id],
      );
      expect(row).toEqual({ status: 'open', version: 1, outcome_reason: null });
    });
  });
});
