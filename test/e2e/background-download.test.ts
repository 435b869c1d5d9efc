import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser, loggedInPage } from '../helpers/browser.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('background download in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startTestApp({ options: { webDist: WEB_DIST } });
    await app.waitForState('RUNNING');
    // A slow line, so that the progress can be watched (the demo bundles are small).
    await (await app.admin()).query('mutation { setUpdateSettings(downloadBandwidthLimit: 2048) { __typename } }');
    browser = await launchBrowser();
    page = await loggedInPage(browser, app.url, '/updates', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Search now' }).click();
    await page.locator('[data-version="8.1.3"]').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('schedules a download a few seconds ahead, shows it progressing in the background, and reaches the staged state while telephony runs', async () => {
    const states = new Set<string>();
    const watch = setInterval(() => states.add(app.patchbay.supervisor.getState().state), 50);
    try {
      await page.getByRole('radio', { name: '8.1.3' }).check();
      await page.getByRole('heading', { name: 'Module updates for 8.1.3' }).waitFor();
      await page.getByLabel('Download and install separately').check();
      const startLocal = await page.evaluate(() => {
        const d = new Date(Date.now() + 4000);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
      });
      await page.getByLabel('Download start time').fill(startLocal);
      await page.getByLabel('I have read the module warnings').check();
      await page.getByRole('button', { name: 'Download' }).click();

      await page.locator('[data-job-state="SCHEDULED"]').getByText('Scheduled for').waitFor();
      await page.locator('[data-job-state="DOWNLOADING"]').getByText('Downloading in the background…').waitFor({ timeout: 15_000 });
      const bar = page.getByRole('progressbar', { name: 'Download progress' });
      const seen = new Set<string>();
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await page.locator('[data-job-state="STAGED"]').count()) === 0) {
        const v = await bar.getAttribute('value').catch(() => null);
        if (v) seen.add(v);
        await page.waitForTimeout(100);
      }
      await page.locator('[data-job-state="STAGED"]').getByText('ready to install').waitFor();
      expect(seen.size).toBeGreaterThanOrEqual(2);
      expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));

      await page.getByRole('link', { name: 'System' }).click();
      await expect.poll(() => page.locator('[data-state]').first().getAttribute('data-state')).toBe('RUNNING');
      expect([...states]).toEqual(['RUNNING']);
    } finally {
      clearInterval(watch);
    }
  });

  it('lists the job with its event log on the History page', async () => {
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('cell', { name: 'Staged' }).waitFor();
    await page.getByText('Event log').first().click();
    await page.getByText('Unpacked and checked: ready to install.').waitFor();
  });
});
