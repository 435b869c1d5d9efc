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

/** Opens `path` in a new English page and logs in as admin through the login screen. */
export async function loggedInPage(browser: Browser, baseUrl: string, path: string, password: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
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
