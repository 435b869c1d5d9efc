import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser } from '../helpers/browser.js';
import { unusedPort } from '../helpers/ports.js';
import { publishSmallFeed, tmpDir } from '../helpers/feed-fixtures.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

async function logIn(page: Page, app: TestApp) {
  await page.goto(`${app.url}/updates`);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Updates', level: 1 }).waitFor();
}

describe('Search now in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('with the embedded demo feed', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ options: { webDist: WEB_DIST } });
    });
    afterAll(() => app?.close());

    it('finds 8.1.3, 8.2.0, 9.0.0 and 9.1.0 with their release notes, and lets the admin pick one', async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      try {
        await logIn(page, app);
        await page.getByRole('button', { name: 'Search now' }).click();
        for (const v of ['9.1.0', '9.0.0', '8.2.0', '8.1.3']) await page.locator(`[data-version="${v}"]`).waitFor();
        expect(await page.locator('[data-version]').evaluateAll((els) => els.map((e) => e.getAttribute('data-version')))).toEqual([
          '9.1.0',
          '9.0.0',
          '8.2.0',
          '8.1.3',
        ]);
        await page.getByTestId('last-check').getByText('4 newer versions found').waitFor();
        // Blocked versions say why in words.
        await page
          .locator('[data-version="9.1.0"] [data-code="UPGRADE_PATH"]')
          .getByText('This version cannot be installed directly: install 9.0.0 first.')
          .waitFor();
        await page.getByRole('radio', { name: '8.2.0' }).check();
        await page.getByRole('status').filter({ hasText: 'Chosen version: 8.2.0' }).waitFor();
        // The chosen version's notes open, rendered from Markdown.
        await page.locator('[data-version="8.2.0"] .release-notes h3', { hasText: 'New' }).waitFor();
        await page.locator('[data-version="8.2.0"]').getByText('Call recording flag').waitFor();
      } finally {
        await context.close();
      }
    });

    it('shows the release notes in German when the UI is German', async () => {
      const context = await browser.newContext({ locale: 'de-DE' });
      const page = await context.newPage();
      try {
        await page.goto(`${app.url}/updates`);
        await page.getByLabel('Benutzername').fill('admin');
        await page.getByLabel('Passwort').fill(ADMIN_PASSWORD);
        await page.getByRole('button', { name: 'Anmelden' }).click();
        await page.getByRole('button', { name: 'Jetzt suchen' }).click();
        await page.getByRole('radio', { name: '9.1.0' }).check();
        await page.locator('[data-version="9.1.0"]').getByText('Voicemail per E-Mail').waitFor();
      } finally {
        await context.close();
      }
    });

    it('checks connectivity to the feed and shows each step', async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      try {
        await logIn(page, app);
        await page.getByRole('button', { name: 'Check connectivity' }).click();
        await page.locator('tr[data-ok="true"]').getByText('Reachable').waitFor();
        await page.locator('tr[data-ok="true"]').getByText(/TCP ✓/).waitFor();
      } finally {
        await context.close();
      }
    });
  });

  describe('with release notes carrying HTML and script', () => {
    let app: TestApp;
    let dir: string;
    beforeAll(async () => {
      dir = tmpDir('evil-notes');
      const repo = await publishSmallFeed(path.join(dir, 'vendor'));
      const catalog = (await repo.getCatalog())!;
      catalog.channels.stable[0]!.notes.en =
        '## Evil\n\n<script>window.__pwned = 1</script>\n<img src="x" onerror="window.__pwned = 2">\n<a href="javascript:window.__pwned=3">click</a>\n<iframe src="https://example.com"></iframe>';
      await repo.setCatalog(catalog);
      await repo.publish();
      fs.writeFileSync(path.join(dir, 'root.json'), repo.rootJson());
      app = await startTestApp({
        env: { PATCHBAY_FEED: repo.repositoryDir, PATCHBAY_FEED_ROOT: path.join(dir, 'root.json') },
        options: { webDist: WEB_DIST },
      });
    });
    afterAll(async () => {
      await app?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('renders them inert', async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      try {
        await logIn(page, app);
        await page.getByRole('button', { name: 'Search now' }).click();
        await page.getByRole('radio', { name: '8.1.3' }).check();
        const notes = page.locator('[data-version="8.1.3"] .release-notes');
        await notes.getByRole('heading', { name: 'Evil' }).waitFor();
        await notes.getByText('click').click();
        expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
        expect(await notes.locator('script, img, iframe, [onerror]').count()).toBe(0);
        expect(await notes.locator('a').getAttribute('href')).toBeNull();
      } finally {
        await context.close();
      }
    });
  });

  describe('with an unreachable feed', () => {
    let app: TestApp;
    let port: number;
    let dir: string;
    beforeAll(async () => {
      port = await unusedPort();
      dir = tmpDir('unreachable');
      const repo = await publishSmallFeed(path.join(dir, 'vendor'));
      fs.writeFileSync(path.join(dir, 'root.json'), repo.rootJson());
      app = await startTestApp({
        env: { PATCHBAY_FEED: `http://127.0.0.1:${port}/`, PATCHBAY_FEED_ROOT: path.join(dir, 'root.json') },
        options: { webDist: WEB_DIST },
      });
    });
    afterAll(async () => {
      await app?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('names the host and port that failed, in the search and in the connectivity panel', async () => {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      try {
        await logIn(page, app);
        await page.getByRole('button', { name: 'Search now' }).click();
        const alert = page.locator('[role="alert"][data-code="FEED_UNREACHABLE"]');
        await alert.waitFor();
        expect(await alert.textContent()).toContain(`127.0.0.1:${port} cannot be reached: connection refused`);
        await page.getByRole('button', { name: 'Check connectivity' }).click();
        const row = page.locator('tr[data-ok="false"]');
        await row.getByText('Not reachable').waitFor();
        expect(await row.textContent()).toContain(`127.0.0.1:${port}`);
        expect(await row.textContent()).toContain('TCP failed: connection refused');
      } finally {
        await context.close();
      }
    });
  });
});
