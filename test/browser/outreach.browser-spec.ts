import type { Browser, Locator } from 'playwright-core';
import { aPersona, TestApp } from '../support/app';
import { aClient } from '../support/fixtures';
import { artifactPath, BrowserSuite, fitsTheScreen, PHONE, signIn, startBrowserSuite } from '../support/browser';

jest.setTimeout(60_000);

/** What the quick path may cost a worker in the street, counting every tap and every field typed into. */
const MAX_INTERACTIONS = 8;

describe('recording a contact on a phone', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ t, browser, baseUrl } = suite);
  });
  afterAll(() => suite?.close());

  it('goes from the home page to a saved contact in a few taps, every page within a 360-px screen', async () => {
    const worker = await aPersona(t, 'social_worker');
    const client = await aClient(t, worker, { primaryDistrict: 'hoang-mai' });
    const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    const page = await context.newPage();
    await signIn(page, baseUrl, worker);

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

    // Home → the clients page, through the menu.
    await tap('menu: clients', page.getByRole('link', { name: 'Khách hàng', exact: true }));
    await page.waitForURL(`${baseUrl}/clients`);
    expect(await fitsTheScreen(page)).toBe(true);

    // The display code, as the client shows it on their card.
    await type('display code', page.getByLabel('Mã khách hàng', { exact: true }), client.displayCode!);
    await tap('find', page.getByRole('button', { name: 'Tìm', exact: true }));
    await page.waitForURL(`${baseUrl}/clients/${client.id}`);
    expect(await fitsTheScreen(page)).toBe(true);

    await tap('record a contact', page.getByRole('link', { name: 'Ghi nhận lượt tiếp cận' }));
    await page.waitForURL(`${baseUrl}/clients/${client.id}/contacts/new`);
    // Today, in the street, in the client's district: nothing to change for the usual contact.
    await expect(page.getByTestId('client-code').textContent()).resolves.toBe(client.displayCode);
    await expect(page.getByLabel('Hình thức').inputValue()).resolves.toBe('street');
    await expect(page.getByLabel('Địa bàn').inputValue()).resolves.toBe('hoang-mai');
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('contact-form-360.png'), fullPage: true });

    await tap('topic: condom use', page.getByLabel('Sử dụng bao cao su'));
    await type('condoms', page.getByLabel('Bao cao su', { exact: true }), '12');
    await tap('save', page.getByRole('button', { name: 'Lưu', exact: true }));

    await page.waitForURL(`${baseUrl}/clients/${client.id}`);
    const elapsed = Date.now() - started;
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Đã ghi nhận lượt tiếp cận.');
    const timeline = page.getByTestId('contact-timeline');
    await expect(timeline.textContent()).resolves.toContain('Sử dụng bao cao su');
    await expect(timeline.textContent()).resolves.toMatch(/Bao cao su × 12/);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('client-after-contact-360.png'), fullPage: true });

    console.log(
      `Quick contact path: ${steps.length} interactions (${steps.join(', ')}); ${elapsed} ms of automated browsing`,
    );
    expect(steps.length).toBeLessThanOrEqual(MAX_INTERACTIONS);

    const stored = await t.dataSource.query<Array<{ condoms: number; topics: string[]; worker_id: string }>>(
      `SELECT condoms, topics, worker_id FROM contact WHERE client_id = $1 AND deleted_at IS NULL`,
      [client.id],
    );
    expect(stored).toEqual([{ condoms: 12, topics: ['condoms'], worker_id: worker.userId }]);

    // The lists stay within the screen too (the table scrolls inside its box).
    for (const path of ['/contacts/mine', '/contacts']) {
      await page.goto(`${baseUrl}${path}`);
      await expect(page.getByTestId('contact-client').first().textContent()).resolves.toBe(client.displayCode);
      expect(await fitsTheScreen(page)).toBe(true);
    }
    await page.screenshot({ path: artifactPath('contacts-list-360.png'), fullPage: true });
    await context.close();
  });

  it('shows a refused note next to the field on the phone, keeping what was typed', async () => {
    const worker = await aPersona(t, 'social_worker');
    const client = await aClient(t, worker, { primaryDistrict: 'hoang-mai' });
    const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    const page = await context.newPage();
    await signIn(page, baseUrl, worker);
    await page.goto(`${baseUrl}/clients/${client.id}/contacts/new`);
    await page.getByLabel('Ghi chú (không bắt buộc)').fill('số của chị ấy 0912345678');
    await page.getByLabel('Bao cao su', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect(page.locator('#note-error').textContent()).resolves.toContain('Không ghi số điện thoại');
    await expect(page.getByLabel('Bao cao su', { exact: true }).inputValue()).resolves.toBe('3');
    expect(await fitsTheScreen(page)).toBe(true);
    const stored = await t.dataSource.query<unknown[]>(`SELECT id FROM contact WHERE client_id = $1`, [client.id]);
    expect(stored).toHaveLength(0);
    await context.close();
  });
});
