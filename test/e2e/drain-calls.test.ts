import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser, loggedInPage } from '../helpers/browser.js';
import { chooseVersion } from '../helpers/e2e-install.js';
import { plannedModules, stageDownload, waitForJob } from '../helpers/install-api.js';
import { answeredDemoCalls, outcomeOf, runSippUac } from '../helpers/sipp.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The wait for calls in Chromium, with a call held open by a real SIP client (SIPp): Install offers
 * to wait (checked by default), the page shows "Waiting for 1 call to end — new calls are refused"
 * with the time left, and when the call ends the installation goes on by itself to the new version.
 */
describe('waiting for calls to end before the stop, in Chromium', () => {
  let browser: Browser;
  let app: TestApp;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await app?.close();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the waiting state with the one active call, then installs by itself when the call ends', async () => {
    app = await startTestApp({ options: { webDist: WEB_DIST, install: { healthCheckTimeoutMs: 20_000 } } });
    await app.waitForState('RUNNING');
    const admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    const jobId = await stageDownload(admin, '8.2.0', await plannedModules(admin, '8.2.0'));
    const sipPort = (await admin.query<{ system: { sipPort: number } }>('{ system { sipPort } }')).data!.system.sipPort;

    // A call held for 12 s, answered before the admin presses Install.
    const call = runSippUac(sipPort, { calls: 1, holdMs: 12_000, timeoutS: 60 });
    await expect.poll(() => answeredDemoCalls(app.home), { timeout: 10_000 }).toBe(1);

    const page = await loggedInPage(browser, app.url, '/updates', ADMIN_PASSWORD);
    contexts.push(page.context());
    await chooseVersion(page, '8.2.0');
    await page.getByRole('button', { name: 'Install', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Install 8.2.0 now?' });
    const wait = dialog.getByLabel(/Wait for calls to end \(up to \d+ minutes\)/);
    await wait.waitFor();
    expect(await wait.isChecked()).toBe(true);
    await dialog.getByText('If calls are still active after').waitFor();
    await dialog.getByRole('button', { name: 'Install now' }).click();

    const waiting = page.getByTestId('drain-wait');
    await waiting.getByText('Waiting for 1 call to end — new calls are refused').waitFor({ timeout: 20_000 });
    expect(await waiting.getAttribute('data-active-calls')).toBe('1');
    await expect.poll(() => page.getByTestId('drain-time-left').textContent()).toMatch(/Time left: /);
    await waiting.getByRole('button', { name: 'Install now anyway' }).waitFor();

    // The call ends with its own BYE; the installation then goes on without anyone pressing anything.
    expect((await call).calls.map(outcomeOf)).toEqual(['completed']);
    const done = await waitForJob(admin, jobId, ['SUCCEEDED', 'FAILED'], 90_000);
    expect(done.state).toBe('SUCCEEDED');
    await page.getByText('8.2.0').first().waitFor();
    await expect.poll(() => waiting.count(), { timeout: 20_000 }).toBe(0);
    const version = await admin.query<{ system: { version: string } }>('{ system { version } }');
    expect(version.data!.system.version).toBe('8.2.0');
  }, 180_000);
});
