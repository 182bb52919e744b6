import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { authenticator } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AssessmentsService } from '../../src/assessments/assessments.service';
import { cliContext } from '../../src/audit/audit.service';
import { localDay } from '../../src/clock/clock';
import { ContactsService } from '../../src/contacts/contacts.service';
import { ProvidersService } from '../../src/providers/providers.service';
import type { Domain } from '../../src/reference/codes';
import { ReferralsService } from '../../src/referrals/referrals.service';
import { anOrganization, aPersona, Persona, TestApp, unique } from '../support/app';
import { artifactPath, BrowserSuite, PHONE, startBrowserSuite } from '../support/browser';
import { aClient, actorOf, addDays } from '../support/fixtures';

jest.setTimeout(120_000);

const DESKTOP = { width: 1280, height: 900 };
const DISTRICTS = ['hoan-kiem', 'ba-dinh', 'dong-da'];
const CLIENTS = 24;
const CSV_HEADER = 'indicator,period_start,period_end,district,domain,numerator,denominator,value';

const pad = (n: number) => String(n).padStart(2, '0');
const ddmmyyyy = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/**
 * Evaluated in the page (strings, so the test needs no DOM types). The reach chart is drawn when Chart.js
 * has made a chart of the canvas, the canvas has a size, and some of its pixels are painted.
 */
const REACH_CHART_DRAWN = `(() => {
  const canvas = document.getElementById('reach-chart');
  if (!canvas || typeof Chart === 'undefined' || !Chart.getChart(canvas)) return false;
  if (canvas.width === 0 || canvas.height === 0) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
})()`;

interface DrawnChart {
  type: string;
  labels: string[];
  reach: Array<number | null>;
  /** Points Chart.js laid out and drew for the reach line (hidden months are gaps it skips). */
  placedPoints: number;
  cssWidth: number;
  cssHeight: number;
  /** Share of the canvas's pixels that are painted (0..1). */
  painted: number;
}

const REACH_CHART = `(() => {
  const canvas = document.getElementById('reach-chart');
  const chart = Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  const points = chart.getDatasetMeta(0).data;
  return {
    type: chart.config.type,
    labels: chart.data.labels,
    reach: chart.data.datasets[0].data,
    placedPoints: points.filter((p) => !p.skip && Number.isFinite(p.x) && Number.isFinite(p.y)).length,
    cssWidth: canvas.clientWidth,
    cssHeight: canvas.clientHeight,
    painted: painted / (pixels.length / 4),
  };
})()`;

const ACCESS_CHART_DRAWN = `(() => {
  const canvas = document.getElementById('access-chart');
  return !!canvas && typeof Chart !== 'undefined' && !!Chart.getChart(canvas) && canvas.width > 0 && canvas.height > 0;
})()`;

/** Every CSP violation the page meets, recorded before any script of the page runs. */
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '(inline)'));
  });`;

describe('the indicator dashboard in the browser', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  let organizationId: string;
  let today: string;
  let year: number;
  /** Every (client, day) met, as `YYYY-MM-DD` days: what reach_contacts counts (MISSION §5). */
  const clientDays: string[] = [];

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ t, browser, baseUrl } = suite);
    today = localDay(t.clock.now());
    year = Number(today.slice(0, 4));
    organizationId = (await anOrganization(t, unique('Nhóm Hoa Sen'))).id;
    await seedProgram();
  });
  afterAll(() => suite?.close());

  /** The contexts a test opened, closed after it whatever happened. */
  let opened: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(opened.map((context) => context.close()));
    opened = [];
  });

  /**
   * A small living program, by the same services as the pages:
   *  - 24 clients, 8 in each of three districts, all assessed on 15/01 of last year as needing health
   *    care (eligible), every other one (12, four per district) also legal aid;
   *  - last year: each client met once, two clients a month (so January and February's running totals,
   *    2 and 4, are small and hidden);
   *  - this year: each client met today, and most a week or more earlier (client i: 7·(i+1) days ago,
   *    when that is still this year);
   *  - this year's referrals, made today: health for clients 0–17 (0–13 completed today), legal aid for
   *    the twelve legal ones (0, 2, …, 10 completed today).
   */
  async function seedProgram(): Promise<void> {
    const worker = await aPersona(t, 'social_worker', { organizationId });
    const actor = actorOf(worker);
    const providers = t.app.get(ProvidersService);
    const provider = (domain: Domain, serviceType: string) =>
      providers.create(cliContext(), {
        name: unique(domain === 'health' ? 'Phòng khám Bình Minh' : 'Văn phòng trợ giúp pháp lý'),
        domains: [domain],
        serviceTypes: [serviceType],
        districtCode: 'hoan-kiem',
        address: '1 Phố Mẫu',
        phone: null,
        openingHours: null,
        kpFriendly: true,
        active: true,
        needsReview: false,
        sample: false,
      });
    const clinic = await provider('health', 'hiv_testing');
    const lawyers = await provider('legal', 'legal_aid');
    const contacts = t.app.get(ContactsService);
    const assessments = t.app.get(AssessmentsService);
    const referrals = t.app.get(ReferralsService);
    const firstDay = `${year - 1}-01-15`;

    for (let i = 0; i < CLIENTS; i++) {
      const district = DISTRICTS[i % DISTRICTS.length];
      const client = await aClient(t, worker, { primaryDistrict: district, firstContactDate: firstDay });
      const lastYear = `${year - 1}-${pad((i % 12) + 1)}-20`;
      const earlier = addDays(today, -7 * (i + 1));
      const days = [lastYear, today, ...(earlier >= `${year}-01-01` ? [earlier] : [])];
      for (const day of days) {
        await contacts.record(
          actor,
          cliContext(),
          client,
          {
            contactDate: day,
            modality: 'street',
            districtCode: district,
            topics: ['condoms'],
            condoms: 2,
            lubricants: 0,
            hivSelfTests: 0,
            note: null,
          },
          randomUUID(),
        );
        clientDays.push(day);
      }
      const legal = i % 2 === 0;
      await assessments.record(
        actor,
        cliContext(),
        client.id,
        {
          assessedOn: firstDay,
          answers: [
            { domain: 'health', need: 'yes', eligible: 'yes' },
            { domain: 'legal', need: legal ? 'yes' : 'no', eligible: 'yes' },
          ],
          violence: null,
        },
        randomUUID(),
      );
      const refer = async (domain: Domain, serviceType: string, providerId: string, completed: boolean) => {
        const referral = await referrals.create(
          actor,
          cliContext(),
          client,
          { domain, serviceType, providerId, referredOn: today, appointmentOn: null, note: null },
          randomUUID(),
        );
        if (completed) {
          await referrals.changeStatus(actor, cliContext(), referral.id, referral.version, {
            status: 'completed',
            statusOn: today,
            appointmentOn: null,
            verification: 'provider_confirmed',
            note: null,
          });
        }
      };
      if (i < 18) await refer('health', 'hiv_testing', clinic.id, i < 14);
      if (legal) await refer('legal', 'legal_aid', lawyers.id, i < 12);
    }
  }

  /** The reach of a year, month by month, as the chart and its table must show it (small totals hidden). */
  const cumulativeReach = (of: number, lastMonth: number) => {
    let running = 0;
    return Array.from({ length: lastMonth }, (_, m) => {
      const month = `${of}-${pad(m + 1)}`;
      running += clientDays.filter((d) => d.startsWith(month)).length;
      return { month, value: running > 0 && running < 5 ? null : running };
    });
  };
  const reachIn = (of: number) => clientDays.filter((d) => d.startsWith(`${of}-`)).length;

  interface Watched {
    context: BrowserContext;
    page: Page;
    /**
     * Console errors (Chromium also reports every CSP violation there), uncaught page errors and failed
     * responses, of every page opened, as they come.
     */
    problems: string[];
    /** The CSP violations of the page now open (as its scripts report them). */
    cspViolations: () => Promise<string[]>;
  }

  /** A fresh browser context whose page reports every console error, page error, failed response and CSP violation. */
  const watchedPage = async (viewport: { width: number; height: number }): Promise<Watched> => {
    const context = await browser.newContext({ viewport, locale: 'vi-VN', acceptDownloads: true });
    opened.push(context);
    await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('requestfailed', (request) => {
      // A download is taken over by the browser: not a failure.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`failed: ${request.url()}`);
    });
    return {
      context,
      page,
      problems,
      cspViolations: () => page.evaluate<string[]>('window.__cspViolations || []'),
    };
  };

  /** A manager through both factors: password, then the authenticator code. */
  const signInAsManager = async (page: Page, manager: Persona) => {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Tên đăng nhập').fill(manager.username);
    await page.getByLabel('Mật khẩu').fill(manager.password);
    const [password] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
      page.getByRole('button', { name: 'Đăng nhập', exact: true }).click(),
    ]);
    expect({ status: password.status(), location: password.headers()['location'] }).toEqual({
      status: 303,
      location: '/login/totp',
    });
    await page.waitForURL(`${baseUrl}/login/totp`, { waitUntil: 'domcontentloaded' });
    await page.getByLabel('Mã xác thực').fill(authenticator.generate(manager.totpSecret!));
    const [second] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login/totp'),
      page.getByRole('button', { name: 'Xác nhận' }).click(),
    ]);
    expect({ status: second.status(), location: second.headers()['location'] }).toEqual({ status: 303, location: '/' });
    await page.waitForURL(`${baseUrl}/`, { waitUntil: 'domcontentloaded' });
  };

  /** Waits for both charts of the dashboard to be drawn, then reads the reach chart. */
  const drawnReachChart = async (page: Page): Promise<DrawnChart> => {
    await page.waitForFunction(REACH_CHART_DRAWN);
    await page.waitForFunction(ACCESS_CHART_DRAWN);
    return page.evaluate<DrawnChart>(REACH_CHART);
  };

  /** The reach table beside the chart, row by row: month, cumulative reach as shown, target line. */
  const reachTable = async (page: Page) =>
    (await page.getByTestId('reach-table').locator('tbody tr').allInnerTexts()).map((row) =>
      row.split('\t').map((cell) => cell.trim()),
    );

  /** The chart and its accessible table tell the same numbers: those of the seeded contacts. */
  const expectReachShown = async (page: Page, of: number, lastMonth: number) => {
    const expected = cumulativeReach(of, lastMonth);
    const chart = await drawnReachChart(page);
    expect(chart.type).toBe('line');
    expect(chart.labels).toEqual(expected.map((m) => m.month));
    expect(chart.reach).toEqual(expected.map((m) => m.value));
    expect(chart.placedPoints).toBe(expected.filter((m) => m.value !== null).length);
    expect(chart.cssWidth).toBeGreaterThan(0);
    expect(chart.cssHeight).toBeGreaterThan(0);
    expect(chart.painted).toBeGreaterThan(0.001);
    const rows = await reachTable(page);
    expect(rows.map((r) => r.slice(0, 2))).toEqual(
      expected.map((m) => [m.month, m.value === null ? '<5' : String(m.value)]),
    );
    return chart;
  };

  const figure = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.trim();

  /** The access table's row of a domain: used, needing, rate. */
  const accessRow = async (page: Page, domain: string) =>
    (await page.getByTestId('access-table').locator(`tr[data-domain="${domain}"] td`).allInnerTexts()).map((c) =>
      c.trim(),
    );

  const noHorizontalScroll = (page: Page) =>
    page.evaluate<number>('document.scrollingElement.scrollWidth').then((width) => width <= page.viewportSize()!.width);

  const expectNothingWrong = async (watched: Watched) => {
    expect(await watched.cspViolations()).toEqual([]);
    expect(watched.problems).toEqual([]);
  };

  /** The year's dashboard, checked the same way at every width. */
  const checkDashboardOfTheYear = async (page: Page) => {
    await page.goto(`${baseUrl}/indicators`);
    await expect(page.title()).resolves.toBe('Chỉ số · Nhịp Cầu');
    // Chart.js comes from the app itself (node_modules, served under /static/vendor), never a CDN.
    await expect(page.locator('script[src$="chart.umd.min.js"]').getAttribute('src')).resolves.toBe(
      '/static/vendor/chart.js/chart.umd.min.js',
    );
    await expect(figure(page, 'indicator-period')).resolves.toContain(
      `Từ ${ddmmyyyy(`${year}-01-01`)} đến ${ddmmyyyy(`${year}-12-31`)}`,
    );
    const chart = await expectReachShown(page, year, Number(today.slice(5, 7)));
    await expect(figure(page, 'reach-achieved')).resolves.toBe(`${reachIn(year)} / 500`);
    await expect(figure(page, 'headline-reach')).resolves.toBe(String(reachIn(year)));
    await expect(figure(page, 'headline-reached')).resolves.toBe(String(CLIENTS));
    await expect(figure(page, 'headline-made')).resolves.toBe('30');
    await expect(figure(page, 'headline-completed')).resolves.toBe('20');
    // Access: 14 of the 24 needing health care used it, 6 of the 12 needing legal aid; overall, 14 of the
    // 24 who needed something used a service they needed.
    await expect(accessRow(page, 'health')).resolves.toEqual(['14', '24', '58.3%']);
    await expect(accessRow(page, 'legal')).resolves.toEqual(['6', '12', '50.0%']);
    await expect(accessRow(page, 'ALL')).resolves.toEqual(['14', '24', '58.3%']);
    await expect(figure(page, 'access-value')).resolves.toMatch(/^58\.3%/);
    // The district table: eight clients reached in each of the three districts, 24 in all.
    const districtTable = page.getByTestId('district-table');
    for (const district of DISTRICTS) {
      const cells = await districtTable.locator(`tr[data-district="${district}"] td`).allInnerTexts();
      expect(cells[1].trim()).toBe('8');
    }
    await expect(page.getByTestId('outcomes-domain').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('outcomes-provider').isVisible()).resolves.toBe(true);
    return chart;
  };

  /** Picks last year in the period picker: the address, the period line, the figures and the chart follow. */
  const chooseLastYear = async (page: Page) => {
    const filters = page.getByRole('form', { name: 'Chọn kỳ báo cáo' });
    await filters.getByLabel('Kỳ', { exact: true }).selectOption(String(year - 1));
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/indicators' && url.searchParams.get('period') === String(year - 1)),
      filters.getByRole('button', { name: 'Xem', exact: true }).click(),
    ]);
    await expect(figure(page, 'indicator-period')).resolves.toContain(
      `Từ ${ddmmyyyy(`${year - 1}-01-01`)} đến ${ddmmyyyy(`${year - 1}-12-31`)}`,
    );
    await expect(page.getByLabel('Kỳ', { exact: true }).inputValue()).resolves.toBe(String(year - 1));
    // Last year: 24 contacts, two a month; nobody used a service yet.
    await expectReachShown(page, year - 1, 12);
    await expect(figure(page, 'headline-reach')).resolves.toBe(String(CLIENTS));
    await expect(figure(page, 'reach-achieved')).resolves.toBe(`${CLIENTS} / 500`);
    await expect(figure(page, 'headline-made')).resolves.toBe('0');
    await expect(accessRow(page, 'health')).resolves.toEqual(['0', '24', '0.0%']);
  };

  it('draws the dashboard on a 1280-px screen, follows the period picker, prints the report and downloads the CSV', async () => {
    const manager = await aPersona(t, 'manager', { organizationId });
    const watched = await watchedPage(DESKTOP);
    const { page } = watched;
    await signInAsManager(page, manager);

    const chart = await checkDashboardOfTheYear(page);
    expect(chart.cssWidth).toBeGreaterThan(600);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: artifactPath('indicators-dashboard-1280.png'), fullPage: true });
    await expectNothingWrong(watched);

    // The export form downloads the CSV of the shown period, with the columns of MISSION §6.
    const exportForm = page.getByTestId('export-form');
    await expect(exportForm.getByLabel('CSV').isChecked()).resolves.toBe(true);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exportForm.getByRole('button', { name: 'Tải về', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`indicators_${year}-01-01_${year}-12-31.csv`);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines).toContain(`reach_contacts,${year}-01-01,${year}-12-31,ALL,ALL,${reachIn(year)},,${reachIn(year)}`);
    expect(lines).toContain(`access_rate,${year}-01-01,${year}-12-31,ALL,health,14,24,0.5833`);
    const [audited] = await t.dataSource.query(
      `SELECT details FROM audit_event WHERE action = 'indicators.exported' AND actor_user_id = $1`,
      [manager.userId],
    );
    expect(audited.details).toMatchObject({ format: 'csv', suppressed: true });

    // The printable report of the same period, with its author and date.
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/indicators/report' && url.searchParams.get('period') === `${year}`),
      page.getByTestId('report-link').click(),
    ]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Báo cáo kết quả thực hiện');
    const meta = (await page.getByTestId('report-meta').textContent())!;
    expect(meta).toContain(manager.username);
    expect(meta).toContain(`Từ ${ddmmyyyy(`${year}-01-01`)} đến ${ddmmyyyy(`${year}-12-31`)}`);
    expect(meta).toContain(ddmmyyyy(today));
    const targets = page.getByTestId('report-targets');
    await expect(targets.locator('tbody tr').count()).resolves.toBeGreaterThanOrEqual(10);
    await expect(targets.locator('tbody tr').first().innerText()).resolves.toMatch(
      new RegExp(`${reachIn(year)}\\s+500`),
    );
    await expect(page.getByTestId('district-table').isVisible()).resolves.toBe(true);
    await page.emulateMedia({ media: 'print' });
    // On paper: no menu, no buttons, only the report.
    await expect(page.locator('header.app-header').isVisible()).resolves.toBe(false);
    await expect(page.getByRole('button', { name: 'In', exact: true }).isVisible()).resolves.toBe(false);
    await page.screenshot({ path: artifactPath('indicators-report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect(await page.pdf({ format: 'A4' })).toBeInstanceOf(Buffer);
    await expectNothingWrong(watched);

    // Back to the dashboard, and another period.
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/indicators'),
      page.getByRole('link', { name: 'Quay lại trang chỉ số' }).click(),
    ]);
    await chooseLastYear(page);
    await page.screenshot({ path: artifactPath('indicators-dashboard-last-year-1280.png'), fullPage: true });
    await expectNothingWrong(watched);
  });

  it('draws the same dashboard within a 360-px phone screen, and follows the period picker there too', async () => {
    const manager = await aPersona(t, 'manager', { organizationId });
    const watched = await watchedPage(PHONE);
    const { page } = watched;
    await signInAsManager(page, manager);

    const chart = await checkDashboardOfTheYear(page);
    expect(chart.cssWidth).toBeLessThanOrEqual(PHONE.width);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: artifactPath('indicators-dashboard-360.png'), fullPage: true });
    await expectNothingWrong(watched);

    await chooseLastYear(page);
    expect(await noHorizontalScroll(page)).toBe(true);

    await page.goto(`${baseUrl}/indicators/report?period=${year}`);
    await expect(page.getByTestId('report-meta').textContent()).resolves.toContain(manager.username);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: artifactPath('indicators-report-360.png'), fullPage: true });
    await expectNothingWrong(watched);
  });
});
