/**
 * An installation with the UI in German: every text the page shows — the SPA's own labels and what
 * the server reports (step details, job events, restore events, errors) — is German. English is
 * found by the SPA's English catalogs (labels and notice words, placeholders as wildcards) and by
 * the English `message` texts the API returns for the same job.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser } from '../helpers/browser.js';
import { slowSteps, watchInstallation } from '../helpers/e2e-install.js';
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

describe('an installation with the UI in German', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let de: Catalog;
  const label = (key: string): string => {
    const value = de[key];
    if (value === undefined) throw new Error(`no German label ${key}`);
    return value;
  };
  let english: Catalog;
  let german: Catalog;
  const seen: { where: string; text: string }[] = [];
  const look = async (where: string) => seen.push({ where, text: await pageText(page) });

  beforeAll(async () => {
    const catalogs = await webCatalogs();
    de = catalogs.de.labels;
    english = { ...catalogs.en.labels, ...catalogs.en.notices };
    german = { ...catalogs.de.labels, ...catalogs.de.notices };
    app = await startTestApp({ options: { webDist: WEB_DIST, install: { hooks: slowSteps } } });
    await app.waitForState('RUNNING');
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows no English sentence from the login to the outcome and the history', async () => {
    await page.goto(`${app.url}/updates`);
    await page.getByLabel(label('login.username')).fill('admin');
    await page.getByLabel(label('login.password')).fill(ADMIN_PASSWORD);
    await look('login');
    await page.getByRole('button', { name: label('login.submit') }).click();

    await page.getByRole('button', { name: label('updates.search.button') }).click();
    await page.locator('[data-version="8.2.0"]').waitFor();
    await page.getByRole('radio', { name: '8.2.0' }).check();
    await page.getByRole('heading', { name: words(label('modulePlan.heading'), { version: '8.2.0' }) }).waitFor();
    await page.locator('table.module-plan').waitFor();
    await look('versions and module plan');

    await page.getByLabel(label('download.separately')).check();
    await page.getByLabel(label('download.acknowledge')).check();
    await page.getByRole('button', { name: label('download.button'), exact: true }).click();
    await page.locator('[data-job-state="STAGED"]').waitFor({ timeout: 30_000 });
    await look('staged download');

    await page.getByRole('button', { name: label('job.install'), exact: true }).click();
    const dialog = page.getByRole('dialog', { name: words(label('install.confirm.title'), { version: '8.2.0' }) });
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
    expect(watched.outcome).toBe('SUCCEEDED');
    await look('outcome');
    const jobId = new URL(page.url()).searchParams.get('job');
    expect(jobId).toBeTruthy();

    await page.goto(`${app.url}/history`);
    await page.locator(`tr[data-job="${jobId}"][data-outcome]`).waitFor();
    for (const summary of await page.locator(`[data-job-details="${jobId}"] summary`).all()) await summary.click();
    await look('history');

    // What the server said about this job, in English, for integrators: none of it may reach the page.
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
    // The page did show the job's details in German (not just nothing).
    expect(seen.at(-1)!.text).toContain('8.2.0');
  });
});
