import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { localDay } from '../../src/clock/clock';
import { GroupsService } from '../../src/groups/groups.service';
import type { MemberRole } from '../../src/reference/codes';
import { aPersona, Persona, TestApp } from '../support/app';
import { artifactPath, BrowserSuite, fitsTheScreen, PHONE, signIn, startBrowserSuite } from '../support/browser';
import { actorOf, addDays, aClient } from '../support/fixtures';

jest.setTimeout(90_000);

/**
 * What logging a usual session may cost a coordinator on a phone, from the home page, counting every
 * tap and every field typed into: the menu, the group, the button, three members, the others, the
 * outreach box, a topic, save.
 */
const MAX_INTERACTIONS = 10;

describe('logging a group session on a phone', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let today: string;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ t, browser, baseUrl } = suite);
    today = localDay(t.clock.now());
  });
  afterAll(() => suite?.close());

  /** A group run by the coordinator, with members registered by a social worker of the organization. */
  const aGroupWithMembers = async (coordinator: Persona, roles: MemberRole[]) => {
    const manager = await aPersona(t, 'manager', { organizationId: coordinator.organizationId });
    const worker = await aPersona(t, 'social_worker', { organizationId: coordinator.organizationId });
    const groups = t.app.get(GroupsService);
    const group = await groups.create(
      actorOf(manager),
      cliContext(),
      {
        name: 'Câu lạc bộ Hoa Sen',
        kind: 'club',
        districtCode: 'hoang-mai',
        foundedOn: addDays(today, -365),
        active: true,
        coordinatorIds: [coordinator.userId],
      },
      randomUUID(),
    );
    const members: Client[] = [];
    for (const role of roles) {
      const client = await aClient(t, worker, { primaryDistrict: 'hoang-mai' });
      const outcome = await groups.addMember(
        actorOf(manager),
        cliContext(),
        group,
        { kind: 'code', displayCode: client.displayCode! },
        { role, joinedOn: addDays(today, -100), submissionKey: randomUUID() },
      );
      if (outcome.kind !== 'added') throw new Error(outcome.messageKey);
      members.push(client);
    }
    return { group, members };
  };

  const memberBox = (page: Page, client: Client) => page.getByLabel(client.displayCode!, { exact: false });

  it('goes from the home page to a saved session in a few taps, every page within a 360-px screen', async () => {
    const coordinator = await aPersona(t, 'peer_coordinator');
    const { group, members } = await aGroupWithMembers(coordinator, ['member', 'member', 'leader', 'member']);
    const [a, b, leader, absent] = members;
    const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    const page = await context.newPage();
    await signIn(page, baseUrl, coordinator);

    const steps: string[] = [];
    const tap = async (what: string, target: Locator) => {
      steps.push(`tap ${what}`);
      await target.click();
    };
    const type = async (what: string, target: Locator, text: string) => {
      steps.push(`type ${what}`);
      await target.fill(text);
    };
    const started = Date.now();

    await tap('menu: groups', page.getByRole('link', { name: 'Nhóm', exact: true }));
    await page.waitForURL(`${baseUrl}/groups`);
    expect(await fitsTheScreen(page)).toBe(true);

    await tap('the group', page.getByRole('link', { name: group.name }));
    await page.waitForURL(`${baseUrl}/groups/${group.id}`);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('group-page-360.png'), fullPage: true });

    await tap('log a session', page.getByRole('link', { name: 'Ghi buổi sinh hoạt' }));
    await page.waitForURL(`${baseUrl}/groups/${group.id}/sessions/new`);
    // Today, a usual length, a regular meeting led by the coordinator: nothing to change for the usual session.
    await expect(page.getByLabel('Ngày sinh hoạt').inputValue()).resolves.toBe(today);
    await expect(page.getByLabel('Loại buổi sinh hoạt').inputValue()).resolves.toBe('regular_meeting');
    await expect(page.getByLabel('Thời lượng (phút)').inputValue()).resolves.toBe('90');
    await expect(page.getByLabel(coordinator.username).isChecked()).resolves.toBe(true);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('session-form-360.png'), fullPage: true });

    const attendance = page.getByTestId('attendance');
    await tap('member present', attendance.getByLabel(a.displayCode!));
    await tap('member present', attendance.getByLabel(b.displayCode!));
    await tap('member present', attendance.getByLabel(leader.displayCode!));
    await type('others', page.getByLabel('Số người khác tham dự'), '2');
    await tap('counts as outreach', page.getByLabel('Tính là lượt tiếp cận'));
    await tap('topic: condom use', page.getByLabel('Sử dụng bao cao su'));
    await tap('save', page.getByRole('button', { name: 'Lưu buổi sinh hoạt' }));

    await page.waitForURL(new RegExp(`${baseUrl}/groups/sessions/[0-9a-f-]{36}$`));
    const elapsed = Date.now() - started;
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Đã ghi buổi sinh hoạt nhóm.');
    await expect(page.getByTestId('session-attendance').textContent()).resolves.toBe(
      '5 người: 3 thành viên, 2 người khác',
    );
    const present = await page.getByTestId('present').textContent();
    for (const member of [a, b, leader]) expect(present).toContain(member.displayCode);
    expect(present).not.toContain(absent.displayCode);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('session-after-save-360.png'), fullPage: true });

    console.log(
      `Session path: ${steps.length} interactions (${steps.join(', ')}); ${elapsed} ms of automated browsing`,
    );
    expect(steps.length).toBeLessThanOrEqual(MAX_INTERACTIONS);

    const contacts = await t.dataSource.query<Array<{ client_id: string; modality: string; worker_id: string }>>(
      `SELECT client_id, modality, worker_id FROM contact
        WHERE client_id = ANY($1::uuid[]) AND deleted_at IS NULL AND contact_date = $2`,
      [members.map((m) => m.id), today],
    );
    expect(contacts.map((c) => c.client_id).sort()).toEqual([a.id, b.id, leader.id].sort());
    expect(contacts.every((c) => c.modality === 'group' && c.worker_id === coordinator.userId)).toBe(true);

    // Back on the group page the session is listed, and the member pages stay within the screen too.
    await page.getByRole('link', { name: group.name }).click();
    await page.waitForURL(`${baseUrl}/groups/${group.id}`);
    await expect(page.getByTestId('session-list').textContent()).resolves.toContain('Sinh hoạt định kỳ');
    expect(await fitsTheScreen(page)).toBe(true);
    await page.getByRole('link', { name: a.displayCode!, exact: true }).first().click();
    await page.waitForURL(`${baseUrl}/groups/members/${a.id}`);
    await expect(page.getByTestId('attended').textContent()).resolves.toContain('Sinh hoạt định kỳ');
    expect(await fitsTheScreen(page)).toBe(true);
    await context.close();
  });

  it('adds a member by the code on their card, and records their leaving, within a 360-px screen', async () => {
    const coordinator = await aPersona(t, 'peer_coordinator');
    const { group } = await aGroupWithMembers(coordinator, ['member']);
    const worker = await aPersona(t, 'social_worker', { organizationId: coordinator.organizationId });
    const newcomer = await aClient(t, worker);
    const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    const page = await context.newPage();
    await signIn(page, baseUrl, coordinator);
    await page.goto(`${baseUrl}/groups/${group.id}`);
    await page.getByRole('link', { name: 'Thêm thành viên' }).click();
    await page.waitForURL(`${baseUrl}/groups/${group.id}/members/new`);
    expect(await fitsTheScreen(page)).toBe(true);
    await page
      .getByRole('textbox', { name: 'Mã khách hàng' })
      .fill(newcomer.displayCode!.replace('-', ' ').toLowerCase());
    await page.getByRole('button', { name: 'Thêm vào nhóm' }).click();
    await page.waitForURL(`${baseUrl}/groups/${group.id}`);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Đã thêm thành viên vào nhóm.');
    const row = page.getByTestId('member-row').filter({ hasText: newcomer.displayCode! });
    await row.getByRole('link', { name: 'Vai trò, rời nhóm' }).click();
    await page.waitForURL(new RegExp(`${baseUrl}/groups/${group.id}/members/[0-9a-f-]{36}$`));
    expect(await fitsTheScreen(page)).toBe(true);
    await page.getByText('Ghi nhận rời nhóm').click();
    await page.getByRole('button', { name: 'Xác nhận rời nhóm' }).click();
    await page.waitForURL(`${baseUrl}/groups/${group.id}`);
    await expect(page.getByTestId('members').textContent()).resolves.not.toContain(newcomer.displayCode!);
    await page.getByText('Thành viên đã rời nhóm').click();
    await expect(page.getByTestId('former-members').textContent()).resolves.toContain(newcomer.displayCode!);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('group-members-360.png'), fullPage: true });
    await context.close();
  });

  it('shows what is missing next to the field on the phone, keeping what was ticked, and saves nothing', async () => {
    const coordinator = await aPersona(t, 'peer_coordinator');
    const { group, members } = await aGroupWithMembers(coordinator, ['member', 'peer_educator']);
    const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    const page = await context.newPage();
    await signIn(page, baseUrl, coordinator);
    await page.goto(`${baseUrl}/groups/${group.id}/sessions/new`);
    await memberBox(page, members[0]).first().check();
    await page.getByLabel('Thời lượng (phút)').fill('0');
    await page.getByLabel('Ghi chú về buổi sinh hoạt (không bắt buộc)').fill('Số của chị ấy 0912345678');
    await page.getByRole('button', { name: 'Lưu buổi sinh hoạt' }).click();
    await expect(page.locator('#durationMinutes-error').textContent()).resolves.toBe('Nhập số phút, từ 1 đến 720.');
    await expect(page.locator('#note-error').textContent()).resolves.toContain('Không ghi số điện thoại');
    await expect(page.getByTestId('attendance').getByLabel(members[0].displayCode!).isChecked()).resolves.toBe(true);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('session-form-errors-360.png'), fullPage: true });
    const stored = await t.dataSource.query<unknown[]>(`SELECT id FROM group_session WHERE group_id = $1`, [group.id]);
    expect(stored).toHaveLength(0);
    await context.close();
  });
});
