import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser, logInAt } from '../helpers/browser.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('the admin SPA in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web` first');
    app = await startTestApp({ options: { webDist: WEB_DIST } });
    await app.waitForState('RUNNING');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context.close();
  });

  async function logIn() {
    await page.goto(app.url);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'System' }).waitFor();
  }

  it('sends an anonymous visitor to the login screen', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.url()).toMatch(/\/login/);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  });

  it('says so when the password is wrong, and clears it', async () => {
    await page.goto(`${app.url}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByLabel('Password').inputValue()).toBe('');
  });

  it('logs in, shows the demo appliance 8.1.0 running with its modules, and logs out', async () => {
    await logIn();
    await page.getByText('8.1.0', { exact: true }).first().waitFor();
    await expect.poll(() => page.locator('[data-state]').first().getAttribute('data-state')).toBe('RUNNING');
    for (const module of ['fax', 'callcenter', 'crm-connector']) await page.getByRole('cell', { name: module, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await expect.poll(() => page.url()).toMatch(/\/login/);
    // The session is gone on the server too: reloading the app lands on the login screen again.
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  });

  it('keeps the session of a login answered late, when an address is opened as soon as the login helper returns', async () => {
    // The login's request held back, as on a busy machine: a page left before its answer aborts it,
    // and the session cookie never arrives.
    await context.route('**/graphql', async (route) => {
      if (route.request().postData()?.includes('mutation Login')) await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await logInAt(page, app.url, '/updates', ADMIN_PASSWORD);
    await page.goto(`${app.url}/history`);
    await page.getByRole('heading', { name: 'History' }).waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).pathname).toBe('/history');
  });

  it('shows the live state change when the appliance restarts', async () => {
    await logIn();
    const badge = page.locator('[data-state]').first();
    await expect.poll(() => badge.getAttribute('data-state')).toBe('RUNNING');
    const admin = await app.admin();
    const restarted = admin.query('mutation { restartAppliance { __typename } }');
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 10_000, interval: 20 }).not.toBe('RUNNING');
    await restarted;
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 20_000 }).toBe('RUNNING');
  });

  it('switches the language to German and French, and remembers it', async () => {
    await logIn();
    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'Deutsch' });
    await page.getByRole('button', { name: 'Abmelden' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await page.getByRole('combobox', { name: 'Sprache' }).selectOption({ label: 'Français' });
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    await page.reload();
    await page.getByRole('combobox', { name: 'Langue' }).waitFor();
  });

  it('follows the browser language on a first visit', async () => {
    const german = await browser.newContext({ locale: 'de-DE' });
    try {
      const p = await german.newPage();
      await p.goto(`${app.url}/login`);
      await p.getByRole('combobox', { name: 'Sprache' }).waitFor();
    } finally {
      await german.close();
    }
  });
});
