/**
 * The Maintenance page in Chromium: the admin sets a window in the appliance's zone (Berlin) from a
 * browser in New York, sees it in the week, and reads the next three occurrences in both local times.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/adapters/clock.js';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser } from '../helpers/browser.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('maintenance windows in Chromium', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is missing: run `npm run build:web` first');
    // Tuesday 1 December 2026, 13:00 in Berlin.
    const now = new Date('2026-12-01T12:00:00Z');
    app = await startTestApp({
      env: { PATCHBAY_TIME_ZONE: 'UTC' },
      options: { webDist: WEB_DIST, clock: { ...systemClock, now: () => now } },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sets a window across midnight and lists the next three in Berlin time and the browser’s', async () => {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
    const page = await context.newPage();
    try {
      await page.goto(`${app.url}/maintenance`);
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Maintenance windows', level: 1 }).waitFor();
      await page.getByTestId('next-windows').getByText('No window is set, so none is coming.').waitFor();

      await page.getByLabel('Time zone').fill('Mars/Olympus');
      await page.getByText('This is not a known time zone.').waitFor();
      await page.getByLabel('Time zone').fill('Europe/Berlin');
      await page.getByRole('button', { name: 'Add a window' }).click();
      const row = page.locator('fieldset[data-window="0"]');
      await row.locator('[data-day="SUN"]').uncheck();
      await row.locator('[data-day="TUE"]').check();
      await row.locator('[data-day="THU"]').check();
      await row.getByLabel('Start (local time)').fill('23:30');
      await row.getByLabel('Length in minutes').fill('0');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page
        .getByRole('alert')
        .getByText('Window 1: the length must be a whole number of minutes from 1 to 1440 (24 hours).')
        .waitFor();

      await row.getByLabel('Length in minutes').fill('120');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText('Saved.').waitFor();

      const next = page.getByTestId('next-windows').locator('li');
      await expect
        .poll(() => next.evaluateAll((els) => els.map((e) => e.getAttribute('data-start'))))
        .toEqual(['2026-12-01T22:30:00.000Z', '2026-12-03T22:30:00.000Z', '2026-12-08T22:30:00.000Z']);
      const first = next.first();
      expect(await first.locator('time').textContent()).toMatch(/Tue, Dec 1.*11:30\s?PM.*Wed, Dec 2.*0?1:30\s?AM/);
      expect(await first.getByTestId('browser-time').textContent()).toMatch(
        /Your time \(America\/New_York\): Tue, Dec 1, 0?5:30.*0?7:30\s?PM/,
      );

      // Across midnight: Tuesday's and Thursday's bars go on into Wednesday and Friday.
      const bars = (day: string) => page.locator(`[data-testid="week-view"] [data-day="${day}"] .week-bar`).count();
      expect(await Promise.all(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map(bars))).toEqual([0, 1, 1, 1, 1, 0, 0]);
    } finally {
      await context.close();
    }
  });
});
