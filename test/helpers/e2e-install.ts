/**
 * Browser steps shared by the installation tests: choosing a version on the Updates page, watching
 * the installation view until its outcome (what the DOM showed on the way), and checking that
 * "Back to login" really ended the session.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { HttpClient } from './graphql-clients.js';

/** The installer hook that makes each step last long enough to be watched in a browser. */
export const slowSteps = { afterJournal: () => new Promise<void>((resolve) => setTimeout(resolve, 400)) };

/** Chooses a version, waits for its module plan, and acknowledges the module warnings if there are any. */
export async function chooseVersion(page: Page, version: string): Promise<void> {
  await page.locator(`[data-version="${version}"]`).waitFor();
  await page.getByRole('radio', { name: version }).check();
  await page.getByRole('heading', { name: `Module updates for ${version}` }).waitFor();
  await page.locator('table.module-plan').waitFor();
}

/**
 * Ticks "I have read the module warnings", waiting for it: the versions these tests install have
 * warnings, and a check that skipped a box not rendered yet would send an unacknowledged request.
 */
export async function acknowledgeWarnings(page: Page): Promise<void> {
  await page.getByLabel('I have read the module warnings').check();
}

/**
 * Waits until the download form's job is staged ("ready to install"). When it is not, fails with
 * what the page and the API say instead of a bare timeout: a refusal under the form, the jobs.
 */
export async function waitForStaged(page: Page, admin: HttpClient, timeoutMs = 30_000): Promise<void> {
  const staged = page.locator('[data-job-state="STAGED"]').getByText('ready to install');
  const refused = page.locator('.download-form [role="alert"]');
  try {
    await staged.or(refused).first().waitFor({ timeout: timeoutMs });
  } catch (err) {
    const jobs = await admin.query('{ updateJobs(first: 3) { id state targetVersion error { code message } } }');
    throw new Error(
      `not staged within ${timeoutMs} ms; jobs: ${JSON.stringify(jobs.data)}; form: ${await page.locator('.download-form').textContent()}`,
      {
        cause: err,
      },
    );
  }
  if (await refused.count())
    throw new Error(`the download was refused: ${await refused.getAttribute('data-code')}: ${await refused.textContent()}`);
}

export interface Watched {
  /** Step names seen running, in the order first seen. */
  running: string[];
  /** System states shown, without repeats in a row. */
  systemStates: string[];
  /** Connection states shown (connected, reconnecting…), without repeats in a row. */
  connection: string[];
  /** Texts of the restore events seen. */
  restoreTexts: Set<string>;
  outcome: string;
}

/**
 * Polls the installation view until it shows an outcome. `during` runs once per poll with what has
 * been seen so far (a test reloads the page from there); a poll that meets a navigation is skipped.
 */
export async function watchInstallation(
  page: Page,
  { timeoutMs = 90_000, during }: { timeoutMs?: number; during?: (seen: Watched) => Promise<void> } = {},
): Promise<Watched> {
  const seen: Watched = { running: [], systemStates: [], connection: [], restoreTexts: new Set(), outcome: '' };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const snapshot = await page
      .evaluate(() => ({
        running: [...document.querySelectorAll('.installation [data-step-state="running"]')].map((e) => e.getAttribute('data-step') ?? ''),
        system: document.querySelector('.installation [data-system-state]')?.getAttribute('data-system-state') ?? null,
        live: document.querySelector('.installation [data-live]')?.getAttribute('data-live') ?? null,
        restore: [...document.querySelectorAll('.installation .restore-list li')].map((e) =>
          (e.textContent ?? '').replace(/\s+/g, ' ').trim(),
        ),
        outcome: document.querySelector('.installation [data-outcome]')?.getAttribute('data-outcome') ?? null,
      }))
      .catch((err: Error) => {
        // A reload in the middle of a poll destroys the page's context: that poll is skipped.
        if (/context was destroyed|navigat/i.test(err.message)) return null;
        throw err;
      });
    if (snapshot) {
      for (const step of snapshot.running) if (!seen.running.includes(step)) seen.running.push(step);
      if (snapshot.system && seen.systemStates.at(-1) !== snapshot.system) seen.systemStates.push(snapshot.system);
      if (snapshot.live && seen.connection.at(-1) !== snapshot.live) seen.connection.push(snapshot.live);
      for (const text of snapshot.restore) seen.restoreTexts.add(text);
      if (snapshot.outcome) {
        seen.outcome = snapshot.outcome;
        return seen;
      }
      await during?.(seen);
    }
    await page.waitForTimeout(50);
  }
  throw new Error(`no outcome within ${timeoutMs} ms; seen: ${JSON.stringify({ ...seen, restoreTexts: [...seen.restoreTexts] })}`);
}

/** The browser's session cookie, as a header value. */
export async function sessionCookie(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === 'patchbay_session');
  if (!cookie) throw new Error('the browser has no session cookie');
  return `${cookie.name}=${cookie.value}`;
}

/** "Back to login": the login screen shows, the old cookie is refused, and a protected page sends to /login. */
export async function backToLogin(page: Page, baseUrl: string): Promise<void> {
  const cookie = await sessionCookie(page);
  const old = new HttpClient(baseUrl);
  old.cookie = cookie;
  expect((await old.query<{ me: { username: string } | null }>('{ me { username } }')).data?.me?.username).toBe('admin');

  await page.getByRole('button', { name: 'Back to login' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await expect.poll(() => page.url()).toMatch(/\/login/);

  const after = await old.query('{ system { version } }');
  expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  await page.goto(`${baseUrl}/updates`);
  await expect.poll(() => page.url()).toMatch(/\/login/);
  await page.getByRole('button', { name: 'Log in' }).waitFor();
}
