import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Browser, chromium, Page } from 'playwright-core';
import { createTestApp, Persona, TestApp } from './app';

/** Debian's chromium (installed by .ci/run; `apt-get install chromium` on a developer machine). Never a downloaded browser. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];

export async function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((p) => existsSync(p));
  if (!executablePath) {
    throw new Error('Chromium is not installed: run `apt-get install -y chromium` (see README, "Tests").');
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Screenshots are kept as test artifacts (not committed). */
export function artifactPath(name: string): string {
  const dir = join(__dirname, '..', '..', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

export const PHONE = { width: 360, height: 740 };

/** The app listening on a free local port, and a Chromium to drive it: one per browser test file. */
export interface BrowserSuite {
  t: TestApp;
  browser: Browser;
  baseUrl: string;
  close: () => Promise<void>;
}

export async function startBrowserSuite(): Promise<BrowserSuite> {
  const t = await createTestApp();
  await t.app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await t.close(); // or the listening app keeps Jest from ever exiting
    throw error;
  }
  return {
    t,
    browser,
    baseUrl,
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/**
 * Signs a persona without two-factor in through the sign-in page, and waits for the home page.
 * It waits for the sign-in answer itself and then only for the home page's document (not for every
 * stylesheet), and when the answer is not the redirect home it says what came instead.
 */
export async function signIn(page: Page, baseUrl: string, persona: Persona): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Tên đăng nhập').fill(persona.username);
  await page.getByLabel('Mật khẩu').fill(persona.password);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.getByRole('button', { name: 'Đăng nhập', exact: true }).click(),
  ]);
  const location = answer.headers()['location'];
  if (answer.status() !== 303 || location !== '/') {
    throw new Error(`Sign-in of ${persona.role} answered ${answer.status()} ${location ?? '(no redirect)'}`);
  }
  await page.waitForURL(`${baseUrl}/`, { waitUntil: 'domcontentloaded' });
}

/** Nothing wider than the screen (evaluated in the page: a string, so the test needs no DOM types). */
export const fitsTheScreen = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
