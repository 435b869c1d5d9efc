import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PatchbayOptions } from '../../server/main.js';
import { WEB_DIST } from '../../server/web-build.js';
import { browserCases, loggedInPage } from '../helpers/browser.js';
import { acknowledgeWarnings, backToLogin, chooseVersion, slowSteps, waitForStaged, watchInstallation } from '../helpers/e2e-install.js';
import { install, stageForInstall, waitForJob } from '../helpers/install-api.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Each case starts its own embedded demo (8.1.0 installed, a licence that makes 8.2.0 installable)
 * and sets up through the API what it starts from, so that any one of them runs alone (`-t`).
 */
describe('installing a separately downloaded version in Chromium', () => {
  const cases = browserCases();
  const { apps, contexts } = cases;

  /** A fresh demo, running. */
  async function demo(options: PatchbayOptions = {}): Promise<TestApp> {
    const app = await startTestApp({ options: { webDist: WEB_DIST, ...options } });
    apps.push(app);
    await app.waitForState('RUNNING');
    return app;
  }

  /** A new browser context, logged in on the Updates page. */
  async function updatesPage(app: TestApp): Promise<Page> {
    const page = await loggedInPage(cases.browser, app.url, '/updates', ADMIN_PASSWORD);
    contexts.push(page.context());
    return page;
  }

  /**
   * A fresh demo on which 8.2.0 was downloaded separately and installed through the API, with the
   * modules its plan selects (as the first case does in the browser); then a page logged in.
   */
  async function installed(options: PatchbayOptions = {}): Promise<{ app: TestApp; page: Page; jobId: string }> {
    const app = await demo(options);
    const admin = await app.admin();
    const jobId = await stageForInstall(admin, '8.2.0');
    expect((await install(admin, { jobId })).__typename).toBe('InstallSuccess');
    const done = await waitForJob(admin, jobId, ['SUCCEEDED', 'FAILED']);
    expect(done.outcome, JSON.stringify(done)).toBe('SUCCEEDED');
    await expect.poll(() => app.patchbay.supervisor.getState().state, { timeout: 15_000 }).toBe('RUNNING');
    return { app, page: await updatesPage(app), jobId };
  }

  it('downloads 8.2.0 in the background, then installs it after the confirmation, showing each step, the restart and the outcome', async () => {
    // Each step slowed down to be watched.
    const app = await demo({ install: { hooks: slowSteps } });
    const page = await updatesPage(app);
    await page.getByRole('button', { name: 'Search now' }).click();
    await chooseVersion(page, '8.2.0');
    // In one go, without acknowledging the module warnings: refused, and said in words.
    await page.getByRole('button', { name: 'Download and install' }).click();
    await page.getByRole('dialog', { name: 'Install 8.2.0 now?' }).getByRole('button', { name: 'Install now' }).click();
    const refusal = page.locator('.download-form [role="alert"]');
    await refusal.getByText('Confirm that you have read the module warnings.').waitFor();
    expect(await refusal.getAttribute('data-code')).toBe('WARNINGS_NOT_ACKNOWLEDGED');
    expect(await page.getByRole('dialog').count()).toBe(0);

    await page.getByLabel('Download and install separately').check();
    await acknowledgeWarnings(page);
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await waitForStaged(page, await app.admin());

    await page.getByRole('button', { name: 'Install', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Install 8.2.0 now?' });
    await dialog.waitFor();
    const estimate = dialog.getByTestId('install-estimate');
    await expect
      .poll(() => estimate.textContent(), { timeout: 15_000 })
      .toMatch(/unavailable during the installation, for about \d+(\.\d)? seconds?/);
    await dialog.getByText('A verified backup of the data is taken first').waitFor();
    expect(await dialog.textContent()).toMatch(/up to \d+(\.\d)? seconds? in all/);

    // The page's WebSockets pass through a route, so that the test can cut them (a network outage).
    const sockets: WebSocketRoute[] = [];
    let networkDown = false;
    let refused = 0;
    await page.context().routeWebSocket(/\/graphql$/, (ws) => {
      if (networkDown) {
        refused += 1;
        return ws.close({ code: 1013, reason: 'network down (test)' });
      }
      ws.connectToServer();
      sockets.push(ws);
    });

    let reloaded = false;
    let cut = false;
    // What the page said while the network was down. Read inside the outage, not by the watcher's
    // polls: the page may reconnect between two polls once the network is back.
    let shownWhileDown = '';
    await dialog.getByRole('button', { name: 'Install now' }).click();
    const seen = await watchInstallation(page, {
      during: async ({ running }) => {
        // A reload in the middle shows the same view: it comes from the API, not from the page's memory.
        if (!reloaded && running.includes('APPLY')) {
          reloaded = true;
          await page.reload();
          await page.getByRole('heading', { name: 'Installation of 8.2.0' }).waitFor();
        }
        // Then the socket drops for a while: the page says so, reconnects by itself, and catches up.
        if (reloaded && !cut && running.includes('SWITCH')) {
          cut = true;
          networkDown = true;
          for (const ws of sockets.splice(0)) await ws.close({ code: 1012, reason: 'network down (test)' });
          const connection = page.getByTestId('connection-state');
          await connection.getByText('Reconnecting…').waitFor();
          await page.getByText('The connection to Patchbay was lost.').waitFor();
          // Still down after retries that the route refused (two, not a fixed time): the page keeps saying so.
          await expect.poll(() => refused, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
          shownWhileDown = (await connection.getAttribute('data-live')) ?? '';
          networkDown = false;
        }
      },
    });

    expect(reloaded).toBe(true);
    expect(cut).toBe(true);
    expect(shownWhileDown).toBe('reconnecting');
    expect(seen.running.length, seen.running.join(', ')).toBeGreaterThanOrEqual(3);
    // Maintenance while it installs, then Running again.
    expect(seen.systemStates, seen.systemStates.join(' → ')).toContain('MAINTENANCE');
    expect(seen.outcome).toBe('SUCCEEDED');

    const outcome = page.locator('[data-outcome="SUCCEEDED"]');
    await outcome.getByRole('heading', { name: '8.2.0 is installed and running.' }).waitFor();
    expect(await outcome.textContent()).toMatch(/Telephony was unavailable for \d+(\.\d)? seconds?/);
    const timeline = page.getByRole('list', { name: 'Installation steps' });
    await expect
      .poll(() =>
        timeline
          .locator('[data-step]')
          .evaluateAll((items) => items.map((i) => `${i.getAttribute('data-step')}:${i.getAttribute('data-step-state')}`)),
      )
      .toEqual(
        ['PREFLIGHT', 'DRAIN', 'STOP', 'BACKUP', 'APPLY', 'MIGRATE', 'SWITCH', 'MODULES', 'START', 'HEALTHCHECK', 'COMMIT'].map(
          (s) => `${s}:done`,
        ),
      );
    await expect.poll(() => page.locator('[data-system-state]').getAttribute('data-system-state'), { timeout: 15_000 }).toBe('RUNNING');
    await expect.poll(() => page.getByTestId('connection-state').getAttribute('data-live'), { timeout: 15_000 }).toBe('connected');

    const admin = await app.admin();
    const api = await admin.query<{ system: { version: string; state: string } }>('{ system { version state } }');
    expect(api.data?.system).toEqual({ version: '8.2.0', state: 'RUNNING' });
    expect(new URL(page.url()).searchParams.get('job') ?? '').not.toBe('');
  });

  it('shows the job with its steps, its downtime and the backup taken before it on the History page', async () => {
    // Slowed down as in the first case: a downtime of seconds, which the page says in seconds.
    const { app, page, jobId } = await installed({ install: { hooks: slowSteps } });
    const admin = await app.admin();
    const res = await admin.query<{ updateJob: { backupId: string; unavailableSeconds: number } }>(
      'query ($id: ID!) { updateJob(id: $id) { backupId unavailableSeconds } }',
      { id: jobId },
    );
    const { backupId } = res.data!.updateJob;

    await page.getByRole('link', { name: 'History' }).click();
    const row = page.locator(`tr[data-job="${jobId}"]`);
    await row.getByText('Installed').waitFor();
    const details = page.locator(`tr[data-job-details="${jobId}"]`);
    await details.getByText('Steps and downtime').click();
    for (const step of ['BACKUP', 'MIGRATE', 'HEALTHCHECK']) {
      await expect.poll(() => details.locator(`tr[data-step="${step}"]`).getAttribute('data-step-outcome')).toBe('DONE');
    }
    expect(await details.getByTestId('job-downtime').textContent()).toMatch(/Telephony was unavailable for \d+(\.\d)? seconds? in all:/);
    await details.getByText('installation of 8.2.0 (Planned)').waitFor();

    const backup = page.locator(`tr[data-backup="${backupId}"]`);
    await backup.getByRole('cell', { name: 'before installing 8.2.0' }).waitFor();
    expect(await backup.textContent()).toContain('8.1.0');
    await backup.getByText('Offline (appliance stopped)').waitFor();

    const downtime = page.getByRole('table', { name: 'Times in which the appliance was unavailable, newest first' });
    await downtime.locator(`tr[data-job="${jobId}"][data-kind="PLANNED"]`).getByText('installation of 8.2.0').waitFor();

    // A backup while the appliance runs: telephony stays available.
    await page.getByRole('button', { name: 'Create backup now' }).click();
    await page
      .getByRole('status')
      .getByText(/Backup .+ is made and verified\./)
      .waitFor();
    await page.getByRole('cell', { name: 'Online (appliance running)' }).waitFor();
    expect(app.patchbay.supervisor.getState().state).toBe('RUNNING');
  });

  it('restores the backup taken before the installation from the History page, and follows the restore on the Updates page', async () => {
    const { app, page, jobId } = await installed();
    const admin = await app.admin();
    const { backupId } = (
      await admin.query<{ updateJob: { backupId: string } }>('query ($id: ID!) { updateJob(id: $id) { backupId } }', { id: jobId })
    ).data!.updateJob;
    await page.getByRole('link', { name: 'History' }).click();
    await page
      .locator(`tr[data-backup="${backupId}"]`)
      .getByRole('button', { name: /^Restore the backup of .* \(8\.1\.0\)$/ })
      .click();
    const dialog = page.getByRole('dialog', { name: /^Restore the backup of/ });
    await dialog.getByText('Telephony (calls and call forwarding) will be unavailable during the restore').waitFor();
    await expect.poll(() => dialog.getByTestId('restore-estimate').textContent()).toMatch(/^\s*About [\d.,]+ (seconds?|minutes?)/);
    await dialog.getByRole('button', { name: 'Restore now' }).click();

    await page.getByRole('heading', { name: `Restore of backup ${backupId}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/updates');
    const seen = await watchInstallation(page);
    expect(seen.outcome).toBe('SUCCEEDED');
    expect(seen.running).toContain('RESTORE_DATA');
    await page.getByRole('heading', { name: `Backup ${backupId} is restored: 8.1.0 is running with its data.` }).waitFor();
    const restoreJob = new URL(page.url()).searchParams.get('job');
    const api = await admin.query<{
      system: { version: string; state: string };
      updateJob: { mode: string; outcome: string; sourceBackupId: string };
    }>('query ($id: ID!) { system { version state } updateJob(id: $id) { mode outcome sourceBackupId } }', { id: restoreJob });
    expect(api.data).toEqual({
      system: { version: '8.1.0', state: 'RUNNING' },
      updateJob: { mode: 'RESTORE', outcome: 'SUCCEEDED', sourceBackupId: backupId },
    });
  });

  it('keeps the outcome in the address, and Back to login ends the session', async () => {
    const { app, page, jobId } = await installed();
    await page.goto(`${app.url}/updates?job=${jobId}`);
    await page.locator('[data-outcome="SUCCEEDED"]').waitFor();
    await backToLogin(page, app.url);
  });
});
