import type { Browser } from 'playwright-core';
import { cliContext } from '../../src/audit/audit.service';
import { localDay } from '../../src/clock/clock';
import { ProvidersService } from '../../src/providers/providers.service';
import { aPersona, TestApp, unique } from '../support/app';
import { artifactPath, BrowserSuite, fitsTheScreen, PHONE, signIn, startBrowserSuite } from '../support/browser';
import { aClient } from '../support/fixtures';

jest.setTimeout(90_000);

describe('a referral followed to its outcome, in the browser', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ t, browser, baseUrl } = suite);
  });
  afterAll(() => suite?.close());

  it('refers a client, prints the slip, lets the provider confirm without an account, and shows the referral completed', async () => {
    const worker = await aPersona(t, 'social_worker');
    const client = await aClient(t, worker, { primaryDistrict: 'cau-giay' });
    const provider = await t.app.get(ProvidersService).create(cliContext(), {
      name: unique('Phòng khám thân thiện'),
      domains: ['health'],
      serviceTypes: ['hiv_testing'],
      districtCode: 'cau-giay',
      address: '12 Phố Mẫu',
      phone: '024 0000 1111',
      openingHours: 'Thứ 2–6, 8:00–17:00',
      kpFriendly: true,
      active: true,
      needsReview: false,
      sample: false,
    });

    // A directory entry with a long name and address that have no space to wrap at must still fit a phone.
    await t.app.get(ProvidersService).create(cliContext(), {
      name: unique(`TrungTâm${'YTếCộngĐồng'.repeat(8)}`),
      domains: ['health'],
      serviceTypes: ['hiv_testing'],
      districtCode: 'cau-giay',
      address: 'Số1Ngõ2Ngách3Hẻm4'.repeat(6),
      phone: null,
      openingHours: null,
      kpFriendly: false,
      active: true,
      needsReview: false,
      sample: false,
    });

    // The worker, on a phone.
    const workerContext = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    const page = await workerContext.newPage();
    await signIn(page, baseUrl, worker);
    await page.goto(`${baseUrl}/clients/${client.id}`);
    await page.getByTestId('new-referral').click();
    await page.waitForURL(`${baseUrl}/clients/${client.id}/referrals/new`);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.getByRole('link', { name: 'Xét nghiệm HIV' }).click();
    await expect(page.getByTestId('service-type').textContent()).resolves.toBe('Xét nghiệm HIV');
    await page.getByLabel(new RegExp(provider.name)).check();
    const appointment = localDay(new Date(t.clock.now().getTime() + 3 * 24 * 3600 * 1000));
    await page.getByLabel('Ngày hẹn').fill(appointment);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('referral-form-360.png'), fullPage: true });
    await page.getByRole('button', { name: 'Lưu chuyển gửi' }).click();
    await page.waitForURL(/\/referrals\/[0-9a-f-]{36}$/);
    const referralUrl = page.url();
    await expect(page.getByTestId('referral-status').getAttribute('data-status')).resolves.toBe('scheduled');

    // The slip: printable, and it carries the codes the provider needs.
    await page.getByTestId('slip-link').click();
    await page.waitForURL(/\/slip$/);
    const slipCode = (await page.getByTestId('slip-code').textContent())!.trim();
    const pin = (await page.getByTestId('slip-pin').textContent())!.trim();
    await expect(page.getByTestId('slip-display-code').textContent()).resolves.toBe(client.displayCode);
    await page.emulateMedia({ media: 'print' });
    // Printed, the menu and the buttons are gone: only the slip is on the paper.
    await expect(page.locator('header.app-header').isVisible()).resolves.toBe(false);
    await expect(page.getByRole('button', { name: 'In', exact: true }).isVisible()).resolves.toBe(false);
    await page.screenshot({ path: artifactPath('referral-slip-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect(await page.pdf({ format: 'A4' })).toBeInstanceOf(Buffer);

    // The provider, in another browser, with no account.
    const providerContext = await browser.newContext({ locale: 'vi-VN' });
    const providerPage = await providerContext.newPage();
    await providerPage.goto(`${baseUrl}/confirm`);
    await providerPage.getByLabel('Mã chuyển gửi').fill(slipCode);
    await providerPage.getByLabel('Mã PIN (6 chữ số)').fill(pin);
    await providerPage.getByLabel('Ngày cung cấp dịch vụ').fill(localDay(t.clock.now()));
    await providerPage.getByRole('button', { name: 'Xác nhận' }).click();
    await expect(providerPage.getByTestId('confirmed').textContent()).resolves.toContain('đã được ghi nhận');
    const providerHtml = await providerPage.content();
    expect(providerHtml).not.toContain(client.displayCode!);
    await providerContext.close();

    // Back to the worker: the referral is completed, confirmed by the provider.
    await page.goto(referralUrl);
    await expect(page.getByTestId('referral-status').getAttribute('data-status')).resolves.toBe('completed');
    await expect(page.getByTestId('completed-on').textContent()).resolves.toContain('Cơ sở tiếp nhận xác nhận');
    await expect(page.getByTestId('referral-history').textContent()).resolves.toContain('Cơ sở tiếp nhận xác nhận');
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('referral-completed-360.png'), fullPage: true });
    await workerContext.close();
  });
});
