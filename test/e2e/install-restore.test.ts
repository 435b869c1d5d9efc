import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser, loggedInPage } from '../helpers/browser.js';
import { backToLogin, chooseVersion, slowSteps, watchInstallation } from '../helpers/e2e-install.js';
import { prepareForInstall, publishInstallFeed, RELEASE_8_2_0, type InstallFeed } from '../helpers/install-feed.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

type CallRow = Record<string, unknown> & { id: number };

describe('a failed installation in one go, restored, in Chromium', () => {
  let dir: string;
  let feed: InstallFeed;
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  /** The call records, read from the appliance's own database file (read-only, beside the running PBX). */
  function readCalls(): CallRow[] {
    const db = new Database(path.join(app.home, 'appliance', 'data', 'calls.db'), { readonly: true });
    try {
      return db.prepare('SELECT * FROM calls ORDER BY id').all() as CallRow[];
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-restore-e2e-'));
    // 8.2.0 built to fail its data migration: the backup has to be restored.
    feed = await publishInstallFeed(dir, { releases: [{ ...RELEASE_8_2_0, manifest: { failMigrations: ['calls-recording-flag'] } }] });
    app = await startTestApp({
      // Call traffic: the PBX writes a call record every 100 ms while it runs.
      env: { ...feed.env, PATCHBAY_DEMO_CALL_INTERVAL_MS: '100' },
      options: { webDist: WEB_DIST, install: { hooks: slowSteps } },
    });
    await app.waitForState('RUNNING');
    await prepareForInstall(await app.admin(), feed);
    browser = await launchBrowser();
    page = await loggedInPage(browser, app.url, '/updates', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await feed?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the way back, group by group, and the restored 8.1.0 with every call record kept', async () => {
    await expect.poll(() => readCalls().length, { timeout: 10_000 }).toBeGreaterThan(55);
    const before = readCalls();

    await chooseVersion(page, '8.2.0');
    expect(await page.getByLabel('Download and install separately').isChecked()).toBe(false);
    // This feed's 8.2.0 gives no module warnings: no acknowledgement to tick.
    expect(await page.getByLabel('I have read the module warnings').count()).toBe(0);
    await page.getByRole('button', { name: 'Download and install' }).click();
    const dialog = page.getByRole('dialog', { name: 'Install 8.2.0 now?' });
    await dialog.waitFor();
    await expect
      .poll(() => dialog.getByTestId('install-estimate').textContent(), { timeout: 15_000 })
      .toMatch(/unavailable during the download and the installation.* about \d+(\.\d)? seconds?/);
    await dialog.getByRole('button', { name: 'Install now' }).click();

    const seen = await watchInstallation(page);
    expect(seen.outcome).toBe('RESTORED');
    expect(seen.running).toContain('DOWNLOAD');
    expect(seen.running).toContain('MIGRATE');
    expect(
      seen.running.some((s) => s.startsWith('ROLLBACK_')),
      seen.running.join(', '),
    ).toBe(true);

    const restore = page.getByRole('region', { name: 'Restoring the previous state' });
    await restore.getByText('Database calls.db copied back and verified').waitFor();
    await restore.getByText('Configuration files copied back and verified').waitFor();
    await restore.getByText('Switched back to 8.1.0').waitFor();
    await restore.getByText('8.1.0 is running again and healthy').waitFor();
    await restore.getByText('The way back is finished: 8.1.0 runs with the data as it was before.').waitFor();
    expect(await restore.getByRole('progressbar', { name: 'Restoring database calls.db' }).getAttribute('value')).toBe(
      await restore.getByRole('progressbar', { name: 'Restoring database calls.db' }).getAttribute('max'),
    );

    const outcome = page.locator('[data-outcome="RESTORED"]');
    await outcome.getByRole('heading', { name: 'The installation of 8.2.0 failed.' }).waitFor();
    await outcome.getByText('Cause: The migration of the data failed.').waitFor();
    await outcome.getByText('Technical detail, as logged (English)').click();
    await outcome.getByText(/calls-recording-flag/).waitFor();
    await outcome.getByText('The previous state was restored: 8.1.0 runs with its data as before.').waitFor();
    expect(await outcome.getAttribute('data-code')).toBe('MIGRATION_FAILED');
    const wayBack = page.getByRole('list', { name: 'The way back' });
    await expect
      .poll(() => wayBack.locator('[data-step]').evaluateAll((items) => items.map((i) => i.getAttribute('data-step-state'))))
      .toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(await page.locator('[data-step="MIGRATE"]').getAttribute('data-step-state')).toBe('failed');

    const admin = await app.admin();
    const jobId = new URL(page.url()).searchParams.get('job')!;
    const api = await admin.query<{
      system: { version: string; state: string };
      updateJob: { outcome: string; restored: boolean; error: { code: string } };
    }>('query ($id: ID!) { system { version state } updateJob(id: $id) { outcome restored error { code } } }', { id: jobId });
    expect(api.data).toEqual({
      system: { version: '8.1.0', state: 'RUNNING' },
      updateJob: { outcome: 'RESTORED', restored: true, error: { code: 'MIGRATION_FAILED' } },
    });

    // Every call recorded before the installation is there, unchanged; the PBX records again.
    await expect.poll(() => readCalls().length, { timeout: 10_000 }).toBeGreaterThan(before.length);
    const after = new Map(readCalls().map((row) => [row.id, row]));
    for (const row of before) expect(after.get(row.id), `call ${row.id}`).toEqual(row);

    await backToLogin(page, app.url);
  });
});
