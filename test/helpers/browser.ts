/**
 * Debian's Chromium driven by playwright-core, with the flags this sandbox needs (no sandbox as
 * root, no background networking: nothing but loopback is reachable here).
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Opens `path` (which needs a session) and logs in as admin through the login screen; returns once
 * the login screen has handed over to `path`. Not as soon as the button is clicked: the session
 * cookie comes with the login's answer, and an address opened before it arrives aborts the request
 * (the browser drops a page's fetches when it leaves the page), so that page opens without a
 * session, on the login screen.
 */
export async function logInAt(page: Page, baseUrl: string, path: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname === path);
}

/** A new English page, logged in as admin on `path` (see `logInAt`). */
export async function loggedInPage(browser: Browser, baseUrl: string, path: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await logInAt(page, baseUrl, path, password);
  return page;
}

/**
 * One browser for a test file, and what each case opened (browser contexts, apps), closed after
 * it: registers the vitest hooks in the calling `describe`.
 */
export function browserCases(): { readonly browser: Browser; contexts: BrowserContext[]; apps: { close(): Promise<void> }[] } {
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  const apps: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('the browser is launched in beforeAll');
      return browser;
    },
    contexts,
    apps,
  };
}
