import { authenticator } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { aPersona, Persona, TestApp } from '../support/app';
import { artifactPath, BrowserSuite, fitsTheScreen, PHONE, startBrowserSuite } from '../support/browser';

jest.setTimeout(60_000);

describe('signing in on a phone', () => {
  let suite: BrowserSuite;
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    suite = await startBrowserSuite();
    ({ t, browser, baseUrl } = suite);
  });
  afterAll(() => suite?.close());

  const newPhonePage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'vi-VN' });
    return context.newPage();
  };

  const signIn = async (page: Page, persona: Persona) => {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Tên đăng nhập').fill(persona.username);
    await page.getByLabel('Mật khẩu').fill(persona.password);
    // Wait for the answer to the form itself, so a refusal shows up here with its message.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${baseUrl}/login` && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Đăng nhập', exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
    return response.status();
  };

  it('signs a social worker in, switches to English and shows the home page, within a 360-px screen', async () => {
    const worker = await aPersona(t, 'social_worker');
    const page = await newPhonePage();
    await signIn(page, worker);
    await page.waitForURL(`${baseUrl}/`);
    await expect(page.title()).resolves.toBe('Trang chủ · Nhịp Cầu');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(
      `Xin chào, ${worker.username}`,
    );
    expect(await fitsTheScreen(page)).toBe(true);

    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(`Hello, ${worker.username}`);
    await expect(page.title()).resolves.toBe('Home · Nhịp Cầu');
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('home-360.png'), fullPage: true });

    // The choice is remembered: a new visit to the sign-in page stays in English.
    await page.goto(`${baseUrl}/login`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
  });

  it('takes a manager through the second factor before the home page', async () => {
    const manager = await aPersona(t, 'manager');
    const page = await newPhonePage();
    expect(await signIn(page, manager)).toBe(303);
    await page.waitForURL(`${baseUrl}/login/totp`);
    await page.getByLabel('Mã xác thực').fill(authenticator.generate(manager.totpSecret!));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await expect(page.getByRole('link', { name: 'Nhật ký truy cập' }).isVisible()).resolves.toBe(true);
    expect(await fitsTheScreen(page)).toBe(true);
    await page.screenshot({ path: artifactPath('manager-home-360.png'), fullPage: true });
  });

  it('shows the wrong-password message next to the form and keeps the username', async () => {
    const worker = await aPersona(t, 'social_worker');
    const page = await newPhonePage();
    await signIn(page, { ...worker, password: 'not-the-right-one' });
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    await expect(page.getByLabel('Tên đăng nhập').inputValue()).resolves.toBe(worker.username);
  });
});
