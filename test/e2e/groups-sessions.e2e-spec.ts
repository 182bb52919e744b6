import { randomInt, randomUUID } from 'node:crypto';
import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { localDay } from '../../src/clock/clock';
import type { SessionInput } from '../../src/groups/group-sessions.forms';
import { GroupSessionsService } from '../../src/groups/group-sessions.service';
import { GroupsService } from '../../src/groups/groups.service';
import type { PeerGroup } from '../../src/groups/peer-group.entity';
import { addMonths } from '../../src/groups/periods';
import { PrivacyRequestsService } from '../../src/privacy-requests/privacy-requests.service';
import type { MemberRole } from '../../src/reference/codes';
import { Agent, aPersona, anOrganization, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';
import { actorOf, addDays, aClient } from '../support/fixtures';

jest.setTimeout(180_000);

const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;

const LETTERS = 'ABCDEGHKLMNPQRSTUVXY';
const letters = (n: number) => Array.from({ length: n }, () => LETTERS[randomInt(LETTERS.length)]).join('');
const shown = (day: string) => day.split('-').reverse().join('/');

interface LiveContact {
  client_id: string;
  day: string;
  modality: string;
  source: string;
  district_code: string;
  topics: string[];
  worker_id: string;
  group_session_id: string;
  condoms: number;
}

describe('group sessions: attendance, outreach contacts, figures', () => {
  let t: TestApp;
  let today: string;
  let organizationId: string;
  let manager: Persona;
  let coordinator: Persona;
  let otherCoordinator: Persona;
  let worker: Persona;
  let managerAgent: Agent;
  let coordinatorAgent: Agent;
  let otherCoordinatorAgent: Agent;
  let workerAgent: Agent;

  const groups = () => t.app.get(GroupsService);
  const sessions = () => t.app.get(GroupSessionsService);

  const aGroup = (
    coordinators: Persona[],
    foundedOn = addDays(today, -400),
    districtCode = 'hoang-mai',
    org = manager,
  ) =>
    groups().create(
      actorOf(org),
      cliContext(),
      {
        name: `Nhóm ${letters(6)}`,
        kind: 'self_help_group',
        districtCode,
        foundedOn,
        active: true,
        coordinatorIds: coordinators.map((c) => c.userId),
      },
      randomUUID(),
    );

  const aMember = async (
    group: PeerGroup,
    joinedOn = addDays(today, -300),
    role: MemberRole = 'member',
    of = worker,
  ) => {
    const client = await aClient(t, of);
    const outcome = await groups().addMember(
      actorOf(of),
      cliContext(),
      group,
      { kind: 'code', displayCode: client.displayCode! },
      { role, joinedOn, submissionKey: randomUUID() },
    );
    if (outcome.kind !== 'added') throw new Error(outcome.messageKey);
    return client;
  };

  const input = (attendance: Client[], overrides: Partial<SessionInput> = {}): SessionInput => ({
    sessionDate: today,
    durationMinutes: 90,
    sessionType: 'regular_meeting',
    topics: ['hiv_sti'],
    attendance: attendance.map((c) => ({ clientId: c.id, facilitated: false })),
    facilitatorUserIds: [],
    anonymousAttendees: 0,
    condoms: 0,
    lubricants: 0,
    hivSelfTests: 0,
    countsAsContact: true,
    note: null,
    ...overrides,
  });

  const logged = (group: PeerGroup, attendance: Client[], overrides: Partial<SessionInput> = {}, by = coordinator) =>
    sessions().record(actorOf(by), cliContext(), group, input(attendance, overrides), randomUUID());

  /** The live group contacts of these clients, by client and day. */
  const liveContacts = (clients: Client[]) =>
    t.dataSource.query<LiveContact[]>(
      `SELECT client_id, to_char(contact_date, 'YYYY-MM-DD') AS day, modality, source, district_code, topics, worker_id,
              group_session_id, condoms
         FROM contact WHERE client_id = ANY($1::uuid[]) AND deleted_at IS NULL ORDER BY contact_date, client_id`,
      [clients.map((c) => c.id)],
    );

  const sessionForm = (overrides: Record<string, string | string[] | undefined> = {}) =>
    Object.fromEntries(
      Object.entries({
        submissionKey: randomUUID(),
        sessionDate: today,
        durationMinutes: '90',
        sessionType: 'health_education',
        topics: ['hiv_sti', 'gbv'],
        attendees: [] as string[],
        facilitators: [`u:${coordinator.userId}`],
        anonymousAttendees: '0',
        condoms: '0',
        lubricants: '0',
        hivSelfTests: '0',
        countsAsContact: '1',
        note: '',
        ...overrides,
      }).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
    );

  const sessionCount = async (group: PeerGroup) =>
    Number(
      (
        await t.dataSource.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM group_session WHERE group_id = $1`, [
          group.id,
        ])
      )[0].n,
    );

  beforeAll(async () => {
    t = await createTestApp();
    today = localDay(t.clock.now());
    organizationId = (await anOrganization(t)).id;
    manager = await aPersona(t, 'manager', { organizationId });
    coordinator = await aPersona(t, 'peer_coordinator', { organizationId });
    otherCoordinator = await aPersona(t, 'peer_coordinator', { organizationId });
    worker = await aPersona(t, 'social_worker', { organizationId });
    [managerAgent, coordinatorAgent, otherCoordinatorAgent, workerAgent] = await Promise.all(
      [manager, coordinator, otherCoordinator, worker].map((p) => loginAs(t, p)),
    );
  });
  afterAll(() => t.close());

  describe('logging a session', () => {
    it('records attendance of members and others, and one outreach contact per member present', async () => {
      const group = await aGroup([coordinator]);
      const a = await aMember(group);
      const b = await aMember(group);
      const leader = await aMember(group, addDays(today, -300), 'leader');
      const absent = await aMember(group);
      const form = await coordinatorAgent.get(`/groups/${group.id}/sessions/new`).expect(200);
      for (const member of [a, b, leader, absent]) expect(form.text).toContain(`value="${member.id}"`);
      expect(form.text).toContain(`value="u:${coordinator.userId}" id="facilitator-u:${coordinator.userId}" checked`);
      expect(form.text).toContain(`value="c:${leader.id}"`);
      expect(form.text).not.toContain(`value="c:${a.id}"`);

      const fields = sessionForm({
        attendees: [a.id, b.id],
        facilitators: [`u:${coordinator.userId}`, `c:${leader.id}`],
        anonymousAttendees: '4',
        condoms: '30',
        hivSelfTests: '2',
        note: 'Nhóm muốn thêm buổi về quyền lao động – dấu Marigold-Kestrel',
      });
      const res = await submit(coordinatorAgent, `/groups/${group.id}/sessions`, fields, `/groups/${group.id}`);
      expect(res.status).toBe(303);
      const sessionId = res.headers.location.split('/').pop()!;
      expect(res.headers.location).toBe(`/groups/sessions/${sessionId}`);
      // A repeated submission (slow network) records once.
      const again = await submit(coordinatorAgent, `/groups/${group.id}/sessions`, fields, `/groups/${group.id}`);
      expect(again.headers.location).toBe(res.headers.location);
      expect(await sessionCount(group)).toBe(1);

      const page = await coordinatorAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Đã ghi buổi sinh hoạt nhóm.');
      expect(page.text).toContain('7 người: 3 thành viên, 4 người khác');
      expect(page.text).toContain('Marigold-Kestrel');
      expect(page.text).toContain('Truyền thông sức khỏe');
      expect(page.text).toContain(`${coordinator.username}, ${leader.displayCode}`);
      expect(page.text).not.toContain(absent.displayCode!);

      const attendance = await t.dataSource.query<Array<{ client_id: string; facilitated: boolean }>>(
        `SELECT client_id, facilitated FROM group_attendance WHERE session_id = $1 ORDER BY client_id`,
        [sessionId],
      );
      expect(attendance).toEqual(
        [a, b, leader]
          .map((c) => ({ client_id: c.id, facilitated: c.id === leader.id }))
          .sort((x, y) => x.client_id.localeCompare(y.client_id)),
      );
      const [stored] = await t.dataSource.query<Array<{ note_cipher: string; anonymous_attendees: number }>>(
        `SELECT note_cipher, anonymous_attendees FROM group_session WHERE id = $1`,
        [sessionId],
      );
      expect(stored.anonymous_attendees).toBe(4);
      expect(stored.note_cipher).toMatch(/^v1:/);
      expect(stored.note_cipher).not.toContain('Marigold');

      const contacts = await liveContacts([a, b, leader, absent]);
      expect(contacts).toHaveLength(3);
      for (const contact of contacts) {
        expect(contact).toMatchObject({
          day: today,
          modality: 'group',
          source: 'group',
          district_code: 'hoang-mai',
          topics: ['hiv_sti', 'gbv'],
          worker_id: coordinator.userId,
          group_session_id: sessionId,
          condoms: 0,
        });
      }
      const [audit] = await t.dataSource.query<Array<{ details: Record<string, unknown>; actor_user_id: string }>>(
        `SELECT details, actor_user_id FROM audit_event WHERE action = 'group_session.created' AND target_id = $1`,
        [sessionId],
      );
      expect(audit.actor_user_id).toBe(coordinator.userId);
      expect(audit.details).toEqual({
        groupId: group.id,
        sessionType: 'health_education',
        members: 3,
        anonymousAttendees: 4,
        countsAsContact: true,
        contacts: { created: 3, updated: 0, deleted: 0, unchanged: 0 },
      });
      expect(JSON.stringify(audit.details)).not.toContain('Marigold');
      const contactAudits = await t.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM audit_event WHERE action = 'contact.created' AND details->>'groupSessionId' = $1`,
        [sessionId],
      );
      expect(contactAudits[0].n).toBe(3);
    });

    it('records no contact when the session does not count as outreach, and anonymous attendees alone are enough', async () => {
      const group = await aGroup([coordinator]);
      const a = await aMember(group);
      const res = await submit(
        coordinatorAgent,
        `/groups/${group.id}/sessions`,
        sessionForm({ attendees: [a.id], countsAsContact: undefined }),
        `/groups/${group.id}`,
      );
      expect(res.status).toBe(303);
      expect(await liveContacts([a])).toEqual([]);
      const others = await submit(
        coordinatorAgent,
        `/groups/${group.id}/sessions`,
        sessionForm({ attendees: undefined, anonymousAttendees: '12' }),
        `/groups/${group.id}`,
      );
      expect(others.status).toBe(303);
      const page = await coordinatorAgent.get(others.headers.location).expect(200);
      expect(page.text).toContain('12 người: 0 thành viên, 12 người khác');
    });

    it('refuses bad input field by field and saves nothing, neither session nor contact', async () => {
      const group = await aGroup([coordinator], addDays(today, -30));
      const a = await aMember(group, addDays(today, -20));
      const late = await aMember(group, addDays(today, -2));
      const stranger = await aClient(t, worker);
      const post = (overrides: Record<string, string | string[] | undefined>) =>
        submit(coordinatorAgent, `/groups/${group.id}/sessions`, sessionForm(overrides), `/groups/${group.id}`);

      const many = await post({
        sessionDate: addDays(today, 1),
        durationMinutes: '0',
        sessionType: 'party',
        topics: ['hiv_sti', 'astrology'],
        anonymousAttendees: '501',
        condoms: '-1',
        lubricants: 'many',
        hivSelfTests: '5001',
        note: 'Gọi cho chị ấy số 0987 654 321',
        attendees: [a.id],
      });
      expect(many.status).toBe(422);
      expect(fieldError(many.text, 'sessionDate')).toBe('Ngày không được sau hôm nay.');
      expect(fieldError(many.text, 'durationMinutes')).toBe('Nhập số phút, từ 1 đến 720.');
      expect(fieldError(many.text, 'sessionType')).toBe('Vui lòng chọn loại buổi sinh hoạt.');
      expect(fieldError(many.text, 'topics')).toBe('Vui lòng chọn nội dung trong danh sách.');
      expect(fieldError(many.text, 'anonymousAttendees')).toBe('Nhập một số nguyên từ 0 đến 500.');
      expect(fieldError(many.text, 'condoms')).toBe('Nhập một số nguyên từ 0 đến 5000.');
      expect(fieldError(many.text, 'lubricants')).toBe('Nhập một số nguyên từ 0 đến 5000.');
      expect(fieldError(many.text, 'hivSelfTests')).toBe('Nhập một số nguyên từ 0 đến 5000.');
      expect(fieldError(many.text, 'note')).toContain('Không ghi số điện thoại');
      // What was typed stays in the form.
      expect(many.text).toContain(`value="${a.id}" id="attendee-${a.id}" checked`);
      expect(many.text).toContain('Gọi cho chị ấy số 0987 654 321');

      const early = await post({ sessionDate: addDays(today, -31), attendees: [a.id] });
      expect(fieldError(early.text, 'sessionDate')).toBe(
        `Ngày không được trước ngày thành lập nhóm (${shown(addDays(today, -30))}).`,
      );
      const notYet = await post({ sessionDate: addDays(today, -5), attendees: [a.id, late.id] });
      expect(fieldError(notYet.text, 'attendees')).toBe(
        `Có người được chọn chưa là thành viên của nhóm vào ngày ${shown(addDays(today, -5))}.`,
      );
      const outsider = await post({ attendees: [stranger.id] });
      expect(fieldError(outsider.text, 'attendees')).toContain('chưa là thành viên của nhóm');
      const notAnId = await post({ attendees: ['robert'] });
      expect(fieldError(notAnId.text, 'attendees')).toBe('Vui lòng chọn thành viên trong danh sách.');
      const nobody = await post({ attendees: undefined, anonymousAttendees: '0' });
      expect(fieldError(nobody.text, 'attendees')).toBe(
        'Ghi nhận ít nhất một người tham dự: đánh dấu thành viên có mặt hoặc nhập số người khác.',
      );
      const facilitator = await post({ attendees: [a.id], facilitators: [`u:${otherCoordinator.userId}`] });
      expect(fieldError(facilitator.text, 'facilitators')).toBe('Vui lòng chọn người điều phối trong danh sách.');
      const memberFacilitator = await post({ attendees: [a.id], facilitators: [`c:${stranger.id}`] });
      expect(fieldError(memberFacilitator.text, 'facilitators')).toContain('chưa là thành viên của nhóm');
      const missing = await post({
        sessionDate: undefined,
        durationMinutes: undefined,
        sessionType: undefined,
        attendees: [a.id],
      });
      expect(fieldError(missing.text, 'sessionDate')).toBe('Vui lòng nhập mục này.');
      expect(fieldError(missing.text, 'durationMinutes')).toBe('Nhập số phút, từ 1 đến 720.');
      const tampered = await post({ submissionKey: 'again', attendees: [a.id] });
      expect(tampered.status).toBe(422);
      expect(tampered.text).toContain('Biểu mẫu không hợp lệ. Vui lòng kiểm tra và bấm Lưu lần nữa.');
      const strange = await submit(
        coordinatorAgent,
        `/groups/${group.id}/sessions`,
        { ...sessionForm({ attendees: [a.id] }), sessionDate: ['2024-01-01', '2024-01-02'], countsAsContact: 'yes' },
        `/groups/${group.id}`,
      );
      expect(strange.status).toBe(422);

      await submit(managerAgent, '/lang', { lang: 'en', next: '/groups' }, '/groups');
      const english = await submit(
        managerAgent,
        `/groups/${group.id}/sessions`,
        sessionForm({ attendees: [a.id], durationMinutes: '721', facilitators: undefined }),
        `/groups/${group.id}`,
      );
      expect(fieldError(english.text, 'durationMinutes')).toBe('Enter the number of minutes, from 1 to 720.');
      await submit(managerAgent, '/lang', { lang: 'vi', next: '/groups' }, '/groups');

      expect(await sessionCount(group)).toBe(0);
      expect(await liveContacts([a, late])).toEqual([]);
    });

    it('accepts a date typed as dd/mm/yyyy and takes no new session for an inactive group', async () => {
      const group = await aGroup([coordinator]);
      const a = await aMember(group);
      const typed = await submit(
        coordinatorAgent,
        `/groups/${group.id}/sessions`,
        sessionForm({ attendees: [a.id], sessionDate: shown(addDays(today, -3)) }),
        `/groups/${group.id}`,
      );
      expect(typed.status).toBe(303);
      expect((await liveContacts([a]))[0].day).toBe(addDays(today, -3));
      await groups().update(actorOf(manager), cliContext(), group, {
        name: group.name,
        kind: group.kind,
        districtCode: group.districtCode,
        foundedOn: group.foundedOn,
        active: false,
        coordinatorIds: [coordinator.userId],
      });
      const refused = await submit(
        coordinatorAgent,
        `/groups/${group.id}/sessions`,
        sessionForm({ attendees: [a.id] }),
        `/groups/${group.id}`,
      );
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('Nhóm đã ngừng hoạt động');
      expect(await sessionCount(group)).toBe(1);
    });
  });

  describe('keeping contacts consistent', () => {
    it('keeps one contact per member-day across sessions of the same day, through edits and deletions', async () => {
      const group = await aGroup([coordinator]);
      const other = await aGroup([coordinator], addDays(today, -400), 'cau-giay');
      const [a, b, c] = [await aMember(group), await aMember(group), await aMember(group)];
      const joinOther = await groups().addMember(
        actorOf(manager),
        cliContext(),
        other,
        { kind: 'code', displayCode: b.displayCode! },
        { role: 'member', joinedOn: addDays(today, -300), submissionKey: randomUUID() },
      );
      expect(joinOther.kind).toBe('added');
      const day = addDays(today, -7);
      const first = await logged(group, [a, b], { sessionDate: day });
      const second = await logged(group, [b, c], { sessionDate: day, topics: ['gbv'] });
      const third = await logged(other, [b], { sessionDate: day });
      const byClient = async () => {
        const rows = await liveContacts([a, b, c]);
        return Object.fromEntries(rows.map((r) => [r.client_id, `${r.day}|${r.group_session_id}`]));
      };
      // B came three times that day: one contact, owned by the first session logged.
      expect(await byClient()).toEqual({
        [a.id]: `${day}|${first.id}`,
        [b.id]: `${day}|${first.id}`,
        [c.id]: `${day}|${second.id}`,
      });

      // Deleting the first session: A's contact goes; B's passes to the next session of that day.
      const removed = await submit(
        coordinatorAgent,
        `/groups/sessions/${first.id}/delete`,
        {},
        `/groups/sessions/${first.id}/edit`,
      );
      expect(removed.status).toBe(303);
      expect(removed.headers.location).toBe(`/groups/${group.id}`);
      expect(await byClient()).toEqual({ [b.id]: `${day}|${second.id}`, [c.id]: `${day}|${second.id}` });
      const [bContact] = (await liveContacts([b])).filter((r) => r.client_id === b.id);
      expect(bContact.topics).toEqual(['gbv']);
      await coordinatorAgent.get(`/groups/sessions/${first.id}`).expect(404);
      await coordinatorAgent.get(`/groups/sessions/${first.id}/edit`).expect(404);
      const [deleted] = await t.dataSource.query<Array<{ deleted: boolean; note_cipher: string | null }>>(
        `SELECT deleted_at IS NOT NULL AS deleted, note_cipher FROM group_session WHERE id = $1`,
        [first.id],
      );
      expect(deleted).toEqual({ deleted: true, note_cipher: null });

      // Moving the second session to another day: its contacts move; B keeps the third session's contact.
      const edit = await coordinatorAgent.get(`/groups/sessions/${second.id}/edit`).expect(200);
      expect(edit.text).toContain(`value="${day}"`);
      const moved = sessionForm({
        submissionKey: undefined,
        sessionDate: addDays(day, -1),
        attendees: [b.id, c.id],
        topics: ['gbv'],
      });
      expect(
        (await submit(coordinatorAgent, `/groups/sessions/${second.id}`, moved, `/groups/sessions/${second.id}/edit`))
          .status,
      ).toBe(303);
      expect((await liveContacts([c])).map((r) => `${r.day}|${r.group_session_id}`)).toEqual([
        `${addDays(day, -1)}|${second.id}`,
      ]);
      const bDays = (await liveContacts([b])).map((r) => `${r.day}|${r.group_session_id}`);
      expect(bDays).toEqual([`${addDays(day, -1)}|${second.id}`, `${day}|${third.id}`]);

      // No longer counting: its contacts go; counting again: they come back, once.
      const { countsAsContact: _ticked, ...notCounting } = moved;
      await submit(
        coordinatorAgent,
        `/groups/sessions/${second.id}`,
        notCounting,
        `/groups/sessions/${second.id}/edit`,
      );
      expect(await liveContacts([c])).toEqual([]);
      await submit(coordinatorAgent, `/groups/sessions/${second.id}`, moved, `/groups/sessions/${second.id}/edit`);
      await submit(coordinatorAgent, `/groups/sessions/${second.id}`, moved, `/groups/sessions/${second.id}/edit`);
      expect(await liveContacts([c])).toHaveLength(1);

      // C no longer ticked: C's contact goes.
      await submit(
        coordinatorAgent,
        `/groups/sessions/${second.id}`,
        { ...moved, attendees: [b.id] },
        `/groups/sessions/${second.id}/edit`,
      );
      expect(await liveContacts([c])).toEqual([]);
      const [audit] = await t.dataSource.query<
        Array<{ details: { changed: string[]; contacts: Record<string, number> } }>
      >(
        `SELECT details FROM audit_event WHERE action = 'group_session.updated' AND target_id = $1 ORDER BY id DESC LIMIT 1`,
        [second.id],
      );
      expect(audit.details.changed).toEqual(['attendance']);
      expect(audit.details.contacts).toEqual({ created: 0, updated: 0, deleted: 1, unchanged: 1 });

      // Deleting the rest leaves no group contact at all.
      await submit(coordinatorAgent, `/groups/sessions/${second.id}/delete`, {}, `/groups/${group.id}`);
      await sessions().remove(cliContext(), await sessions().getEditable(actorOf(coordinator), third.id));
      expect(await liveContacts([a, b, c])).toEqual([]);
      const all = await t.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM contact WHERE client_id = ANY($1::uuid[])`,
        [[a.id, b.id, c.id]],
      );
      expect(all[0].n).toBeGreaterThan(0); // soft-deleted, kept for the audit trail
    });

    it('leaves a restricted member read-only: not offered, refused if sent, no contact created or changed', async () => {
      const group = await aGroup([coordinator]);
      const a = await aMember(group);
      const b = await aMember(group);
      const first = await logged(group, [a, b], { sessionDate: addDays(today, -2), topics: ['hiv_sti'] });
      await t.app.get(PrivacyRequestsService).restrict(actorOf(manager), cliContext(), b.id, 'client_request');

      const form = await coordinatorAgent.get(`/groups/${group.id}/sessions/new`).expect(200);
      expect(form.text).toContain(`value="${a.id}"`);
      expect(form.text).not.toContain(`value="${b.id}"`);
      const refused = await submit(
        coordinatorAgent,
        `/groups/${group.id}/sessions`,
        sessionForm({ attendees: [a.id, b.id] }),
        `/groups/${group.id}`,
      );
      expect(refused.status).toBe(422);
      expect(await sessionCount(group)).toBe(1);

      // A session saved with them all the same (another way in) gives them no contact.
      await logged(group, [a, b], { sessionDate: addDays(today, -1) });
      // Editing the earlier session changes the contact of the member who is not restricted only.
      const record = await sessions().getEditable(actorOf(coordinator), first.id);
      await sessions().update(
        cliContext(),
        record,
        input([a, b], { sessionDate: addDays(today, -2), topics: ['gbv'] }),
      );
      const contacts = await liveContacts([a, b]);
      const seen = contacts.map((c) => [c.client_id === a.id ? 'a' : 'b', c.day, c.topics] as const);
      expect([...seen].sort((x, y) => `${x[1]}${x[0]}`.localeCompare(`${y[1]}${y[0]}`))).toEqual([
        ['a', addDays(today, -2), ['gbv']],
        ['b', addDays(today, -2), ['hiv_sti']],
        ['a', addDays(today, -1), ['hiv_sti']],
      ]);
    });

    it('keeps a session’s contacts out of the contact edit routes: they change only with their session', async () => {
      const group = await aGroup([worker]);
      const a = await aMember(group);
      const session = await logged(group, [a], {}, worker);
      const [contact] = await t.dataSource.query<Array<{ id: string }>>(
        `SELECT id FROM contact WHERE client_id = $1 AND deleted_at IS NULL`,
        [a.id],
      );
      const clientPage = await workerAgent.get(`/clients/${a.id}`).expect(200);
      expect(clientPage.text).toContain('Sinh hoạt nhóm');
      expect(clientPage.text).not.toContain(`/contacts/${contact.id}/edit`);
      await workerAgent.get(`/contacts/${contact.id}/edit`).expect(403);
      const deleted = await submit(workerAgent, `/contacts/${contact.id}/delete`, {}, `/clients/${a.id}`);
      expect(deleted.status).toBe(403);
      await managerAgent.get(`/contacts/${contact.id}/edit`).expect(403);
      expect((await liveContacts([a]))[0].group_session_id).toBe(session.id);
    });
  });

  describe('who may change a session', () => {
    it('lets the group’s coordinators and a manager edit and delete; 403 to a social worker who only reads; 404 to others', async () => {
      const group = await aGroup([coordinator]);
      const a = await aMember(group);
      const session = await logged(group, [a], { countsAsContact: false });
      const path = `/groups/sessions/${session.id}`;
      await workerAgent.get(path).expect(200);
      await workerAgent.get(`${path}/edit`).expect(403);
      expect((await submit(workerAgent, path, sessionForm({ attendees: [a.id] }), '/groups')).status).toBe(403);
      expect((await submit(workerAgent, `${path}/delete`, {}, '/groups')).status).toBe(403);
      await otherCoordinatorAgent.get(path).expect(404);
      await otherCoordinatorAgent.get(`${path}/edit`).expect(404);
      expect((await submit(otherCoordinatorAgent, `${path}/delete`, {}, '/groups')).status).toBe(404);
      const outsider = await loginAs(t, await aPersona(t, 'manager'));
      await outsider.get(path).expect(404);
      await outsider.get(`${path}/edit`).expect(404);

      const viewed = await managerAgent.get(path).expect(200);
      expect(viewed.text).toContain(`${path}/edit`);
      const changed = await submit(
        managerAgent,
        path,
        sessionForm({ submissionKey: undefined, attendees: [a.id], facilitators: undefined, durationMinutes: '45' }),
        `${path}/edit`,
      );
      expect(changed.status).toBe(303);
      const page = await coordinatorAgent.get(path).expect(200);
      expect(page.text).toContain('45 phút');
      expect((await submit(managerAgent, `${path}/delete`, {}, `${path}/edit`)).status).toBe(303);
      const actions = await t.dataSource.query<Array<{ action: string; actor_user_id: string }>>(
        `SELECT action, actor_user_id FROM audit_event WHERE target_id = $1 AND action LIKE 'group_session.%' ORDER BY id`,
        [session.id],
      );
      expect(actions.map((r) => r.action)).toEqual([
        'group_session.created',
        'group_session.viewed',
        'group_session.viewed',
        'group_session.updated',
        'group_session.viewed',
        'group_session.deleted',
      ]);
    });
  });

  describe('the group page', () => {
    it('shows sessions per month, average attendance, members active lately and who has not come for 2 months', async () => {
      const group = await aGroup([coordinator]);
      const regular = await aMember(group);
      const faded = await aMember(group);
      const never = await aMember(group);
      const newcomer = await aMember(group, addDays(today, -5));
      const gone = await aMember(group);
      const old = addDays(addMonths(today, -3), -10);
      const recent = addDays(today, -10);
      await logged(group, [regular, faded, gone], { sessionDate: old, anonymousAttendees: 2 });
      await logged(group, [regular], { sessionDate: recent, anonymousAttendees: 3 });
      const removed = await logged(group, [never, newcomer], { sessionDate: recent });
      await sessions().remove(cliContext(), await sessions().getEditable(actorOf(coordinator), removed.id));
      const membership = (
        await t.dataSource.query<Array<{ id: string }>>(
          `SELECT id FROM group_membership WHERE group_id = $1 AND client_id = $2`,
          [group.id, gone.id],
        )
      )[0];
      await groups().recordLeaving(
        cliContext(),
        await groups().getCurrentMembership(group, membership.id),
        addDays(today, -3),
      );

      const page = await coordinatorAgent.get(`/groups/${group.id}`).expect(200);
      const figure = (name: string) => new RegExp(`data-testid="figure-${name}">([^<]*)<`).exec(page.text)?.[1];
      expect(figure('members')).toBe('4');
      expect(figure('active')).toBe('1');
      expect(figure('sessions')).toBe('1');
      expect(figure('average')).toBe('4');
      const followUp = /data-testid="follow-up"[\s\S]*?<\/ul>/.exec(page.text)?.[0] ?? '';
      expect(followUp).toContain(faded.displayCode!);
      expect(followUp).toContain(never.displayCode!);
      expect(followUp).toContain('Chưa đến buổi nào');
      expect(followUp).not.toContain(regular.displayCode!);
      expect(followUp).not.toContain(newcomer.displayCode!);
      expect(followUp).not.toContain(gone.displayCode!);
      const months = /data-testid="group-months"[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
      const monthOf = (day: string) => `${day.slice(5, 7)}/${day.slice(0, 4)}`;
      const row = (day: string) =>
        new RegExp(`${monthOf(day)}</th>\\s*<td class="text-end">(\\d+)</td>\\s*<td class="text-end">(\\d+)</td>`).exec(
          months,
        );
      expect(row(recent)?.slice(1)).toEqual(['1', '4']);
      expect(row(old)?.slice(1)).toEqual(['1', '5']);
      expect(page.text).toContain(`/groups/sessions/`);
      expect(page.text).not.toContain(`/groups/sessions/${removed.id}`);
    });
  });

  describe('for managers', () => {
    it('shows group activity across the organization with small counts hidden, and audits the view', async () => {
      const managerOrg = await anOrganization(t);
      const boss = await aPersona(t, 'manager', { organizationId: managerOrg.id });
      const staff = await aPersona(t, 'social_worker', { organizationId: managerOrg.id });
      const big = await aGroup([staff], addDays(today, -400), 'ba-dinh', boss);
      const small = await aGroup([staff], addDays(today, -400), 'tay-ho', boss);
      const bigMembers = await Promise.all(Array.from({ length: 7 }, () => aMember(big, undefined, 'member', staff)));
      const smallMembers = await Promise.all(
        Array.from({ length: 2 }, () => aMember(small, undefined, 'member', staff)),
      );
      await logged(big, bigMembers, { sessionDate: addDays(today, -20), anonymousAttendees: 10, condoms: 50 }, staff);
      await logged(big, bigMembers.slice(0, 3), { sessionDate: addDays(today, -10), condoms: 20 }, staff);
      await logged(small, smallMembers, { sessionDate: addDays(today, -10), hivSelfTests: 4 }, staff);
      await logged(small, smallMembers, { sessionDate: addDays(today, -400 + 1) }, staff);

      const agent = await loginAs(t, boss);
      const from = addDays(today, -60);
      const res = await agent
        .get('/groups/activity')
        .query({ from: shown(from), to: today })
        .expect(200);
      const table = /data-testid="activity"[\s\S]*?<\/table>/.exec(res.text)?.[0] ?? '';
      const rowOf = (name: string) =>
        (new RegExp(`<th scope="row" class="fw-normal">${name}</th>([\\s\\S]*?)</tr>`).exec(table)?.[1] ?? '')
          .match(/<td[^>]*>([^<]*)<\/td>/g)
          ?.map((td) => td.replace(/<[^>]+>/g, '')) ?? [];
      // Tây Hồ reached 2 members: hidden; Ba Đình, the only other cell, is hidden too so 2 = 9 − 7 cannot be worked out.
      expect(rowOf('Tây Hồ')).toEqual(['1', '1', '&lt;5', '0', '0', '0', '4']);
      expect(rowOf('Ba Đình')).toEqual(['1', '2', '&lt;5', '10', '70', '0', '0']);
      const total = /data-testid="activity-total">([\s\S]*?)<\/tr>/.exec(table)?.[1] ?? '';
      expect(total.match(/<td[^>]*>([^<]*)<\/td>/g)?.map((td) => td.replace(/<[^>]+>/g, ''))).toEqual([
        '2',
        '3',
        '9',
        '10',
        '70',
        '0',
        '4',
      ]);
      const [audit] = await t.dataSource.query<Array<{ details: Record<string, unknown> }>>(
        `SELECT details FROM audit_event WHERE action = 'group.activity_viewed' AND actor_user_id = $1`,
        [boss.userId],
      );
      expect(audit.details).toEqual({ from, to: today, organizations: 1 });

      const bad = await agent
        .get('/groups/activity')
        .query({ from: 'yesterday', to: addDays(today, -400) })
        .expect(200);
      expect(fieldError(bad.text, 'from')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
      expect(fieldError(bad.text, 'to')).toBe('“Đến ngày” phải sau hoặc trùng “Từ ngày”.');
      await coordinatorAgent.get('/groups/activity').expect(403);
      await workerAgent.get('/groups/activity').expect(403);
    });

    it('computes the indicator export’s group figures for a period and a set of organizations', async () => {
      const firstOrg = await anOrganization(t);
      const secondOrg = await anOrganization(t);
      const firstBoss = await aPersona(t, 'manager', { organizationId: firstOrg.id });
      const secondBoss = await aPersona(t, 'manager', { organizationId: secondOrg.id });
      const firstStaff = await aPersona(t, 'social_worker', { organizationId: firstOrg.id });
      const secondStaff = await aPersona(t, 'social_worker', { organizationId: secondOrg.id });
      const g1 = await aGroup([firstStaff], addDays(today, -400), 'ba-dinh', firstBoss);
      const g2 = await aGroup([secondStaff], addDays(today, -400), 'cau-giay', secondBoss);
      const [m1, m2] = [
        await aMember(g1, undefined, 'member', firstStaff),
        await aMember(g1, undefined, 'member', firstStaff),
      ];
      const m3 = await aMember(g2, undefined, 'member', secondStaff);
      const from = addDays(today, -30);
      await logged(g1, [m1, m2], { sessionDate: from }, firstStaff);
      await logged(g1, [m1], { sessionDate: today, countsAsContact: false }, firstStaff);
      await logged(g1, [], { sessionDate: addDays(today, -5), anonymousAttendees: 6 }, firstStaff);
      await logged(g1, [m2], { sessionDate: addDays(from, -1) }, firstStaff);
      const gone = await logged(g1, [m1], { sessionDate: addDays(today, -2) }, firstStaff);
      await sessions().remove(cliContext(), await sessions().getEditable(actorOf(firstStaff), gone.id));
      await logged(g2, [m3], { sessionDate: addDays(today, -3) }, secondStaff);

      const rows = await sessions().indicatorRows([firstOrg.id, secondOrg.id], from, today);
      expect(rows).toEqual([
        { indicator: 'group_sessions', district: 'ALL', domain: 'ALL', numerator: 4, denominator: null },
        { indicator: 'group_members_reached', district: 'ALL', domain: 'ALL', numerator: 3, denominator: null },
        { indicator: 'group_sessions', district: 'ba-dinh', domain: 'ALL', numerator: 3, denominator: null },
        { indicator: 'group_members_reached', district: 'ba-dinh', domain: 'ALL', numerator: 2, denominator: null },
        { indicator: 'group_sessions', district: 'cau-giay', domain: 'ALL', numerator: 1, denominator: null },
        { indicator: 'group_members_reached', district: 'cau-giay', domain: 'ALL', numerator: 1, denominator: null },
      ]);
      expect(await sessions().indicatorRows([secondOrg.id], from, addDays(today, -4))).toEqual([
        { indicator: 'group_sessions', district: 'ALL', domain: 'ALL', numerator: 0, denominator: null },
        { indicator: 'group_members_reached', district: 'ALL', domain: 'ALL', numerator: 0, denominator: null },
      ]);
      // A manager granted both organizations sees both in the activity table.
      const table = await sessions().activity(actorOf(firstBoss, [secondOrg.id]), cliContext(), from, today);
      expect(table.total).toMatchObject({ sessions: 4, activeGroups: 2, anonymousAttendees: { display: '6' } });
    });
  });
});
