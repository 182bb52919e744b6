import { AUDIT_ACTIONS } from '../../src/audit/audit-action';
import { cliContext } from '../../src/audit/audit.service';
import { localDay } from '../../src/clock/clock';
import { OrganizationsService } from '../../src/organizations/organizations.service';
import {
  Agent,
  anOrganization,
  aPersona,
  createTestApp,
  loginAs,
  Persona,
  submit,
  TestApp,
  unique,
} from '../support/app';
import request from 'supertest';

/** The rows of the audit table, as HTML. */
const rowsOf = (html: string): string[] => html.match(/<tr data-testid="audit-row">[\s\S]*?<\/tr>/g) ?? [];

/** The message shown next to a filter field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback">([^<]*)<`).exec(html)?.[1] ?? null;

/** The pager's link to the previous or next page, unescaped, or null when there is none. */
const pagerLink = (html: string, rel: 'prev' | 'next'): string | null => {
  const href = new RegExp(`href="([^"]*)" rel="${rel}"`).exec(html)?.[1];
  return href === undefined ? null : href.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
};

const DAY_MS = 24 * 3_600_000;

describe('audit trail viewer', () => {
  let t: TestApp;
  let admin: Persona;
  let manager: Persona;
  /** A social worker of the manager's organization. */
  let ownWorker: Persona;
  /** A social worker of an organization the manager does not oversee. */
  let otherWorker: Persona;
  let otherOrganizationName: string;
  let adminAgent: Agent;
  let managerAgent: Agent;

  /** Writes events with chosen times (inserting is the one change the trail allows). */
  const insertEvents = async (actorName: string, times: Date[], action = 'auth.login_failed') => {
    for (const time of times) {
      await t.dataSource.query(
        `INSERT INTO audit_event (occurred_at, actor_name, action, outcome, details)
         VALUES ($1, $2, $3, 'failure', '{}')`,
        [time.toISOString(), actorName, action],
      );
    }
  };

  const latestEventId = async (userId: string, action: string): Promise<string> => {
    const rows: { id: string }[] = await t.dataSource.query(
      `SELECT id FROM audit_event WHERE actor_user_id = $1 AND action = $2 ORDER BY id DESC LIMIT 1`,
      [userId, action],
    );
    if (!rows[0]) throw new Error(`No ${action} event for ${userId}`);
    return String(rows[0].id);
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await aPersona(t, 'admin');
    manager = await aPersona(t, 'manager');
    ownWorker = await aPersona(t, 'social_worker', { organizationId: manager.organizationId });
    const otherOrganization = await anOrganization(t, `Câu lạc bộ ${unique('khac')}`);
    otherOrganizationName = otherOrganization.name;
    otherWorker = await aPersona(t, 'social_worker', { organizationId: otherOrganization.id });
    // Events to read: sign-ins in both organizations, a sign-out and a failed sign-in in the manager's.
    const ownAgent = await loginAs(t, ownWorker);
    await submit(ownAgent, '/logout', {}, '/');
    await loginAs(t, otherWorker);
    await submit(request.agent(t.app.getHttpServer()), '/login', {
      username: ownWorker.username,
      password: 'not-the-password',
    });
    adminAgent = await loginAs(t, admin);
    managerAgent = await loginAs(t, manager);
  }, 30_000);
  afterAll(() => t.close());

  describe('access', () => {
    it('shows an admin the events of every organization', async () => {
      const own = await adminAgent.get(`/audit?actor=${ownWorker.username}`).expect(200);
      expect(rowsOf(own.text).length).toBeGreaterThan(0);
      const other = await adminAgent.get(`/audit?actor=${otherWorker.username}&action=auth.login`).expect(200);
      expect(rowsOf(other.text)).toHaveLength(1);
      expect(rowsOf(other.text)[0]).toContain(otherOrganizationName);
      expect(rowsOf(other.text)[0]).toContain('Đăng nhập');
    });

    it("shows a manager their own organization's events and none of another's", async () => {
      const page = await managerAgent.get('/audit').expect(200);
      expect(page.text).toContain('<title>Nhật ký truy cập · Nhịp Cầu</title>');
      expect(page.text).toContain(ownWorker.username);
      expect(page.text).not.toContain(otherWorker.username);
      expect(page.text).not.toContain(otherOrganizationName);

      const filtered = await managerAgent.get(`/audit?actor=${otherWorker.username}`).expect(200);
      expect(rowsOf(filtered.text)).toHaveLength(0);
      expect(filtered.text).toContain('Không có sự kiện nào phù hợp.');
    });

    it('answers 404 when a manager opens an event of an organization they do not oversee', async () => {
      const id = await latestEventId(otherWorker.userId, 'auth.login');
      const denied = await managerAgent.get(`/audit/${id}`).expect(404);
      expect(denied.text).not.toContain(otherWorker.username);
      const shown = await adminAgent.get(`/audit/${id}`).expect(200);
      expect(shown.text).toContain(otherWorker.username);
    });

    it('shows a manager an event of their own organization', async () => {
      const id = await latestEventId(ownWorker.userId, 'auth.login');
      const page = await managerAgent.get(`/audit/${id}`).expect(200);
      expect(page.text).toContain(`Sự kiện #${id}`);
      expect(page.text).toContain(ownWorker.username);
      expect(page.text).toContain('Nhân viên công tác xã hội');
    });

    it.each(['999999999999', 'abc', '1e3', '-1', '12345678901234567890', '1%20OR%201%3D1'])(
      'answers 404 for the unknown or malformed event id %s',
      async (id) => {
        await adminAgent.get(`/audit/${id}`).expect(404);
      },
    );

    // An event's page names a record: without audit:read it answers 404 whether the event exists or not.
    it.each(['social_worker', 'peer_coordinator'] as const)(
      'answers 403 to a %s on the list and 404 on an event, their own or none',
      async (role) => {
        const persona = await aPersona(t, role, { organizationId: manager.organizationId });
        const agent = await loginAs(t, persona);
        const id = await latestEventId(persona.userId, 'auth.login');
        await agent.get('/audit').expect(403);
        await agent.get(`/audit/${id}`).expect(404);
        await agent.get('/audit/999999999999').expect(404);
      },
    );

    it('sends an anonymous visitor to the sign-in page', async () => {
      await request(t.app.getHttpServer()).get('/audit').expect(303).expect('Location', '/login');
    });

    it('records every reading of the trail, with the filters used but not their values', async () => {
      const id = await latestEventId(ownWorker.userId, 'auth.login');
      await managerAgent.get(`/audit?actor=${ownWorker.username}&action=auth.login`).expect(200);
      await managerAgent.get(`/audit/${id}`).expect(200);
      const rows: { target_type: string | null; target_id: string | null; details: Record<string, unknown> }[] =
        await t.dataSource.query(
          `SELECT target_type, target_id, details FROM audit_event
            WHERE actor_user_id = $1 AND action = 'audit.viewed' ORDER BY id DESC LIMIT 2`,
          [manager.userId],
        );
      expect(rows[0]).toMatchObject({ target_type: 'audit_event', target_id: id });
      expect(rows[1].details).toEqual({ filters: ['action', 'actorName'], page: 1 });
      expect(JSON.stringify(rows)).not.toContain(ownWorker.username);
    });
  });

  describe('the list and the detail page', () => {
    it('shows time in Hanoi, actor, role, organization, action, outcome and address in each row', async () => {
      const page = await adminAgent.get(`/audit?actor=${ownWorker.username}&action=auth.login`).expect(200);
      const [row] = rowsOf(page.text);
      expect(row).toMatch(/\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}/);
      expect(row).toContain(ownWorker.username);
      expect(row).toContain('Nhân viên công tác xã hội');
      expect(row).toContain('Đăng nhập');
      expect(row).toContain('Thành công');
      expect(row).toMatch(/127\.0\.0\.1|::1/);
      expect(row).toContain(`href="/audit/${await latestEventId(ownWorker.userId, 'auth.login')}"`);
      expect(page.text).toContain('class="table-responsive"');
    });

    it('shows a failed sign-in as anonymous, with its outcome, in the organization of the account', async () => {
      const page = await managerAgent.get('/audit?action=auth.login_failed').expect(200);
      const rows = rowsOf(page.text);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toContain('anonymous');
      expect(rows[0]).toContain('Đăng nhập thất bại');
      expect(rows[0]).toContain('Thất bại');
    });

    it('shows the target of an event', async () => {
      const [{ id }]: { id: string }[] = await t.dataSource.query(
        `SELECT id FROM audit_event WHERE action = 'user.created' AND target_id = $1`,
        [ownWorker.userId],
      );
      const page = await managerAgent.get(`/audit/${id}`).expect(200);
      expect(page.text).toContain('Tạo tài khoản');
      expect(page.text).toMatch(new RegExp(`Tài khoản <code class="small text-break">${ownWorker.userId}</code>`));
    });

    it('offers every action of the vocabulary, with a label, as a filter', async () => {
      const page = await adminAgent.get('/audit').expect(200);
      for (const action of AUDIT_ACTIONS) expect(page.text).toContain(`<option value="${action}"`);
      expect(page.text).toContain('<option value="">Mọi hành động</option>');
      expect(page.text).not.toContain('audit.actions.');
    });

    it('shows the details of an event as a definition list', async () => {
      const organization = await anOrganization(t, 'Trước khi đổi tên');
      await t.app
        .get(OrganizationsService)
        .update(cliContext(), organization.id, { name: 'Sau khi đổi tên', active: false });
      const [{ id }]: { id: string }[] = await t.dataSource.query(
        `SELECT id FROM audit_event WHERE action = 'organization.updated' AND target_id = $1`,
        [organization.id],
      );
      const page = await adminAgent.get(`/audit/${id}`).expect(200);
      expect(page.text).toContain('<title>Chi tiết sự kiện nhật ký · Nhịp Cầu</title>');
      expect(page.text).toContain('Sửa đơn vị');
      expect(page.text).toContain('Sau khi đổi tên');
      expect(page.text).toMatch(/<dt><code>changed<\/code><\/dt>\s*<dd class="text-break">name, active<\/dd>/);
    });

    it('shows the time of an event in Hanoi time', async () => {
      const actor = unique('clock');
      await insertEvents(actor, [new Date('2025-03-10T16:30:05Z')]);
      const page = await adminAgent.get(`/audit?actor=${actor}`).expect(200);
      expect(rowsOf(page.text)[0]).toContain('10/03/2025, 23:30:05');
    });
  });

  describe('filters', () => {
    it('filters by action', async () => {
      const out = await adminAgent.get(`/audit?action=auth.logout&actor=${ownWorker.username}`).expect(200);
      expect(rowsOf(out.text)).toHaveLength(1);
      expect(rowsOf(out.text)[0]).toContain('Đăng xuất');
      expect(out.text).toMatch(/<option value="auth\.logout" selected>/);

      const all = await adminAgent.get(`/audit?actor=${ownWorker.username}`).expect(200);
      expect(rowsOf(all.text)).toHaveLength(2);
    });

    it('filters by actor, whatever the case typed', async () => {
      const page = await adminAgent.get(`/audit?actor=${ownWorker.username.toUpperCase()}`).expect(200);
      const rows = rowsOf(page.text);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toContain(`<td class="text-break">${ownWorker.username}</td>`);
      expect(page.text).not.toContain(otherWorker.username);
    });

    it("filters sign-ins by today's date in Hanoi", async () => {
      const today = localDay(new Date());
      const yesterday = localDay(new Date(Date.now() - DAY_MS));
      const tomorrow = localDay(new Date(Date.now() + DAY_MS));
      const query = `/audit?actor=${ownWorker.username}&action=auth.login`;
      expect(rowsOf((await adminAgent.get(`${query}&from=${today}&to=${today}`)).text)).toHaveLength(1);
      expect(rowsOf((await adminAgent.get(`${query}&to=${yesterday}`)).text)).toHaveLength(0);
      expect(rowsOf((await adminAgent.get(`${query}&from=${tomorrow}`)).text)).toHaveLength(0);
    });

    it('takes dates as Hanoi days, including the whole of the last day', async () => {
      const actor = unique('days');
      await insertEvents(actor, [
        new Date('2025-03-09T16:59:59Z'), // 09/03 23:59:59 in Hanoi
        new Date('2025-03-09T17:00:00Z'), // 10/03 00:00:00
        new Date('2025-03-10T16:59:59Z'), // 10/03 23:59:59
        new Date('2025-03-10T17:00:00Z'), // 11/03 00:00:00
      ]);
      const times = async (filters: string) =>
        rowsOf((await adminAgent.get(`/audit?actor=${actor}&${filters}`).expect(200)).text).map(
          (row) => /(\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2})/.exec(row)![1],
        );
      expect(await times('from=2025-03-10&to=2025-03-10')).toEqual(['10/03/2025, 23:59:59', '10/03/2025, 00:00:00']);
      expect(await times('from=10%2F03%2F2025&to=10%2F03%2F2025')).toHaveLength(2);
      expect(await times('to=2025-03-09')).toEqual(['09/03/2025, 23:59:59']);
      expect(await times('from=2025-03-11')).toEqual(['11/03/2025, 00:00:00']);
      expect(await times('from=2025-03-09&to=2025-03-11')).toHaveLength(4);
    });

    it('pages through 50 events at a time, newest first, keeping the filters in the links', async () => {
      const actor = unique('pages');
      const start = Date.UTC(2025, 0, 1);
      await insertEvents(
        actor,
        Array.from({ length: 55 }, (_, i) => new Date(start + i * 60_000)),
      );
      const first = await adminAgent.get(`/audit?actor=${actor}`).expect(200);
      expect(rowsOf(first.text)).toHaveLength(50);
      expect(rowsOf(first.text)[0]).toContain('01/01/2025, 07:54:00');
      expect(first.text).toContain('Trang 1/2 · 55 mục');
      expect(pagerLink(first.text, 'next')).toBe(`?actor=${actor}&page=2`);
      expect(pagerLink(first.text, 'prev')).toBeNull();

      const second = await adminAgent.get(`/audit?actor=${actor}&page=2`).expect(200);
      expect(rowsOf(second.text)).toHaveLength(5);
      expect(rowsOf(second.text)[4]).toContain('01/01/2025, 07:00:00');
      expect(pagerLink(second.text, 'prev')).toBe(`?actor=${actor}&page=1`);
      expect(pagerLink(second.text, 'next')).toBeNull();

      const beyond = await adminAgent.get(`/audit?actor=${actor}&page=9`).expect(200);
      expect(rowsOf(beyond.text)).toHaveLength(0);
      await adminAgent.get(`/audit?actor=${actor}&page=abc`).expect(200);
    });
  });

  describe('bad filter input', () => {
    it('marks an unknown action next to the field and still applies the other filters', async () => {
      const page = await adminAgent.get(`/audit?action=client.stolen&actor=${ownWorker.username}`).expect(200);
      expect(fieldError(page.text, 'action')).toContain('Hành động không có trong danh sách');
      const rows = rowsOf(page.text);
      expect(rows.length).toBeGreaterThan(1);
      for (const row of rows) expect(row).toContain(ownWorker.username);
    });

    it('marks a malformed actor and does not filter on it', async () => {
      const page = await adminAgent.get(`/audit?actor=${encodeURIComponent("' OR 1=1 --")}`).expect(200);
      expect(fieldError(page.text, 'actor')).toContain('Tên đăng nhập không hợp lệ');
      expect(rowsOf(page.text).length).toBeGreaterThan(0);
      expect(page.text).toContain('value="&#x27; OR 1&#x3D;1 --"');
    });

    it.each(['2025-02-30', '2025-13-01', 'yesterday', '31/02/2025', '1999-01-01'])(
      'marks the impossible or out-of-range date %s and does not filter on it',
      async (day) => {
        const page = await adminAgent
          .get(`/audit?actor=${ownWorker.username}&from=${encodeURIComponent(day)}`)
          .expect(200);
        expect(fieldError(page.text, 'from')).toContain('Ngày không hợp lệ');
        expect(rowsOf(page.text).length).toBeGreaterThan(0);
      },
    );

    it('marks an end date before the start date and does not filter on it', async () => {
      const today = localDay(new Date());
      const page = await adminAgent.get(`/audit?actor=${ownWorker.username}&from=${today}&to=2025-01-01`).expect(200);
      expect(fieldError(page.text, 'to')).toContain('phải sau hoặc trùng');
      expect(fieldError(page.text, 'from')).toBeNull();
      expect(rowsOf(page.text).length).toBeGreaterThan(0);
    });

    it('marks a repeated parameter instead of failing', async () => {
      const page = await adminAgent
        .get(`/audit?action=auth.login&action=auth.logout&to=2025-01-01&to=2025-01-02`)
        .expect(200);
      expect(fieldError(page.text, 'action')).not.toBeNull();
      expect(fieldError(page.text, 'to')).not.toBeNull();
    });

    it('leaves a bad filter out of the pager links', async () => {
      const actor = unique('pagerbad');
      await insertEvents(
        actor,
        Array.from({ length: 51 }, (_, i) => new Date(Date.UTC(2025, 1, 1) + i * 1000)),
      );
      const page = await adminAgent.get(`/audit?actor=${actor}&action=nope`).expect(200);
      expect(pagerLink(page.text, 'next')).toBe(`?actor=${actor}&page=2`);
    });
  });

  describe('the trail is append-only in the database itself', () => {
    const eventRow = async (id: string) =>
      (await t.dataSource.query(`SELECT action, actor_name FROM audit_event WHERE id = $1`, [id]))[0] as
        { action: string; actor_name: string } | undefined;

    it('refuses UPDATE', async () => {
      const id = await latestEventId(ownWorker.userId, 'auth.login');
      const before = await eventRow(id);
      await expect(
        t.dataSource.query(`UPDATE audit_event SET actor_name = 'someone-else' WHERE id = $1`, [id]),
      ).rejects.toThrow(/append-only/);
      expect(await eventRow(id)).toEqual(before);
      expect(before?.actor_name).toBe(ownWorker.username);
    });

    it('refuses DELETE', async () => {
      const id = await latestEventId(ownWorker.userId, 'auth.login');
      const before = await eventRow(id);
      await expect(t.dataSource.query(`DELETE FROM audit_event WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
      expect(await eventRow(id)).toEqual(before);
    });

    it('refuses TRUNCATE', async () => {
      const count = async () => Number((await t.dataSource.query(`SELECT count(*) AS n FROM audit_event`))[0].n);
      const before = await count();
      await expect(t.dataSource.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only/);
      expect(await count()).toBe(before);
    });
  });
});
