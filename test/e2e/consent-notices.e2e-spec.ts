import { randomUUID } from 'node:crypto';
import { localDay } from '../../src/clock/clock';
import { ConsentNoticesService } from '../../src/consent-notices/consent-notices.service';
import { Agent, aPersona, createTestApp, loginAs, Persona, submit, TestApp, unique } from '../support/app';
import { aClient, aUic } from '../support/fixtures';

jest.setTimeout(120_000);

const LIST = '/admin/consent-notices';
const NEW = '/admin/consent-notices/new';

/** The message shown next to a field, or null when the field has none. */
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;

const inputValue = (html: string, field: string): string | null =>
  new RegExp(`name="${field}" type="[a-z]+" value="([^"]*)"`).exec(html)?.[1] ?? null;

const hiddenValue = (html: string, field: string): string | null =>
  new RegExp(`type="hidden" name="${field}" value="([^"]*)"`).exec(html)?.[1] ?? null;

const RENEWAL_BOX = 'data-testid="consent-renewal"';
const RENEW_BUTTON = 'data-testid="renew-consent"';

/** The month after today's, as a notice version (never publishable yet). */
const nextMonth = (today: string): string => {
  const [year, month] = today.split('-').map(Number);
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
};

describe('consent notice versions', () => {
  let t: TestApp;
  let admin: Persona;
  let manager: Persona;
  let worker: Persona;
  let outsider: Persona;
  let adminAgent: Agent;
  let managerAgent: Agent;
  let workerAgent: Agent;

  const notices = () => t.app.get(ConsentNoticesService);
  const currentVersion = async () => (await notices().current()).version;
  const today = () => localDay(t.clock.now());

  const noticeCount = async (): Promise<number> =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM consent_notice`))[0].n;

  const clientRow = async (id: string) =>
    (
      await t.dataSource.query(
        `SELECT consent_notice_version, consent_date::text AS consent_date, consent_worker_id FROM client WHERE id = $1`,
        [id],
      )
    )[0] as { consent_notice_version: string; consent_date: string; consent_worker_id: string | null };

  /** The version the publish form proposes (greater than the current one, this month). */
  const suggested = async (): Promise<string> => inputValue((await adminAgent.get(NEW).expect(200)).text, 'version')!;

  const publish = (agent: Agent, fields: Record<string, string>) => submit(agent, NEW, fields, LIST);

  /** Publishes a new version with texts that carry a marker, as an admin does. */
  async function publishNew(marker: string): Promise<string> {
    const version = await suggested();
    const res = await publish(adminAgent, {
      version,
      bodyVi: `Mục đích mới ${marker}.\r\n\r\nAi được xem: chỉ nhân viên của đơn vị.`,
      bodyEn: `New purpose ${marker}.\r\n\r\nWho sees it: only the staff of the organization.`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(LIST);
    return version;
  }

  /** The fields of a complete registration, as the form sends them. */
  async function registrationFields(agent: Agent, extra: Record<string, string> = {}) {
    const page = await agent.get('/clients/new').expect(200);
    return {
      ...aUic(),
      birthYear: '1990',
      gender: 'female',
      primaryDistrict: 'hoang-mai',
      workSetting: 'street',
      firstContactDate: today(),
      consent: '1',
      submissionKey: hiddenValue(page.text, 'submissionKey')!,
      noticeVersion: hiddenValue(page.text, 'noticeVersion')!,
      step: 'confirm',
      ...extra,
    };
  }

  const clientIdOf = (location: string | undefined): string => {
    const match = /^\/clients\/([0-9a-f-]{36})$/.exec(location ?? '');
    if (!match) throw new Error(`Not a client page: ${location}`);
    return match[1];
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await aPersona(t, 'admin');
    manager = await aPersona(t, 'manager');
    worker = await aPersona(t, 'social_worker', { organizationId: manager.organizationId });
    outsider = await aPersona(t, 'social_worker');
    adminAgent = await loginAs(t, admin);
    managerAgent = await loginAs(t, manager);
    workerAgent = await loginAs(t, worker);
  });

  afterAll(async () => {
    await t.close();
  });

  describe('admin pages', () => {
    it('lists the versions, newest first, and marks the current one', async () => {
      const page = await adminAgent.get(LIST).expect(200);
      const current = await currentVersion();
      expect(page.text).toContain('<title>Thông báo đồng ý · Nhịp Cầu</title>');
      const versions = [...page.text.matchAll(/data-testid="notice-([0-9-]+)"/g)].map((m) => m[1]);
      expect(versions[0]).toBe(current);
      expect(versions).toContain('2026-01');
      expect(page.text).toMatch(new RegExp(`data-testid="notice-${current}">[\\s\\S]*?data-testid="badge-current"`));
      expect(page.text.match(/data-testid="badge-current"/g)).toHaveLength(1);
    });

    it('shows a version in both languages; an unknown or malformed version answers 404', async () => {
      const page = await adminAgent.get(`${LIST}/2026-01`).expect(200);
      expect(page.text).toContain('Mục đích: ghi lại những lần chúng tôi gặp và hỗ trợ bạn');
      expect(page.text).toContain('Purpose: to record the times we meet and support you');
      expect(page.text).toContain('<title>Phiên bản thông báo · Nhịp Cầu</title>');
      await adminAgent.get(`${LIST}/2020-01`).expect(404);
      await adminAgent.get(`${LIST}/not-a-version`).expect(404);
    });

    it('refuses the pages to managers and workers, and publishes nothing for them', async () => {
      for (const agent of [managerAgent, workerAgent]) {
        await agent.get(LIST).expect(403);
        await agent.get(NEW).expect(403);
        // A route naming a record never confirms it exists (the permission guard's rule).
        await agent.get(`${LIST}/2026-01`).expect(404);
      }
      const before = await noticeCount();
      const res = await submit(managerAgent, NEW, { version: nextMonth(today()), bodyVi: 'x', bodyEn: 'y' }, '/');
      expect(res.status).toBe(403);
      expect(await noticeCount()).toBe(before);
    });

    it('offers the next version and the current texts to start from', async () => {
      const page = await adminAgent.get(NEW).expect(200);
      const current = await notices().current();
      const version = inputValue(page.text, 'version')!;
      expect(version.startsWith(today().slice(0, 7))).toBe(true);
      expect(version > current.version || version.length > current.version.length).toBe(true);
      expect(page.text).toContain(current.bodyVi.split('\n')[0]);
    });

    it('refuses bad versions and texts with a clear message, and publishes nothing', async () => {
      const before = await noticeCount();
      const current = await notices().current();
      const good = { version: await suggested(), bodyVi: 'Nội dung mới.', bodyEn: 'New text.' };
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ ...good, version: '2026/07' }, 'version', 'Hãy ghi phiên bản dạng YYYY-MM'],
        [{ ...good, version: '2026-07-1' }, 'version', 'Hãy ghi phiên bản dạng YYYY-MM'],
        [{ ...good, version: '' }, 'version', 'Vui lòng nhập mục này.'],
        [{ ...good, version: current.version }, 'version', 'Phiên bản phải lớn hơn phiên bản đang áp dụng'],
        [{ ...good, version: '2025-12' }, 'version', 'Phiên bản phải lớn hơn phiên bản đang áp dụng'],
        [{ ...good, version: nextMonth(today()) }, 'version', 'Phiên bản không được mang một tháng sau'],
        [{ ...good, bodyVi: '   ' }, 'bodyVi', 'Vui lòng nhập mục này.'],
        [{ ...good, bodyEn: '' }, 'bodyEn', 'Vui lòng nhập mục này.'],
        [{ ...good, bodyEn: 'x'.repeat(3001) }, 'bodyEn', 'Quá dài (tối đa 3000 ký tự).'],
        [{ ...good, bodyVi: current.bodyVi, bodyEn: current.bodyEn }, 'bodyVi', 'Nội dung giống hệt phiên bản'],
      ];
      for (const [fields, field, message] of cases) {
        const res = await publish(adminAgent, fields);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, field)).toContain(message);
      }
      expect(await noticeCount()).toBe(before);
      expect(await currentVersion()).toBe(current.version);
    });

    it('gives the messages in English with the English interface', async () => {
      const english = await loginAs(t, admin);
      await submit(english, '/lang', { lang: 'en', next: NEW }, NEW).then((r) => expect(r.status).toBe(303));
      const res = await publish(english, { version: '2026-7', bodyVi: '', bodyEn: 'New text.' });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'version')).toBe(
        'Write the version as YYYY-MM (e.g. 2026-07) or YYYY-MM-N with N from 2 to 99 (e.g. 2026-07-2).',
      );
      expect(fieldError(res.text, 'bodyVi')).toBe('Please fill in this field.');
      expect(res.text).toContain('<title>Publish a new version · Nhịp Cầu</title>');
    });
  });

  describe('registration', () => {
    it('shows the current notice and records its version', async () => {
      const current = await notices().current();
      const page = await workerAgent.get('/clients/new').expect(200);
      expect(page.text).toContain(current.bodyVi.split('\n')[0]);
      expect(hiddenValue(page.text, 'noticeVersion')).toBe(current.version);

      const res = await submit(workerAgent, '/clients', await registrationFields(workerAgent), '/clients');
      expect(res.status).toBe(303);
      const row = await clientRow(clientIdOf(res.headers.location));
      expect(row.consent_notice_version).toBe(current.version);
      expect(row.consent_worker_id).toBe(worker.userId);
    });
  });

  describe('after a new version is published', () => {
    let oldClientId: string;
    let previous: string;
    let published: string;
    let marker: string;
    let formOpenedBefore: Record<string, string>;

    beforeAll(async () => {
      previous = await currentVersion();
      oldClientId = (await aClient(t, worker)).id;
      formOpenedBefore = await registrationFields(workerAgent);
      marker = unique('dauhieu');
      published = await publishNew(marker);
    });

    it('makes it the current version, audited', async () => {
      expect(await currentVersion()).toBe(published);
      const list = await adminAgent.get(LIST).expect(200);
      expect(list.text).toContain('Đã công bố phiên bản mới của thông báo.');
      expect(list.text).toMatch(new RegExp(`data-testid="notice-${published}">[\\s\\S]*?data-testid="badge-current"`));
      expect(list.text).toContain(admin.username);
      const audit: Array<{ actor_user_id: string; organization_id: string | null; details: unknown }> =
        await t.dataSource.query(
          `SELECT actor_user_id, organization_id, details FROM audit_event
            WHERE action = 'consent_notice.published' AND target_id = $1`,
          [published],
        );
      expect(audit).toEqual([{ actor_user_id: admin.userId, organization_id: null, details: { replaced: previous } }]);
      // The text is stored one paragraph per line, whatever line breaks the browser sent.
      expect((await notices().get(published)).bodyVi).toBe(
        `Mục đích mới ${marker}.\nAi được xem: chỉ nhân viên của đơn vị.`,
      );
    });

    it('never changes a published version: the database refuses it', async () => {
      await expect(
        t.dataSource.query(`UPDATE consent_notice SET body_vi = 'x' WHERE version = $1`, [published]),
      ).rejects.toThrow(/never changed/);
      await expect(t.dataSource.query(`DELETE FROM consent_notice WHERE version = $1`, [published])).rejects.toThrow(
        /never changed/,
      );
    });

    it('flags a client who agreed to the older version on the client page and the contact form', async () => {
      const page = await workerAgent.get(`/clients/${oldClientId}`).expect(200);
      expect(page.text).toContain(RENEWAL_BOX);
      expect(page.text).toContain(`Mục đích mới ${marker}.`);
      expect(page.text).toContain(`action="/clients/${oldClientId}/consent"`);
      expect(page.text).toContain(RENEW_BUTTON);

      const form = await workerAgent.get(`/clients/${oldClientId}/contacts/new`).expect(200);
      expect(form.text).toContain(RENEWAL_BOX);
      expect(form.text).toContain(`Mục đích mới ${marker}.`);
      expect(hiddenValue(form.text, 'from')).toBe('contact');
    });

    it('shows the flag to a manager without the means to record consent', async () => {
      const page = await managerAgent.get(`/clients/${oldClientId}`).expect(200);
      expect(page.text).toContain(RENEWAL_BOX);
      expect(page.text).not.toContain(RENEW_BUTTON);
      const res = await submit(
        managerAgent,
        `/clients/${oldClientId}/consent`,
        { noticeVersion: published },
        `/clients/${oldClientId}`,
      );
      expect(res.status).toBe(404); // refused by permission, on a route that names a record
      expect((await clientRow(oldClientId)).consent_notice_version).toBe(previous);
    });

    it('answers 404 to a worker of another organization, and changes nothing', async () => {
      const agent = await loginAs(t, outsider);
      const res = await submit(agent, `/clients/${oldClientId}/consent`, { noticeVersion: published }, '/clients');
      expect(res.status).toBe(404);
      expect((await clientRow(oldClientId)).consent_notice_version).toBe(previous);
    });

    it('refuses a renewal for a notice that is no longer the current one, changing nothing', async () => {
      const res = await submit(
        workerAgent,
        `/clients/${oldClientId}/consent`,
        { noticeVersion: previous },
        `/clients/${oldClientId}`,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${oldClientId}`);
      const page = await workerAgent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Một phiên bản thông báo mới hơn vừa được công bố');
      expect(page.text).toContain(RENEWAL_BOX);
      expect((await clientRow(oldClientId)).consent_notice_version).toBe(previous);
    });

    it('records the renewed consent from the contact form, audited, and clears the flag', async () => {
      const res = await submit(
        workerAgent,
        `/clients/${oldClientId}/consent`,
        { noticeVersion: published, from: 'contact' },
        `/clients/${oldClientId}/contacts/new`,
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/clients/${oldClientId}/contacts/new`);
      const form = await workerAgent.get(res.headers.location).expect(200);
      expect(form.text).toContain('Đã ghi nhận sự đồng ý của khách hàng với thông báo đang áp dụng.');
      expect(form.text).not.toContain(RENEWAL_BOX);

      expect(await clientRow(oldClientId)).toEqual({
        consent_notice_version: published,
        consent_date: today(),
        consent_worker_id: worker.userId,
      });
      const audit: Array<{ details: unknown }> = await t.dataSource.query(
        `SELECT details FROM audit_event WHERE action = 'client.updated' AND target_id = $1`,
        [oldClientId],
      );
      expect(audit).toEqual([{ details: { consentRenewed: published } }]);

      const page = await workerAgent.get(`/clients/${oldClientId}`).expect(200);
      expect(page.text).not.toContain(RENEWAL_BOX);
      expect(page.text).toContain(`Phiên bản thông báo: ${published}`);

      // Sent twice (a double tap): nothing more is written.
      await submit(workerAgent, `/clients/${oldClientId}/consent`, { noticeVersion: published }, '/clients');
      expect(
        (
          await t.dataSource.query(
            `SELECT count(*)::int AS n FROM audit_event WHERE action = 'client.updated' AND target_id = $1`,
            [oldClientId],
          )
        )[0].n,
      ).toBe(1);
    });

    it('does not flag a client registered under the current version', async () => {
      const client = await aClient(t, worker);
      expect(client.consentNoticeVersion).toBe(published);
      const page = await workerAgent.get(`/clients/${client.id}`).expect(200);
      expect(page.text).not.toContain(RENEWAL_BOX);
    });

    it('refuses a registration whose form showed the replaced notice, registering nobody', async () => {
      expect(formOpenedBefore.noticeVersion).toBe(previous);
      const before = (
        await t.dataSource.query(`SELECT count(*)::int AS n FROM client WHERE organization_id = $1`, [
          worker.organizationId,
        ])
      )[0].n;
      const res = await submit(workerAgent, '/clients', formOpenedBefore, '/clients');
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'consent')).toContain('Một phiên bản thông báo mới vừa được công bố.');
      expect(res.text).toContain(`Mục đích mới ${marker}.`);
      expect(hiddenValue(res.text, 'noticeVersion')).toBe(published);
      const after = (
        await t.dataSource.query(`SELECT count(*)::int AS n FROM client WHERE organization_id = $1`, [
          worker.organizationId,
        ])
      )[0].n;
      expect(after).toBe(before);

      // Sent again from the new page (the worker read the new notice): registered under it.
      const again = await submit(
        workerAgent,
        '/clients',
        { ...formOpenedBefore, noticeVersion: published, submissionKey: randomUUID() },
        '/clients',
      );
      expect(again.status).toBe(303);
      expect((await clientRow(clientIdOf(again.headers.location))).consent_notice_version).toBe(published);
    });

    it('shows the English texts with the English interface', async () => {
      const english = await loginAs(t, worker);
      await submit(english, '/lang', { lang: 'en', next: '/clients/new' }, '/clients/new');
      const registration = await english.get('/clients/new').expect(200);
      expect(registration.text).toContain(`New purpose ${marker}.`);
      expect(registration.text).not.toContain(`Mục đích mới ${marker}.`);
      expect(registration.text).toContain(`Notice version: ${published}`);

      const old = await aClient(t, worker);
      // Registered before the next version: published by the admin now, so this client is flagged.
      const next = await publishNew(unique('marker'));
      const page = await english.get(`/clients/${old.id}`).expect(200);
      expect(page.text).toContain('Renew consent at this contact');
      expect(page.text).toContain(`The client agreed to notice version ${published}; the current version is ${next}.`);
      expect(page.text).toContain('The client heard it and agreed: record');
    });
  });
});
