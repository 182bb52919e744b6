import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { localDay } from '../../src/clock/clock';
import { providerNameKey } from '../../src/providers/service-provider.entity';
import type { Domain, ReferralStatus } from '../../src/reference/codes';
import { UsersService } from '../../src/users/users.service';
import { Agent, anOrganization, aPersona, createTestApp, loginAs, Persona, TestApp, unique } from '../support/app';
import { auditRowsFor } from '../support/audit';
import { aClient, addDays, erase } from '../support/fixtures';

jest.setTimeout(120_000);

const PAGE = '/review/referrals';

/** A cell's text as a reader sees it. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
const cellsOf = (row: string) => [...row.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((m) => text(m[1]));
const linesOf = (html: string) =>
  [...html.matchAll(/<tr data-testid="review-line">([\s\S]*?)<\/tr>/g)].map((m) => cellsOf(m[1]));
const totalsOf = (html: string) =>
  cellsOf(/<tr data-testid="review-totals"[^>]*>([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '');
const listedOf = (html: string) =>
  [...html.matchAll(/<tr data-testid="review-referral">([\s\S]*?)<\/tr>/g)].map((m) => m[1]);
const fieldError = (html: string, field: string): string | null =>
  new RegExp(`id="${field}-error" class="invalid-feedback[^"]*">([^<]*)<`).exec(html)?.[1] ?? null;
const inputValue = (html: string, field: string): string | null =>
  new RegExp(`name="${field}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? null;
const periodOf = (html: string) => text(/data-testid="review-period">([^<]*)</.exec(html)?.[1] ?? '');
const pagerLink = (html: string, rel: 'next' | 'prev', after = 0) =>
  new RegExp(`href="([^"]*)" rel="${rel}"`)
    .exec(html.slice(after))?.[1]
    ?.replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&') ?? null;

const HEALTH = 'Y tế – sức khỏe';
const HIV_TESTING = 'Xét nghiệm HIV';
const LEGAL = 'Trợ giúp pháp lý';
const NO_PROVIDER = 'Chưa ghi cơ sở';

describe('referral review', () => {
  let t: TestApp;
  let own: string;
  let granted: string;
  let foreign: string;
  let workerA: Persona;
  let workerB: Persona;
  let workerC: Persona;
  let manager: Persona;
  let agent: Agent;

  /** A provider of the directory, inserted as the admin pages would. */
  const aProvider = async (name = unique('Phòng khám')) => {
    const [row] = (await t.dataSource.query(
      `INSERT INTO service_provider (name, name_key, domains, service_types)
       VALUES ($1, $2, $3::varchar[], $4::varchar[]) RETURNING id`,
      [name, providerNameKey(name), ['health', 'legal'], ['hiv_testing', 'prep', 'legal_aid', 'documents']],
    )) as Array<{ id: string }>;
    return { id: row.id, name };
  };

  interface Made {
    domain?: Domain;
    serviceType?: string;
    providerId?: string | null;
    referredOn: string;
    status?: ReferralStatus;
    /** Days from referral to completion (completed referrals). */
    days?: number;
    noteCipher?: string;
  }

  /** `times` referrals of the client, inserted as facts (the referral pages are tested on their own). */
  const referrals = async (client: Client, times: number, made: Made): Promise<string[]> => {
    const ids: string[] = [];
    const status = made.status ?? 'referred';
    const completedOn = status === 'completed' ? addDays(made.referredOn, made.days ?? 0) : null;
    for (let n = 0; n < times; n++) {
      const [row] = (await t.dataSource.query(
        `INSERT INTO referral (client_id, organization_id, domain, service_type, provider_id, referred_on, status,
           status_on, completed_on, verification, note_cipher, last_activity_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now()) RETURNING id`,
        [
          client.id,
          client.organizationId,
          made.domain ?? 'health',
          made.serviceType ?? 'hiv_testing',
          made.providerId ?? null,
          made.referredOn,
          status,
          completedOn ?? made.referredOn,
          completedOn,
          completedOn ? 'provider_confirmed' : null,
          made.noteCipher ?? null,
        ],
      )) as Array<{ id: string }>;
      ids.push(row.id);
    }
    return ids;
  };

  const review = async (query: Record<string, string | string[]>, as = agent) => {
    const response = await as.get(PAGE).query(query);
    expect(response.status).toBe(200);
    return response.text;
  };
  const year = (y: number, extra: Record<string, string> = {}) => ({
    from: `${y}-01-01`,
    to: `${y}-12-31`,
    ...extra,
  });

  beforeAll(async () => {
    t = await createTestApp();
    own = (await anOrganization(t, 'Own organization')).id;
    granted = (await anOrganization(t, 'Granted organization')).id;
    foreign = (await anOrganization(t, 'Foreign organization')).id;
    workerA = await aPersona(t, 'social_worker', { organizationId: own });
    workerB = await aPersona(t, 'social_worker', { organizationId: granted });
    workerC = await aPersona(t, 'social_worker', { organizationId: foreign });
    manager = await aPersona(t, 'manager', { organizationId: own });
    await t.app.get(UsersService).update(cliContext(), manager.userId, {
      role: 'manager',
      organizationId: own,
      grantedOrganizationIds: [granted],
    });
    agent = await loginAs(t, manager);
  });

  afterAll(() => t.close());

  it('shows referrals made, counts per status, share completed and median days for each line and in total', async () => {
    const clinic = await aProvider();
    const client = await aClient(t, workerA);
    const erased = await aClient(t, workerA);
    for (let days = 1; days <= 6; days++) {
      const who = days === 6 ? erased : client;
      await referrals(who, 1, { providerId: clinic.id, referredOn: '2019-03-01', status: 'completed', days });
    }
    await referrals(client, 5, { providerId: clinic.id, referredOn: '2019-05-01', noteCipher: 'v1:note-marker' });
    await referrals(client, 5, {
      domain: 'legal',
      serviceType: 'legal_aid',
      referredOn: '2019-07-01',
      status: 'declined',
    });
    // An erased client's referrals stay as anonymous facts: still counted, listed without a client link.
    await erase(t, erased);

    const html = await review(year(2019, { organization: own }));
    expect(periodOf(html)).toBe('Chuyển gửi từ 01/01/2019 đến 31/12/2019');
    expect(linesOf(html)).toEqual([
      [HEALTH, HIV_TESTING, clinic.name, '11', '5', '0', '6', '0', '0', '0', '0', '55%', '3,5'],
      [LEGAL, LEGAL, NO_PROVIDER, '5', '0', '0', '0', '5', '0', '0', '0', '0%', '—'],
    ]);
    expect(totalsOf(html)).toEqual(['Tổng cộng', '16', '5', '0', '6', '5', '0', '0', '0', '38%', '3,5']);
    const listed = listedOf(html);
    expect(listed).toHaveLength(16);
    expect(listed.filter((row) => row.includes(`href="/clients/${client.id}"`))).toHaveLength(15);
    expect(listed.filter((row) => row.includes('Đã xóa dữ liệu') && !row.includes('/clients/'))).toHaveLength(1);
    expect(html).not.toContain('note-marker');
  });

  it('hides counts from 1 to k−1 as <k, with a complementary cell, and the shares and medians beside them', async () => {
    const clinic = await aProvider();
    const other = await aProvider();
    const client = await aClient(t, workerA);
    await referrals(client, 3, { providerId: clinic.id, referredOn: '2020-02-01', status: 'completed', days: 2 });
    await referrals(client, 7, { providerId: clinic.id, referredOn: '2020-02-01' });
    await referrals(client, 6, {
      serviceType: 'prep',
      providerId: other.id,
      referredOn: '2020-03-01',
      status: 'completed',
      days: 4,
    });
    await referrals(client, 8, { serviceType: 'prep', providerId: other.id, referredOn: '2020-03-01' });

    const html = await review(year(2020, { organization: own }));
    // The 3 is small; 7 would give it away in its line (10 − 7), then 6 and 8 in their columns.
    expect(linesOf(html)).toEqual([
      [HEALTH, HIV_TESTING, clinic.name, '10', '<5', '0', '<5', '0', '0', '0', '0', '—', '—'],
      [HEALTH, 'Dự phòng trước phơi nhiễm (PrEP)', other.name, '14', '<5', '0', '<5', '0', '0', '0', '0', '—', '—'],
    ]);
    expect(totalsOf(html)).toEqual(['Tổng cộng', '24', '15', '0', '9', '0', '0', '0', '0', '38%', '4']);
    expect(html).toContain('được hiển thị là “&lt;5”');
  });

  it("counts the granted organizations' referrals but lists only the own organization's", async () => {
    const clinic = await aProvider();
    const mine = await aClient(t, workerA);
    const theirs = await aClient(t, workerB);
    const theirsToo = await aClient(t, workerB);
    const outside = await aClient(t, workerC);
    await referrals(mine, 5, { providerId: clinic.id, referredOn: '2022-04-01' });
    await referrals(theirs, 5, { providerId: clinic.id, referredOn: '2022-04-02' });
    await referrals(theirsToo, 6, {
      domain: 'legal',
      serviceType: 'documents',
      providerId: clinic.id,
      referredOn: '2022-04-03',
      status: 'cancelled',
    });
    await referrals(outside, 7, { providerId: clinic.id, referredOn: '2022-04-04' });

    const all = await review(year(2022));
    expect(linesOf(all).map((line) => line.slice(0, 4))).toEqual([
      [HEALTH, HIV_TESTING, clinic.name, '10'],
      [LEGAL, 'Giấy tờ tùy thân, hộ tịch', clinic.name, '6'],
    ]);
    expect(totalsOf(all)[1]).toBe('16');
    expect(listedOf(all)).toHaveLength(5);
    expect(listedOf(all).every((row) => row.includes(mine.displayCode!))).toBe(true);
    for (const code of [theirs.displayCode!, theirsToo.displayCode!, outside.displayCode!])
      expect(all).not.toContain(code);

    const grantedOnly = await review(year(2022, { organization: granted }));
    expect(linesOf(grantedOnly).map((line) => line[3])).toEqual(['5', '6']);
    expect(listedOf(grantedOnly)).toEqual([]);
    expect(grantedOnly).toContain('data-testid="review-list-other"');
    expect(grantedOnly).not.toContain(mine.displayCode!);

    // An organization that is not granted is refused next to the filter, and never counted.
    const refused = await review(year(2022, { organization: foreign }));
    expect(fieldError(refused, 'organization')).toBe('Vui lòng chọn một đơn vị trong danh sách.');
    expect(totalsOf(refused)[1]).toBe('16');
    expect(refused).not.toContain(foreign);
  });

  it("does not let the own organization's list give another organization's small count away", async () => {
    const clinic = await aProvider();
    const other = await aProvider();
    const mine = await aClient(t, workerA);
    const theirs = await aClient(t, workerB);
    await referrals(mine, 7, { providerId: clinic.id, referredOn: '2024-05-01' });
    await referrals(theirs, 3, { providerId: clinic.id, referredOn: '2024-05-02' });
    await referrals(mine, 5, { serviceType: 'prep', providerId: other.id, referredOn: '2024-05-03' });
    await referrals(theirs, 6, { serviceType: 'prep', providerId: other.id, referredOn: '2024-05-04' });

    // 10 alone is no small count, but the manager lists their own 7 below: 10 − 7 would show the other 3.
    const html = await review(year(2024));
    expect(listedOf(html)).toHaveLength(12);
    expect(linesOf(html).map((line) => line.slice(3, 5))).toEqual([
      ['<5', '<5'],
      ['<5', '<5'],
    ]);
    expect(totalsOf(html).slice(1, 3)).toEqual(['21', '21']);
  });

  it('filters by client district, domain and status', async () => {
    const clinic = await aProvider();
    const central = await aClient(t, workerA, { primaryDistrict: 'hoan-kiem' });
    const west = await aClient(t, workerA, { primaryDistrict: 'ba-dinh' });
    await referrals(central, 5, { providerId: clinic.id, referredOn: '2023-01-10', status: 'completed', days: 3 });
    await referrals(central, 5, { domain: 'legal', serviceType: 'legal_aid', referredOn: '2023-02-10' });
    await referrals(west, 6, { providerId: clinic.id, referredOn: '2023-03-10', status: 'declined' });

    const byDistrict = await review(year(2023, { district: 'ba-dinh' }));
    expect(linesOf(byDistrict)).toEqual([
      [HEALTH, HIV_TESTING, clinic.name, '6', '0', '0', '0', '6', '0', '0', '0', '0%', '—'],
    ]);
    expect(listedOf(byDistrict).every((row) => row.includes(west.displayCode!))).toBe(true);

    const byDomain = await review(year(2023, { domain: 'legal' }));
    expect(linesOf(byDomain).map((line) => line.slice(0, 4))).toEqual([[LEGAL, LEGAL, NO_PROVIDER, '5']]);

    const byStatus = await review(year(2023, { status: 'completed' }));
    expect(linesOf(byStatus)).toEqual([
      [HEALTH, HIV_TESTING, clinic.name, '5', '0', '0', '5', '0', '0', '0', '0', '100%', '3'],
    ]);
    expect(inputValue(byStatus, 'from')).toBe('2023-01-01');
    expect(byStatus).toMatch(/<option value="completed" selected>/);
  });

  it('shows a message next to a bad filter and applies the others', async () => {
    const client = await aClient(t, workerA);
    await referrals(client, 5, { referredOn: '2018-05-01' });
    await referrals(client, 6, { domain: 'legal', serviceType: 'legal_aid', referredOn: '2018-06-01' });
    const html = await review(
      year(2018, { district: 'atlantis', domain: 'space', status: 'lost-in-space', organization: 'not-an-id' }),
    );
    expect(fieldError(html, 'district')).toBe('Vui lòng chọn một địa bàn trong danh sách.');
    expect(fieldError(html, 'domain')).toBe('Vui lòng chọn một lĩnh vực trong danh sách.');
    expect(fieldError(html, 'status')).toBe('Vui lòng chọn một trạng thái trong danh sách.');
    expect(fieldError(html, 'organization')).toBe('Vui lòng chọn một đơn vị trong danh sách.');
    // The period still applies: both lines of 2018, nothing else.
    expect(totalsOf(html)[1]).toBe('11');
    expect(inputValue(html, 'district')).toBeNull(); // a select: the bad value is not kept as an option

    const today = localDay(t.clock.now());
    const defaultPeriod = `Chuyển gửi từ 01/01/${today.slice(0, 4)} đến ${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`;
    const badDays = await review({ from: '2023-02-30', to: 'yesterday' });
    expect(fieldError(badDays, 'from')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
    expect(fieldError(badDays, 'to')).toBe('Ngày không hợp lệ (dd/mm/yyyy).');
    expect(periodOf(badDays)).toBe(defaultPeriod);

    const reversed = await review({ from: '2023-12-31', to: '2023-01-01' });
    expect(fieldError(reversed, 'to')).toBe(
      'Ngày bắt đầu phải trước ngày kết thúc. Đang hiển thị khoảng thời gian mặc định.',
    );
    expect(periodOf(reversed)).toBe(defaultPeriod);

    const repeated = await review({ from: ['2023-01-01', '2023-02-01'], page: 'x', listPage: '-1' });
    expect(fieldError(repeated, 'from')).toBe('Giá trị lọc không hợp lệ.');
  });

  it('takes 1 January of the current year to today when no period is given', async () => {
    const today = localDay(t.clock.now());
    const client = await aClient(t, workerA);
    await referrals(client, 5, { serviceType: 'prep', referredOn: today });
    await referrals(client, 5, {
      domain: 'legal',
      serviceType: 'documents',
      referredOn: addDays(`${today.slice(0, 4)}-01-01`, -1),
    });

    const html = await review({});
    expect(inputValue(html, 'from')).toBe(`${today.slice(0, 4)}-01-01`);
    expect(inputValue(html, 'to')).toBe(today);
    expect(linesOf(html).map((line) => line.slice(0, 4))).toEqual([
      [HEALTH, 'Dự phòng trước phơi nhiễm (PrEP)', NO_PROVIDER, '5'],
    ]);
  });

  it('pages the lines and the list separately, keeping the filters', async () => {
    const client = await aClient(t, workerA);
    const suffix = unique('x');
    for (let n = 1; n <= 27; n++) {
      const provider = await aProvider(`Cơ sở ${String(n).padStart(2, '0')} ${suffix}`);
      await referrals(client, 5, { providerId: provider.id, referredOn: '2021-06-01' });
    }
    const filters = year(2021, { organization: own });
    const first = await review(filters);
    expect(linesOf(first)).toHaveLength(25);
    expect(linesOf(first)[0][2]).toBe(`Cơ sở 01 ${suffix}`);
    expect(totalsOf(first)[1]).toBe('135');
    expect(listedOf(first)).toHaveLength(25);

    const next = pagerLink(first, 'next')!;
    expect(next).toContain('organization=');
    expect(next).toContain('from=2021-01-01');
    expect(next).toContain('page=2');
    const second = await agent.get(`${PAGE}${next}`).expect(200);
    expect(linesOf(second.text).map((line) => line[2])).toEqual([`Cơ sở 26 ${suffix}`, `Cơ sở 27 ${suffix}`]);
    expect(totalsOf(second.text)[1]).toBe('135');

    // The list's own pager keeps the lines' page.
    const listNext = pagerLink(second.text, 'next', second.text.indexOf('data-testid="review-list"'))!;
    expect(listNext).toContain('listPage=2');
    expect(listNext).toContain('page=2');
    const listSecond = await agent.get(`${PAGE}${listNext}`).expect(200);
    expect(listedOf(listSecond.text)).toHaveLength(25);
    expect(linesOf(listSecond.text)).toHaveLength(2);
    expect(listSecond.text).toContain('Trang 2/6 · 135 mục');
  });

  it('answers 403 to social workers, peer coordinators and admins', async () => {
    for (const role of ['social_worker', 'peer_coordinator', 'admin'] as const) {
      const persona = await aPersona(t, role, { organizationId: own });
      await (await loginAs(t, persona)).get(PAGE).expect(403);
    }
  });

  it('records the view in the audit trail with the names of the filters, never their values', async () => {
    await review(year(2019, { organization: own, domain: 'health', status: 'bogus' }));
    const rows = await auditRowsFor(t.dataSource, manager.userId);
    const viewed = rows.filter((row) => row.action === 'referral.review_viewed').at(-1)!;
    expect(viewed).toMatchObject({ outcome: 'success', organization_id: own });
    expect(viewed.details).toEqual({ filters: ['from', 'to', 'organization', 'domain'], page: 1, listPage: 1 });
    expect(JSON.stringify(viewed.details)).not.toContain('2019');
    expect(JSON.stringify(viewed.details)).not.toContain(own);
  });
});
