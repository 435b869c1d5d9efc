/**
 * An installation with the UI in German: every text the page shows — the SPA's own labels and what
 * the server reports (step details, job events, restore events, errors) — is German. English is
 * found by the SPA's English catalogs (labels and notice words, placeholders as wildcards) and by
 * the English `message` texts the API returns for the same job.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser } from '../helpers/browser.js';
import { slowSteps, watchInstallation } from '../helpers/e2e-install.js';
import { prepareForInstall, publishInstallFeed, RELEASE_8_2_0, type InstallFeed } from '../helpers/install-feed.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';
import { type Catalog, webCatalogs } from '../helpers/web-catalogs.js';

/** `{name}` placeholders filled in. */
const words = (template: string, params: Record<string, string> = {}) => template.replace(/\{(\w+)\}/g, (_, n: string) => params[n] ?? '');

/**
 * The English sentences to look for: catalog entries (and notice words) that differ from German,
 * as their literal runs of at least three words between placeholders.
 */
function englishFragments(english: Catalog, german: Catalog): string[] {
  const fragments = new Set<string>();
  for (const [key, value] of Object.entries(english)) {
    if (german[key] === value) continue;
    for (const run of value.split(/\{\w+\}/)) {
      const trimmed = run.replace(/^[\s:;,.()—–-]+|[\s:;,.()—–-]+$/g, '');
      if (trimmed.split(/\s+/).filter((w) => /[a-z]/i.test(w)).length >= 3) fragments.add(trimmed);
    }
  }
  return [...fragments];
}

/** What the page says to a reader (visible text and accessible names of controls). */
async function pageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const labels = [...document.querySelectorAll('[aria-label],[title],[placeholder]')].map(
      (e) => `${e.getAttribute('aria-label') ?? ''} ${e.getAttribute('title') ?? ''} ${e.getAttribute('placeholder') ?? ''}`,
    );
    return `${document.body.innerText}\n${labels.join('\n')}`.replace(/\s+/g, ' ');
  });
}

/**
 * A German admin's browser on one Patchbay: logs in through the German login screen, keeps what the
 * page said at each place, and checks at the end that none of it was English.
 */
async function germanAdmin(app: TestApp, browser: Browser) {
  const catalogs = await webCatalogs();
  const de = catalogs.de.labels;
  const english = { ...catalogs.en.labels, ...catalogs.en.notices };
  const german = { ...catalogs.de.labels, ...catalogs.de.notices };
  const label = (key: string): string => {
    const value = de[key];
    if (value === undefined) throw new Error(`no German label ${key}`);
    return value;
  };
  const page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
  const seen: { where: string; text: string }[] = [];
  const look = async (where: string) => seen.push({ where, text: await pageText(page) });

  await page.goto(`${app.url}/updates`);
  await page.getByLabel(label('login.username')).fill('admin');
  await page.getByLabel(label('login.password')).fill(ADMIN_PASSWORD);
  await look('login');
  await page.getByRole('button', { name: label('login.submit') }).click();

  return {
    page,
    label,
    look,
    async chooseVersion(version: string) {
      await page.getByRole('button', { name: label('updates.search.button') }).click();
      await page.locator(`[data-version="${version}"]`).waitFor();
      await page.getByRole('radio', { name: version }).check();
      await page.getByRole('heading', { name: words(label('modulePlan.heading'), { version }) }).waitFor();
      await page.locator('table.module-plan').waitFor();
      await look('versions and module plan');
    },
    /** Confirms the installation dialog, then watches the installation to its outcome. */
    async confirmAndWatch(version: string): Promise<{ outcome: string; jobId: string }> {
      const dialog = page.getByRole('dialog', { name: words(label('install.confirm.title'), { version }) });
      await dialog.waitFor();
      await dialog.getByTestId('install-estimate').filter({ hasText: /\d/ }).waitFor();
      await look('confirmation');
      await dialog.getByRole('button', { name: label('install.confirm.submit') }).click();
      let looks = 0;
      const watched = await watchInstallation(page, {
        during: async () => {
          if (looks++ % 4 === 0) await look('installation running');
        },
      });
      await look('outcome');
      const jobId = new URL(page.url()).searchParams.get('job');
      if (!jobId) throw new Error('the installation view has no job in its address');
      return { outcome: watched.outcome, jobId };
    },
    async history(jobId: string) {
      await page.goto(`${app.url}/history`);
      await page.locator(`tr[data-job="${jobId}"][data-outcome]`).waitFor();
      for (const summary of await page.locator(`[data-job-details="${jobId}"] summary`).all()) await summary.click();
      await look('history');
    },
    /** Nothing the page said was English: no catalog sentence, none of the API's English messages about the job. */
    async expectNoEnglish(jobId: string) {
      const admin = await app.admin();
      const res = await admin.query<{
        updateJob: { steps: { message: string | null }[]; events: { message: string }[]; error: { message: string } | null };
      }>('query ($id: ID!) { updateJob(id: $id) { steps { message } events { message } error { message } } }', { id: jobId });
      const serverEnglish = [
        ...res.data!.updateJob.steps.map((s) => s.message),
        ...res.data!.updateJob.events.map((e) => e.message),
        res.data!.updateJob.error?.message ?? null,
      ].filter((m): m is string => !!m && m.split(/\s+/).length >= 3);
      expect(serverEnglish.length).toBeGreaterThan(3);
      const fragments = [...englishFragments(english, german), ...serverEnglish];
      const found = seen.flatMap(({ where, text }) => fragments.filter((f) => text.includes(f)).map((f) => `${where}: "${f}"`));
      expect([...new Set(found)]).toEqual([]);
    },
  };
}

describe('the UI in German', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('a separate download and installation', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ options: { webDist: WEB_DIST, install: { hooks: slowSteps } } });
      await app.waitForState('RUNNING');
    });
    afterAll(async () => {
      await app?.close();
    });

    it('shows no English sentence from the login to the outcome and the history', async () => {
      const admin = await germanAdmin(app, browser);
      const { page, label, look } = admin;
      await admin.chooseVersion('8.2.0');
      await page.getByLabel(label('download.separately')).check();
      await page.getByLabel(label('download.acknowledge')).check();
      await page.getByRole('button', { name: label('download.button'), exact: true }).click();
      await page.locator('[data-job-state="STAGED"]').waitFor({ timeout: 30_000 });
      await look('staged download');
      await page.getByRole('button', { name: label('job.install'), exact: true }).click();
      const { outcome, jobId } = await admin.confirmAndWatch('8.2.0');
      expect(outcome).toBe('SUCCEEDED');
      await admin.history(jobId);
      await admin.expectNoEnglish(jobId);
    });
  });

  describe('a failed installation in one go, restored', () => {
    let dir: string;
    let feed: InstallFeed;
    let app: TestApp;
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-german-restore-'));
      // 8.2.0 built to fail its data migration: the backup is restored.
      feed = await publishInstallFeed(dir, { releases: [{ ...RELEASE_8_2_0, manifest: { failMigrations: ['calls-recording-flag'] } }] });
      app = await startTestApp({ env: feed.env, options: { webDist: WEB_DIST, install: { hooks: slowSteps } } });
      await app.waitForState('RUNNING');
      await prepareForInstall(await app.admin(), feed);
    });
    afterAll(async () => {
      await app?.close();
      await feed?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('shows the way back, the cause and the restored state with no English sentence', async () => {
      const admin = await germanAdmin(app, browser);
      await admin.chooseVersion('8.2.0');
      await admin.page.getByRole('button', { name: admin.label('download.installButton') }).click();
      const { outcome, jobId } = await admin.confirmAndWatch('8.2.0');
      expect(outcome).toBe('RESTORED');
      // The way back was shown, in German: its events are on the page.
      expect(await admin.page.locator('.installation .restore-list li').count()).toBeGreaterThan(3);
      await admin.history(jobId);
      await admin.expectNoEnglish(jobId);
    });
  });
});
