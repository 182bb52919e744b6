import { randomInt, randomUUID } from 'node:crypto';
import { AssessmentsService } from '../../src/assessments/assessments.service';
import { actorContext, cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { localDay } from '../../src/clock/clock';
import { ContactsService } from '../../src/contacts/contacts.service';
import { GroupSessionsService } from '../../src/groups/group-sessions.service';
import { GroupsService } from '../../src/groups/groups.service';
import type { PeerGroup } from '../../src/groups/peer-group.entity';
import type { MemberRole } from '../../src/reference/codes';
import { Agent, aPersona, anOrganization, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';
import { actorOf, addDays, aClient } from '../support/fixtures';
import { listRoutes } from '../support/routes';

jest.setTimeout(120_000);

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;

/** A concrete URL for a route pattern, every parameter given the same id. */
const withId = (path: string, id: string) => path.replace(/:[a-zA-Z]+/g, id);

const LETTERS = 'ABCDEGHKLMNPQRSTUVXY';
const letters = (n: number) => Array.from({ length: n }, () => LETTERS[randomInt(LETTERS.length)]).join('');

describe('peer groups: groups, members, what a coordinator sees', () => {
  let t: TestApp;
  let today: string;
  let organizationId: string;
  let manager: Persona;
  let coordinator: Persona;
  let otherCoordinator: Persona;
  let worker: Persona;
  let outsider: Persona;
  let outsiderManager: Persona;
  let managerAgent: Agent;
  let coordinatorAgent: Agent;
  let otherCoordinatorAgent: Agent;
  let workerAgent: Agent;
  let outsiderAgent: Agent;

  const groups = () => t.app.get(GroupsService);
  const count = async (sql: string, params: unknown[]) =>
    Number((await t.dataSource.query<Array<{ n: string }>>(sql, params))[0].n);

  /** A group of the organization, made by the manager through the service, coordinated as given. */
  const aGroup = async (coordinators: Persona[], overrides: Partial<{ foundedOn: string; active: boolean }> = {}) =>
    groups().create(
      actorOf(manager),
      cliContext(),
      {
        name: `Nhóm ${letters(6)}`,
        kind: 'peer_group',
        districtCode: 'hoang-mai',
        foundedOn: overrides.foundedOn ?? addDays(today, -400),
        active: overrides.active ?? true,
        coordinatorIds: coordinators.map((c) => c.userId),
      },
      randomUUID(),
    );

  const join = async (
    group: PeerGroup,
    client: Client,
    joinedOn = addDays(today, -300),
    role: MemberRole = 'member',
  ) => {
    const outcome = await groups().addMember(
      actorOf(manager),
      cliContext(),
      group,
      { kind: 'code', displayCode: client.displayCode! },
      { role, joinedOn, submissionKey: randomUUID() },
    );
    if (outcome.kind !== 'added') throw new Error(`Not added: ${outcome.messageKey}`);
    return outcome.membership;
  };

  const membershipsOf = (group: PeerGroup, client: Client) =>
    t.dataSource.query<Array<{ role: string; joined: string; left: string | null }>>(
      `SELECT role, to_char(joined_on, 'YYYY-MM-DD') AS joined, to_char(left_on, 'YYYY-MM-DD') AS left
         FROM group_membership WHERE group_id = $1 AND client_id = $2 ORDER BY joined_on`,
      [group.id, client.id],
    );

  const groupForm = (overrides: Record<string, string | string[] | undefined> = {}) =>
    Object.fromEntries(
      Object.entries({
        submissionKey: randomUUID(),
        name: `Câu lạc bộ ${letters(5)}`,
        kind: 'club',
        districtCode: 'dong-da',
        foundedOn: addDays(today, -30),
        active: '1',
        coordinators: [coordinator.userId],
        ...overrides,
      }).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
    );

  beforeAll(async () => {
    t = await createTestApp();
    today = localDay(t.clock.now());
    const organization = await anOrganization(t);
    organizationId = organization.id;
    manager = await aPersona(t, 'manager', { organizationId });
    coordinator = await aPersona(t, 'peer_coordinator', { organizationId });
    otherCoordinator = await aPersona(t, 'peer_coordinator', { organizationId });
    worker = await aPersona(t, 'social_worker', { organizationId });
    outsider = await aPersona(t, 'peer_coordinator');
    outsiderManager = await aPersona(t, 'manager', { organizationId: outsider.organizationId });
    [managerAgent, coordinatorAgent, otherCoordinatorAgent, workerAgent, outsiderAgent] = await Promise.all(
      [manager, coordinator, otherCoordinator, worker, outsider].map((p) => loginAs(t, p)),
    );
  });
  afterAll(() => t.close());

  describe('groups (managers)', () => {
    it('creates a group with its coordinators from the form, once for a repeated submission, and audits it', async () => {
      const form = await managerAgent.get('/groups/new').expect(200);
      expect(form.text).toContain(`value="${coordinator.userId}"`);
      expect(form.text).toContain(`value="${worker.userId}"`);
      expect(form.text).not.toContain(`value="${manager.userId}"`);
      const fields = groupForm();
      const first = await submit(managerAgent, '/groups', fields, '/groups/new');
      expect(first.status).toBe(303);
      const again = await submit(managerAgent, '/groups', fields, '/groups/new');
      expect(again.headers.location).toBe(first.headers.location);
      const id = first.headers.location.split('/').pop()!;
      expect(await count(`SELECT count(*) AS n FROM peer_group WHERE name = $1`, [fields.name])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM peer_group_coordinator WHERE group_id = $1`, [id])).toBe(1);
      const page = await managerAgent.get(`/groups/${id}`).expect(200);
      expect(page.text).toContain('Đã tạo nhóm.');
      expect(page.text).toContain(fields.name as string);
      expect(page.text).toContain(coordinator.username);
      expect(page.text).toContain('Câu lạc bộ · Đống Đa');
      const [audit] = await t.dataSource.query<Array<{ actor_user_id: string; details: Record<string, unknown> }>>(
        `SELECT actor_user_id, details FROM audit_event WHERE action = 'group.created' AND target_id = $1`,
        [id],
      );
      expect(audit.actor_user_id).toBe(manager.userId);
      expect(audit.details).toEqual({ kind: 'club', districtCode: 'dong-da', coordinatorIds: [coordinator.userId] });
      // The page title stays neutral: never the group's name.
      expect(/<title>([^<]*)<\/title>/.exec(page.text)?.[1]).toBe('Nhóm · Nhịp Cầu');
    });

    it('refuses bad input field by field, in the user’s language, and saves nothing', async () => {
      const before = await count(`SELECT count(*) AS n FROM peer_group`, []);
      const res = await submit(
        managerAgent,
        '/groups',
        groupForm({
          name: 'Nhóm chị Lan 0912345678',
          kind: 'gang',
          districtCode: 'atlantis',
          foundedOn: addDays(today, 1),
          coordinators: [manager.userId],
          active: 'yes',
        }),
        '/groups/new',
      );
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'name')).toContain('Không ghi số điện thoại');
      expect(fieldError(res.text, 'kind')).toBe('Vui lòng chọn loại nhóm.');
      expect(fieldError(res.text, 'districtCode')).toBe('Vui lòng chọn một địa bàn trong danh sách.');
      expect(fieldError(res.text, 'foundedOn')).toBe('Ngày không được sau hôm nay.');
      expect(fieldError(res.text, 'coordinators')).toBe('Vui lòng chọn điều phối viên trong danh sách.');
      const empty = await submit(
        managerAgent,
        '/groups',
        groupForm({ name: '   ', foundedOn: '31/02/2024', coordinators: undefined, kind: undefined }),
        '/groups/new',
      );
      expect(empty.status).toBe(422);
      expect(fieldError(empty.text, 'name')).toBe('Vui lòng nhập mục này.');
      expect(fieldError(empty.text, 'foundedOn')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
      expect(fieldError(empty.text, 'coordinators')).toBe('Vui lòng chọn ít nhất một điều phối viên.');
      const outsiderCoordinator = await submit(
        managerAgent,
        '/groups',
        groupForm({ coordinators: [outsider.userId], submissionKey: 'not-a-key' }),
        '/groups/new',
      );
      expect(outsiderCoordinator.status).toBe(422);
      expect(fieldError(outsiderCoordinator.text, 'coordinators')).toBe(
        'Vui lòng chọn điều phối viên trong danh sách.',
      );
      expect(outsiderCoordinator.text).toContain('Biểu mẫu không hợp lệ.');
      const english = await submit(managerAgent, '/lang', { lang: 'en', next: '/groups/new' }, '/groups/new');
      expect(english.status).toBe(303);
      const inEnglish = await submit(managerAgent, '/groups', groupForm({ kind: 'gang' }), '/groups/new');
      expect(fieldError(inEnglish.text, 'kind')).toBe('Please choose the kind of group.');
      await submit(managerAgent, '/lang', { lang: 'vi', next: '/groups' }, '/groups');
      expect(await count(`SELECT count(*) AS n FROM peer_group`, [])).toBe(before);
    });

    it('refuses a second group of the same name in the organization', async () => {
      const group = await aGroup([coordinator]);
      const res = await submit(managerAgent, '/groups', groupForm({ name: group.name }), '/groups/new');
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'name')).toBe('Đơn vị đã có một nhóm mang tên này.');
    });

    it('edits a group: coordinators change, the founding day cannot pass its first member, and it is audited', async () => {
      const group = await aGroup([coordinator], { foundedOn: addDays(today, -100) });
      const client = await aClient(t, worker);
      await join(group, client, addDays(today, -50));
      const edit = await managerAgent.get(`/groups/${group.id}/edit`).expect(200);
      expect(edit.text).toContain(`value="${group.name}"`);
      const late = await submit(
        managerAgent,
        `/groups/${group.id}/edit`,
        groupForm({ name: group.name, foundedOn: addDays(today, -10), submissionKey: undefined }),
        `/groups/${group.id}/edit`,
      );
      expect(late.status).toBe(422);
      expect(fieldError(late.text, 'foundedOn')).toContain('Nhóm đã có thành viên hoặc buổi sinh hoạt từ');
      const saved = await submit(
        managerAgent,
        `/groups/${group.id}/edit`,
        groupForm({
          name: group.name,
          foundedOn: addDays(today, -60),
          coordinators: [otherCoordinator.userId],
          active: undefined,
          submissionKey: undefined,
        }),
        `/groups/${group.id}/edit`,
      );
      expect(saved.status).toBe(303);
      const [row] = await t.dataSource.query<Array<{ active: boolean; kind: string }>>(
        `SELECT active, kind FROM peer_group WHERE id = $1`,
        [group.id],
      );
      expect(row).toEqual({ active: false, kind: 'club' });
      const [audit] = await t.dataSource.query<Array<{ details: Record<string, unknown> }>>(
        `SELECT details FROM audit_event WHERE action = 'group.updated' AND target_id = $1`,
        [group.id],
      );
      expect(audit.details).toEqual({
        changed: ['kind', 'districtCode', 'foundedOn', 'active'],
        coordinatorsAdded: [otherCoordinator.userId],
        coordinatorsRemoved: [coordinator.userId],
      });
      // The former coordinator no longer reaches it; the new one does; an inactive group takes no new member.
      await coordinatorAgent.get(`/groups/${group.id}`).expect(404);
      const page = await otherCoordinatorAgent.get(`/groups/${group.id}`).expect(200);
      expect(page.text).not.toContain('/members/new');
      const refused = await submit(
        otherCoordinatorAgent,
        `/groups/${group.id}/members`,
        { displayCode: client.displayCode!, role: 'member', joinedOn: today, submissionKey: randomUUID() },
        `/groups/${group.id}`,
      );
      expect(refused.status).toBe(422);
      expect(fieldError(refused.text, 'displayCode')).toBe(
        'Nhóm đã ngừng hoạt động: không thêm được thành viên hay buổi sinh hoạt mới.',
      );
    });

    it('answers 403 to coordinators and social workers on the group forms, 404 on a group’s edit page', async () => {
      const group = await aGroup([coordinator]);
      await coordinatorAgent.get('/groups/new').expect(403);
      await workerAgent.get('/groups/new').expect(403);
      const res = await submit(coordinatorAgent, '/groups', groupForm(), '/groups');
      expect(res.status).toBe(403);
      await coordinatorAgent.get(`/groups/${group.id}/edit`).expect(404);
      await outsiderAgent.get(`/groups/${group.id}/edit`).expect(404);
    });
  });

  describe('the group list and pages', () => {
    it('shows a coordinator their own groups only, and a social worker and a manager every group of the organization', async () => {
      const mine = await aGroup([coordinator]);
      const theirs = await aGroup([otherCoordinator]);
      const list = await coordinatorAgent.get('/groups').expect(200);
      expect(list.text).toContain(mine.name);
      expect(list.text).not.toContain(theirs.name);
      for (const agent of [workerAgent, managerAgent]) {
        const all = await agent.get('/groups').expect(200);
        expect(all.text).toContain(mine.name);
        expect(all.text).toContain(theirs.name);
      }
      const foreign = await outsiderAgent.get('/groups').expect(200);
      expect(foreign.text).not.toContain(mine.name);
      // The menu leads coordinators to their groups.
      const home = await coordinatorAgent.get('/').expect(200);
      expect(home.text).toContain('href="/groups"');
      expect(home.text).not.toContain('href="/clients"');
    });

    it('answers 404 on a group the coordinator does not coordinate and on another organization’s, and audits each view', async () => {
      const mine = await aGroup([coordinator]);
      const theirs = await aGroup([otherCoordinator]);
      const foreign = await t.app.get(GroupsService).create(
        actorOf(outsiderManager),
        cliContext(),
        {
          name: 'Nhóm khác',
          kind: 'club',
          districtCode: 'ba-dinh',
          foundedOn: addDays(today, -10),
          active: true,
          coordinatorIds: [outsider.userId],
        },
        randomUUID(),
      );
      await coordinatorAgent.get(`/groups/${mine.id}`).expect(200);
      await coordinatorAgent.get(`/groups/${theirs.id}`).expect(404);
      await coordinatorAgent.get(`/groups/${foreign.id}`).expect(404);
      await managerAgent.get(`/groups/${foreign.id}`).expect(404);
      await workerAgent.get(`/groups/${foreign.id}`).expect(404);
      await coordinatorAgent.get('/groups/not-a-uuid').expect(404);
      for (const path of ['members/new', 'sessions', 'sessions/new']) {
        await coordinatorAgent.get(`/groups/${theirs.id}/${path}`).expect(404);
        await coordinatorAgent.get(`/groups/${foreign.id}/${path}`).expect(404);
      }
      expect(
        await count(`SELECT count(*) AS n FROM audit_event WHERE action = 'group.viewed' AND target_id = $1`, [
          mine.id,
        ]),
      ).toBe(1);
    });

    it('lets a social worker read a group but not run it unless they coordinate it (403)', async () => {
      const group = await aGroup([coordinator]);
      const page = await workerAgent.get(`/groups/${group.id}`).expect(200);
      expect(page.text).not.toContain(`/groups/${group.id}/sessions/new`);
      await workerAgent.get(`/groups/${group.id}/members/new`).expect(403);
      await workerAgent.get(`/groups/${group.id}/sessions/new`).expect(403);
      const theirs = await aGroup([worker]);
      const run = await workerAgent.get(`/groups/${theirs.id}`).expect(200);
      expect(run.text).toContain(`/groups/${theirs.id}/sessions/new`);
      await workerAgent.get(`/groups/${theirs.id}/members/new`).expect(200);
    });
  });

  describe('membership', () => {
    it('adds a member by display code and by the code parts, with a role and a joining day', async () => {
      const group = await aGroup([coordinator]);
      const byCode = await aClient(t, worker);
      const form = await coordinatorAgent.get(`/groups/${group.id}/members/new`).expect(200);
      expect(form.headers['cache-control']).toBe('no-store');
      const typed = byCode.displayCode!.toLowerCase().replace('-', ' ');
      const added = await submit(
        coordinatorAgent,
        `/groups/${group.id}/members`,
        { displayCode: typed, role: 'leader', joinedOn: addDays(today, -3), submissionKey: randomUUID() },
        `/groups/${group.id}/members/new`,
      );
      expect(added.status).toBe(303);
      expect(added.headers.location).toBe(`/groups/${group.id}`);
      expect(await membershipsOf(group, byCode)).toEqual([{ role: 'leader', joined: addDays(today, -3), left: null }]);

      const parts = { mother: 'Hương', father: '', sex: 'F', birthYear: '1991', own: letters(1) };
      const registered = await t.app.get(ClientsService).register(actorOf(worker), cliContext(), {
        uic: { mother: parts.mother, father: parts.father, sex: 'F', own: parts.own },
        gender: 'female',
        birthYear: 1991,
        primaryDistrict: 'hoang-mai',
        workSetting: 'massage',
        firstContactDate: addDays(today, -20),
        consentDate: addDays(today, -20),
        confirmKnownElsewhere: true,
        submissionKey: randomUUID(),
      });
      if (registered.kind !== 'created' && registered.kind !== 'existing') throw new Error(registered.kind);
      const byParts = await submit(
        coordinatorAgent,
        `/groups/${group.id}/members/find`,
        { ...parts, role: 'peer_educator', joinedOn: today, submissionKey: randomUUID() },
        `/groups/${group.id}/members/new`,
      );
      expect(byParts.status).toBe(303);
      expect(await membershipsOf(group, registered.client)).toEqual([
        { role: 'peer_educator', joined: today, left: null },
      ]);
      const page = await coordinatorAgent.get(`/groups/${group.id}`).expect(200);
      expect(page.text).toContain('Đã thêm thành viên vào nhóm.');
      expect(page.text).toContain(byCode.displayCode!);
      expect(page.text).toContain(registered.client.displayCode!);
      expect(page.text).toContain('Giáo dục viên đồng đẳng');
      const audits = await t.dataSource.query<Array<{ details: Record<string, unknown> }>>(
        `SELECT details FROM audit_event WHERE action = 'group.member_added' AND details->>'groupId' = $1 ORDER BY id`,
        [group.id],
      );
      expect(audits.map((a) => a.details)).toEqual([
        { groupId: group.id, clientId: byCode.id, role: 'leader', rejoined: false },
        { groupId: group.id, clientId: registered.client.id, role: 'peer_educator', rejoined: false },
      ]);
      // The parts typed are nowhere in the trail.
      expect(JSON.stringify(await t.dataSource.query(`SELECT details FROM audit_event`))).not.toContain('Hương');
    });

    it('refuses an unknown code, a client of another organization, a member twice and a day before the group existed', async () => {
      const group = await aGroup([coordinator], { foundedOn: addDays(today, -10) });
      const member = await aClient(t, worker);
      await join(group, member, addDays(today, -5));
      const elsewhere = await aClient(t, outsider);
      const add = (fields: Record<string, string>) =>
        submit(
          coordinatorAgent,
          `/groups/${group.id}/members`,
          { role: 'member', joinedOn: today, submissionKey: randomUUID(), ...fields },
          `/groups/${group.id}/members/new`,
        );
      const before = await count(`SELECT count(*) AS n FROM group_membership WHERE group_id = $1`, [group.id]);
      const unknown = await add({ displayCode: 'WWW-222' });
      expect(unknown.status).toBe(422);
      expect(fieldError(unknown.text, 'displayCode')).toBe('Không có khách hàng nào mang mã này trong đơn vị của bạn.');
      const foreign = await add({ displayCode: elsewhere.displayCode! });
      expect(fieldError(foreign.text, 'displayCode')).toBe('Không có khách hàng nào mang mã này trong đơn vị của bạn.');
      const malformed = await add({ displayCode: 'hello' });
      expect(fieldError(malformed.text, 'displayCode')).toBe('Mã khách hàng gồm 6 ký tự, ví dụ K7F-2Q9.');
      const twice = await add({ displayCode: member.displayCode! });
      expect(fieldError(twice.text, 'displayCode')).toBe(
        `Khách hàng này đã là thành viên của nhóm từ ${addDays(today, -5).split('-').reverse().join('/')}.`,
      );
      const early = await add({ displayCode: (await aClient(t, worker)).displayCode!, joinedOn: addDays(today, -11) });
      expect(fieldError(early.text, 'joinedOn')).toBe(
        `Ngày không được trước ngày thành lập nhóm (${addDays(today, -10).split('-').reverse().join('/')}).`,
      );
      const badRole = await add({
        displayCode: (await aClient(t, worker)).displayCode!,
        role: 'boss',
        joinedOn: '2024-13-01',
      });
      expect(fieldError(badRole.text, 'role')).toBe(
        'Vui lòng chọn vai trò: thành viên, trưởng nhóm hoặc giáo dục viên đồng đẳng.',
      );
      expect(fieldError(badRole.text, 'joinedOn')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
      const parts = await submit(
        coordinatorAgent,
        `/groups/${group.id}/members/find`,
        {
          mother: '12',
          sex: 'X',
          birthYear: '19',
          own: '',
          role: 'member',
          joinedOn: today,
          submissionKey: randomUUID(),
        },
        `/groups/${group.id}/members/new`,
      );
      expect(parts.status).toBe(422);
      expect(fieldError(parts.text, 'sex')).toBe('Chọn giới tính khi sinh: nữ (F) hoặc nam (M).');
      expect(fieldError(parts.text, 'birthYear')).toBe('Nhập năm sinh gồm 4 chữ số, ví dụ 1992.');
      const nobody = await submit(
        coordinatorAgent,
        `/groups/${group.id}/members/find`,
        {
          mother: 'Lan',
          father: 'Hùng',
          sex: 'F',
          birthYear: '1990',
          own: 'Q',
          role: 'member',
          joinedOn: today,
          submissionKey: randomUUID(),
        },
        `/groups/${group.id}/members/new`,
      );
      expect(fieldError(nobody.text, 'mother')).toContain('Nhờ nhân viên công tác xã hội đăng ký khách hàng trước.');
      expect(await count(`SELECT count(*) AS n FROM group_membership WHERE group_id = $1`, [group.id])).toBe(before);
    });

    it('keeps the history: leaving closes the period, rejoining opens a new one after it, never before', async () => {
      const group = await aGroup([coordinator], { foundedOn: addDays(today, -200) });
      const client = await aClient(t, worker);
      const membership = await join(group, client, addDays(today, -100));
      const page = await coordinatorAgent.get(`/groups/${group.id}/members/${membership.id}`).expect(200);
      expect(page.text).toContain(client.displayCode!);

      const role = await submit(
        coordinatorAgent,
        `/groups/${group.id}/members/${membership.id}/role`,
        { role: 'leader' },
        `/groups/${group.id}`,
      );
      expect(role.status).toBe(303);
      const badRole = await submit(
        coordinatorAgent,
        `/groups/${group.id}/members/${membership.id}/role`,
        { role: 'queen' },
        `/groups/${group.id}`,
      );
      expect(badRole.status).toBe(422);

      const leave = (leftOn: string) =>
        submit(
          coordinatorAgent,
          `/groups/${group.id}/members/${membership.id}/leave`,
          { leftOn },
          `/groups/${group.id}`,
        );
      const beforeJoining = await leave(addDays(today, -101));
      expect(beforeJoining.status).toBe(422);
      expect(fieldError(beforeJoining.text, 'leftOn')).toContain('Ngày rời nhóm không được trước ngày tham gia');
      expect(fieldError((await leave(addDays(today, 1))).text, 'leftOn')).toBe('Ngày không được sau hôm nay.');
      expect(fieldError((await leave('')).text, 'leftOn')).toBe('Vui lòng nhập mục này.');
      // A session they came to: the leaving day cannot come before it.
      await t.app.get(GroupSessionsService).record(
        actorOf(coordinator),
        cliContext(),
        group,
        {
          sessionDate: addDays(today, -40),
          durationMinutes: 60,
          sessionType: 'regular_meeting',
          topics: [],
          attendance: [{ clientId: client.id, facilitated: false }],
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
      const beforeSession = await leave(addDays(today, -41));
      expect(fieldError(beforeSession.text, 'leftOn')).toBe(
        `Thành viên đã dự buổi sinh hoạt ngày ${addDays(today, -40).split('-').reverse().join('/')}: ngày rời nhóm không được trước ngày đó.`,
      );
      expect((await leave(addDays(today, -30))).status).toBe(303);
      // A closed period cannot be changed again.
      await coordinatorAgent.get(`/groups/${group.id}/members/${membership.id}`).expect(404);
      expect((await leave(addDays(today, -20))).status).toBe(404);

      const rejoin = (joinedOn: string) =>
        submit(
          coordinatorAgent,
          `/groups/${group.id}/members`,
          { displayCode: client.displayCode!, role: 'member', joinedOn, submissionKey: randomUUID() },
          `/groups/${group.id}/members/new`,
        );
      const tooEarly = await rejoin(addDays(today, -30));
      expect(tooEarly.status).toBe(422);
      expect(fieldError(tooEarly.text, 'joinedOn')).toBe(
        `Khách hàng đã rời nhóm ngày ${addDays(today, -30).split('-').reverse().join('/')}: ngày tham gia lại phải sau ngày đó.`,
      );
      expect((await rejoin(addDays(today, -10))).status).toBe(303);
      expect(await membershipsOf(group, client)).toEqual([
        { role: 'leader', joined: addDays(today, -100), left: addDays(today, -30) },
        { role: 'member', joined: addDays(today, -10), left: null },
      ]);
      const groupPage = await coordinatorAgent.get(`/groups/${group.id}`).expect(200);
      const former = /data-testid="former-members"[\s\S]*?<\/ul>/.exec(groupPage.text)?.[0] ?? '';
      expect(former).toContain(client.displayCode!);
      const actions = await t.dataSource.query<Array<{ action: string }>>(
        `SELECT action FROM audit_event WHERE details->>'groupId' = $1 AND action LIKE 'group.member%' ORDER BY id`,
        [group.id],
      );
      expect(actions.map((a) => a.action)).toEqual([
        'group.member_added',
        'group.member_updated',
        'group.member_left',
        'group.member_added',
      ]);
      const [rejoined] = await t.dataSource.query<Array<{ details: { rejoined: boolean } }>>(
        `SELECT details FROM audit_event WHERE details->>'groupId' = $1 AND action = 'group.member_added' ORDER BY id DESC LIMIT 1`,
        [group.id],
      );
      expect(rejoined.details.rejoined).toBe(true);
    });

    it('answers 404 on a membership of another group, and adds once for a repeated submission', async () => {
      const group = await aGroup([coordinator]);
      const other = await aGroup([coordinator]);
      const client = await aClient(t, worker);
      const membership = await join(other, client);
      await coordinatorAgent.get(`/groups/${group.id}/members/${membership.id}`).expect(404);
      await coordinatorAgent.get(`/groups/${group.id}/members/not-a-uuid`).expect(404);
      const fields = { displayCode: client.displayCode!, role: 'member', joinedOn: today, submissionKey: randomUUID() };
      const first = await submit(coordinatorAgent, `/groups/${group.id}/members`, fields, `/groups/${group.id}`);
      const again = await submit(coordinatorAgent, `/groups/${group.id}/members`, fields, `/groups/${group.id}`);
      expect([first.status, again.status]).toEqual([303, 303]);
      expect(await membershipsOf(group, client)).toHaveLength(1);
    });
  });

  describe('what a coordinator sees, and does not', () => {
    it('answers 404 on every client, assessment and referral route, even for a member of their group', async () => {
      const group = await aGroup([coordinator]);
      const member = await aClient(t, worker);
      await join(group, member);
      const routes = listRoutes(t.app).filter(
        (r) =>
          /:[a-zA-Z]+/.test(r.path) &&
          r.rule?.kind === 'permission' &&
          r.rule.permissions.some((p) => /^(clients|assessments|referrals):/.test(p)),
      );
      expect(routes.length).toBeGreaterThan(5);
      expect(routes.some((r) => r.path.startsWith('/referrals') || r.path.includes('referral'))).toBe(true);
      for (const route of routes) {
        const path = withId(route.path, member.id);
        const res =
          route.method === 'GET'
            ? await coordinatorAgent.get(path)
            : await submit(coordinatorAgent, path, {}, `/groups/${group.id}`);
        expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 404,
        });
      }
    });

    it('shows a member’s page without the social worker’s notes, assessments or referrals, and 404 for anyone else', async () => {
      const group = await aGroup([coordinator]);
      const member = await aClient(t, worker);
      const stranger = await aClient(t, worker);
      await join(group, member);
      await t.app.get(ContactsService).record(
        actorOf(worker),
        cliContext(),
        member.id,
        {
          contactDate: today,
          modality: 'street',
          districtCode: 'hoang-mai',
          topics: ['gbv'],
          condoms: 0,
          lubricants: 0,
          hivSelfTests: 0,
          note: 'Ghi chú riêng của nhân viên Quasar-Fennel',
        },
        randomUUID(),
      );
      const workerContact = (
        await t.dataSource.query<Array<{ id: string }>>(`SELECT id FROM contact WHERE client_id = $1`, [member.id])
      )[0];
      await t.app
        .get(AssessmentsService)
        .record(
          actorOf(worker),
          cliContext(),
          member.id,
          { assessedOn: today, answers: [{ domain: 'legal', need: 'yes', eligible: 'yes' }], violence: 'yes' },
          randomUUID(),
        );
      const page = await coordinatorAgent.get(`/groups/members/${member.id}`).expect(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain(member.displayCode!);
      expect(page.text).toContain(group.name);
      expect(page.text).not.toContain('Quasar-Fennel');
      expect(page.text).not.toContain('Trợ giúp pháp lý');
      expect(page.text).not.toContain(`/clients/${member.id}"`);
      expect(page.text).toContain(`/clients/${member.id}/contacts/new`);
      await coordinatorAgent.get(`/groups/members/${stranger.id}`).expect(404);
      await otherCoordinatorAgent.get(`/groups/members/${member.id}`).expect(404);
      await outsiderAgent.get(`/groups/members/${member.id}`).expect(404);
      // The social worker's contact cannot be opened either, even by guessing its id.
      await coordinatorAgent.get(`/contacts/${workerContact.id}/edit`).expect(404);
      const changed = await submit(
        coordinatorAgent,
        `/contacts/${workerContact.id}`,
        { condoms: '1' },
        `/groups/${group.id}`,
      );
      expect(changed.status).toBe(404);
      expect(
        await count(
          `SELECT count(*) AS n FROM audit_event WHERE action = 'client.viewed' AND target_id = $1 AND actor_user_id = $2`,
          [member.id, coordinator.userId],
        ),
      ).toBe(1);
    });

    it('stops showing a member once they leave the group', async () => {
      const group = await aGroup([coordinator]);
      const member = await aClient(t, worker);
      const membership = await join(group, member, addDays(today, -20));
      await coordinatorAgent.get(`/groups/members/${member.id}`).expect(200);
      await groups().recordLeaving(cliContext(), membership, today);
      await coordinatorAgent.get(`/groups/members/${member.id}`).expect(404);
      await coordinatorAgent.get(`/clients/${member.id}/contacts/new`).expect(404);
    });

    it('records peer outreach contacts for members with the quick form (modality peer only), and 404 for others', async () => {
      const group = await aGroup([coordinator]);
      const member = await aClient(t, worker, { primaryDistrict: 'cau-giay' });
      const stranger = await aClient(t, worker);
      await join(group, member);
      const form = await coordinatorAgent.get(`/clients/${member.id}/contacts/new`).expect(200);
      expect(form.text).toContain('<option value="peer" selected>');
      expect(form.text).not.toContain('<option value="street"');
      expect(form.text).toContain(`href="/groups/members/${member.id}"`);
      const fields = (overrides: Record<string, string | string[]> = {}) => ({
        submissionKey: randomUUID(),
        contactDate: today,
        modality: 'peer',
        districtCode: 'cau-giay',
        topics: ['condoms'],
        condoms: '4',
        lubricants: '0',
        hivSelfTests: '1',
        note: 'Hẹn gặp ở buổi sinh hoạt tới',
        ...overrides,
      });
      const street = await submit(
        coordinatorAgent,
        `/clients/${member.id}/contacts`,
        fields({ modality: 'street' }),
        `/groups/${group.id}`,
      );
      expect(street.status).toBe(422);
      expect(fieldError(street.text, 'modality')).toBe('Vui lòng chọn một hình thức tiếp cận trong danh sách.');
      const saved = await submit(coordinatorAgent, `/clients/${member.id}/contacts`, fields(), `/groups/${group.id}`);
      expect(saved.status).toBe(303);
      expect(saved.headers.location).toBe(`/groups/members/${member.id}`);
      const [stored] = await t.dataSource.query<
        Array<{ id: string; modality: string; worker_id: string; source: string }>
      >(`SELECT id, modality, worker_id, source FROM contact WHERE client_id = $1`, [member.id]);
      expect(stored).toMatchObject({ modality: 'peer', worker_id: coordinator.userId, source: 'app' });
      const page = await coordinatorAgent.get(`/groups/members/${member.id}`).expect(200);
      expect(page.text).toContain('Đã ghi nhận lượt tiếp cận.');
      expect(page.text).toContain('Tiếp cận đồng đẳng');
      expect(page.text).toContain('Hẹn gặp ở buổi sinh hoạt tới');
      // Their own contact they may correct; it then leads back to the member page.
      await coordinatorAgent.get(`/contacts/${stored.id}/edit`).expect(200);
      const fixed = await submit(
        coordinatorAgent,
        `/contacts/${stored.id}`,
        { ...fields(), condoms: '5' },
        `/contacts/${stored.id}/edit`,
      );
      expect(fixed.headers.location).toBe(`/groups/members/${member.id}`);
      await coordinatorAgent.get(`/clients/${stranger.id}/contacts/new`).expect(404);
      const refused = await submit(
        coordinatorAgent,
        `/clients/${stranger.id}/contacts`,
        fields(),
        `/groups/${group.id}`,
      );
      expect(refused.status).toBe(404);
      expect(await count(`SELECT count(*) AS n FROM contact WHERE client_id = $1`, [stranger.id])).toBe(0);
    });

    it('answers 403 on the lists a coordinator has no use for', async () => {
      for (const path of ['/clients', '/contacts', '/contacts/mine', '/imports', '/audit', '/groups/activity']) {
        expect({ path, status: (await coordinatorAgent.get(path)).status }).toEqual({ path, status: 403 });
      }
    });
  });

  describe('client merge', () => {
    it('moves memberships and attendance to the kept client, joining what both records had', async () => {
      const group = await aGroup([coordinator], { foundedOn: addDays(today, -300) });
      const other = await aGroup([coordinator], { foundedOn: addDays(today, -300) });
      const keep = await aClient(t, worker);
      const duplicate = await aClient(t, worker);
      await join(group, keep, addDays(today, -50));
      await join(group, duplicate, addDays(today, -80), 'leader');
      await join(other, duplicate, addDays(today, -70));
      const sessions = t.app.get(GroupSessionsService);
      const session = (day: string, attendance: Client[], countsAsContact: boolean, g = group) =>
        sessions.record(
          actorOf(coordinator),
          actorContext(actorOf(coordinator), null),
          g,
          {
            sessionDate: day,
            durationMinutes: 60,
            sessionType: 'regular_meeting',
            topics: ['hiv_sti'],
            attendance: attendance.map((c) => ({ clientId: c.id, facilitated: c.id === duplicate.id })),
            facilitatorUserIds: [],
            anonymousAttendees: 0,
            condoms: 0,
            lubricants: 0,
            hivSelfTests: 0,
            countsAsContact,
            note: null,
          },
          randomUUID(),
        );
      const both = await session(addDays(today, -20), [keep, duplicate], true);
      await session(addDays(today, -20), [duplicate], true, other);
      const alone = await session(addDays(today, -10), [duplicate], true, other);

      const res = await submit(
        managerAgent,
        `/clients/${keep.id}/merge`,
        { duplicateCode: duplicate.displayCode!, reason: 'registered_twice', step: 'confirm' },
        `/clients/${keep.id}/merge`,
      );
      expect(res.status).toBe(303);

      const memberships = await t.dataSource.query<Array<{ group_id: string; joined: string; left: string | null }>>(
        `SELECT group_id, to_char(joined_on, 'YYYY-MM-DD') AS joined, to_char(left_on, 'YYYY-MM-DD') AS left
           FROM group_membership WHERE client_id IN ($1, $2) ORDER BY joined_on`,
        [keep.id, duplicate.id],
      );
      expect(memberships).toEqual([
        { group_id: group.id, joined: addDays(today, -80), left: null },
        { group_id: other.id, joined: addDays(today, -70), left: null },
      ]);
      expect(await count(`SELECT count(*) AS n FROM group_membership WHERE client_id = $1`, [duplicate.id])).toBe(0);
      const attendance = await t.dataSource.query<
        Array<{ session_id: string; client_id: string; facilitated: boolean }>
      >(`SELECT session_id, client_id, facilitated FROM group_attendance WHERE session_id = $1 OR session_id = $2`, [
        both.id,
        alone.id,
      ]);
      expect(attendance).toHaveLength(2);
      expect(attendance.every((a) => a.client_id === keep.id)).toBe(true);
      expect(attendance.find((a) => a.session_id === both.id)?.facilitated).toBe(true);
      // One contact per member-day still: the day both records came counts once for the kept client.
      const days = await t.dataSource.query<Array<{ day: string; n: number }>>(
        `SELECT to_char(contact_date, 'YYYY-MM-DD') AS day, count(*)::int AS n FROM contact
          WHERE client_id = $1 AND source = 'group' AND deleted_at IS NULL GROUP BY 1 ORDER BY 1`,
        [keep.id],
      );
      expect(days).toEqual([
        { day: addDays(today, -20), n: 1 },
        { day: addDays(today, -10), n: 1 },
      ]);
      const [audit] = await t.dataSource.query<Array<{ details: { moved: Record<string, number> } }>>(
        `SELECT details FROM audit_event WHERE action = 'client.merged' AND target_id = $1`,
        [keep.id],
      );
      expect(audit.details.moved).toMatchObject({
        group_attendance: 2,
        group_membership: 1,
        duplicate_group_contacts: 1,
      });
    });
  });
});
