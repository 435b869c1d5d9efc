/**
 * Planning an installation in Chromium: "In the next window" for a staged job, the countdown, and
 * the installation starting by itself when the window opens and ending on the new version; then
 * "At …" (checked in the page, refused in words by the server), Reschedule and Cancel.
 *
 * Windows are set in whole minutes: the server's clock is shifted (by less than a minute) so that
 * the window starts half a minute after its `now`, and the browser's clock is set to the server's.
 */
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, systemClock } from '../../server/adapters/clock.js';
import { WEB_DIST } from '../../server/web-build.js';
import { browserCases } from '../helpers/browser.js';
import type { HttpClient } from '../helpers/graphql-clients.js';
import { watchInstallation } from '../helpers/e2e-install.js';
import { job, stageForInstall } from '../helpers/install-api.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

const ZONE = 'Europe/Berlin';
const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

describe('a scheduled installation in Chromium', () => {
  const cases = browserCases();
  let offsetMs = 0;
  const clock: Clock = { ...systemClock, now: () => new Date(Date.now() + offsetMs) };
  afterEach(() => {
    offsetMs = 0;
  });

  /** A fresh demo with 8.2.0 staged through the API, its first estimate taken. */
  async function staged(): Promise<{ app: TestApp; admin: HttpClient; jobId: string }> {
    const app = await startTestApp({ env: { PATCHBAY_TIME_ZONE: ZONE }, options: { webDist: WEB_DIST, clock } });
    cases.apps.push(app);
    await app.waitForState('RUNNING');
    const admin = await app.admin();
    const jobId = await stageForInstall(admin, '8.2.0');
    return { app, admin, jobId };
  }

  async function setWindow(admin: HttpClient, start: DateTime, lengthMinutes: number): Promise<void> {
    const res = await admin.query<{ setMaintenanceWindows: { __typename: string } }>(
      'mutation ($input: SetMaintenanceWindowsInput!) { setMaintenanceWindows(input: $input) { __typename } }',
      { input: { timeZone: ZONE, windows: [{ days: [WEEKDAYS[start.weekday - 1]], start: start.toFormat('HH:mm'), lengthMinutes }] } },
    );
    expect(res.data?.setMaintenanceWindows.__typename).toBe('MaintenanceWindows');
  }

  /** A page in Berlin whose clock starts at `time` and runs on, logged in on the Updates page. */
  async function updatesPage(app: TestApp, time: Date): Promise<Page> {
    const context = await cases.browser.newContext({ locale: 'en-US', timezoneId: ZONE });
    cases.contexts.push(context);
    await context.clock.install({ time });
    const page = await context.newPage();
    await page.goto(`${app.url}/updates`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-job-state="STAGED"]').getByText('ready to install').waitFor();
    return page;
  }

  /** A time as the SPA's English writes it ("6:25 PM"; the spaces are Intl's). */
  const clockTime = (t: DateTime) => `0?${t.toFormat('h:mm')}\\s?${t.toFormat('a')}`;
  /** A weekday as Intl writes it in a range ("Tue, ", or "1 Tue, " where the range spans two days). */
  const weekday = (t: DateTime) => `(\\d{1,2} )?${t.toFormat('ccc')},? `;
  /**
   * A window as "Tue, 6:25 – 6:55 PM" (the first AM/PM only where it differs), Berlin time; one that
   * crosses midnight names both days ("1 Tue, 11:42 PM – 2 Wed, 12:12 AM").
   */
  function windowPattern(start: DateTime, end: DateTime): RegExp {
    const endDay = end.hasSame(start, 'day') ? '' : weekday(end);
    return new RegExp(`${weekday(start)}0?${start.toFormat('h:mm')}(\\s?[AP]M)?\\s?–\\s?${endDay}${clockTime(end)}`);
  }

  it('plans a staged job for the next window, counts down to it, and installs it by itself when the window opens', async () => {
    const { app, admin, jobId } = await staged();
    // The server's `now` at second 30 of its minute: the window starts at the next full minute.
    const real = Date.now();
    offsetMs = (30_000 - (real % 60_000) + 60_000) % 60_000;
    const windowStart = DateTime.fromMillis(clock.now().getTime() + 30_000, { zone: ZONE }).startOf('minute');
    const windowEnd = windowStart.plus({ minutes: 30 });
    await setWindow(admin, windowStart, 30);

    const page = await updatesPage(app, clock.now());
    await page.getByRole('button', { name: 'Install', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Install 8.2.0 now?' });
    await expect
      .poll(() => dialog.getByTestId('install-estimate').textContent(), { timeout: 15_000 })
      .toMatch(/unavailable during the installation, for about/);
    const nextWindow = dialog.getByRole('radio', { name: /^In the next maintenance window/ });
    await expect.poll(() => nextWindow.isEnabled()).toBe(true);
    const label = await dialog.getByTestId('install-when').textContent();
    expect(label).toMatch(windowPattern(windowStart, windowEnd));
    // Postponing a wait for calls to the following window is offered only for "In the next window".
    const postpone = /^Postpone to the following maintenance window/;
    await dialog.getByTestId('drain-choice').waitFor();
    expect(await dialog.getByRole('radio', { name: postpone }).count()).toBe(0);
    await nextWindow.check();
    const planDialog = page.getByRole('dialog', { name: 'Plan the installation of 8.2.0?' });
    await planDialog.getByRole('radio', { name: postpone }).waitFor();
    await planDialog.getByRole('button', { name: 'Plan the installation' }).click();

    const panel = page.locator('.scheduled-install');
    await panel.getByRole('heading', { name: 'Installation of 8.2.0 planned' }).waitFor();
    expect(await panel.getByTestId('install-planned').textContent()).toMatch(
      new RegExp(`^In the maintenance window ${windowPattern(windowStart, windowEnd).source}\\.$`),
    );
    const planned = await job(admin, jobId);
    expect(planned.state).toBe('INSTALL_SCHEDULED');
    const plan = (
      await admin.query<{ updateJob: { installPlan: { when: string; plannedAt: string } } }>(
        'query ($id: ID!) { updateJob(id: $id) { installPlan { when plannedAt } } }',
        { id: jobId },
      )
    ).data!.updateJob.installPlan;
    expect(plan).toEqual({ when: 'NEXT_WINDOW', plannedAt: windowStart.toUTC().toISO() });

    // The countdown runs by the second, towards the window's start.
    const countdown = panel.getByTestId('install-countdown');
    const left = async () => Number(await countdown.getAttribute('data-seconds-left'));
    const first = await left();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(30);
    expect(await countdown.textContent()).toMatch(/^\s*Starts in 00:00:\d\d\s*$/);
    await expect.poll(left, { timeout: 5_000 }).toBeLessThan(first);

    // At the window's start the installation begins by itself, and the page follows it to its end.
    await page.getByRole('heading', { name: 'Installation of 8.2.0', exact: true }).waitFor({ timeout: 60_000 });
    const seen = await watchInstallation(page, { timeoutMs: 120_000 });
    expect(seen.outcome).toBe('SUCCEEDED');
    await page.locator('[data-outcome="SUCCEEDED"]').getByRole('heading', { name: '8.2.0 is installed and running.' }).waitFor();
    const done = await admin.query<{ system: { version: string }; updateJob: { steps: { step: string; startedAt: string }[] } }>(
      'query ($id: ID!) { system { version } updateJob(id: $id) { steps { step startedAt } } }',
      { id: jobId },
    );
    expect(done.data?.system.version).toBe('8.2.0');
    // Not before the window: the installation's first step started at or after its start.
    const preflight = done.data!.updateJob.steps.find((s) => s.step === 'PREFLIGHT');
    expect(Date.parse(preflight!.startedAt)).toBeGreaterThanOrEqual(windowStart.toMillis());
  });

  it('plans at a chosen time (checked in the page, refused in words by the server), reschedules it to the next window, and cancels it', async () => {
    const { app, admin, jobId } = await staged();
    // The browser runs two days behind the appliance: a time it finds ahead may have passed there.
    const browserNow = DateTime.fromMillis(Date.now() - 2 * 86_400_000, { zone: ZONE });
    const page = await updatesPage(app, browserNow.toJSDate());
    const local = (t: DateTime) => t.toFormat("yyyy-MM-dd'T'HH:mm");

    await page.getByRole('button', { name: 'Install', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Install 8.2.0 now?' });
    // No window set: that choice is off, with the way to set one.
    await dialog.getByRole('radio', { name: 'In the next maintenance window (no window is set)' }).waitFor();
    expect(await dialog.getByRole('radio', { name: /^In the next maintenance window/ }).isDisabled()).toBe(true);
    expect(await dialog.getByRole('link', { name: 'Set a maintenance window on the Maintenance page' }).getAttribute('href')).toBe(
      '/maintenance',
    );

    await dialog.getByRole('radio', { name: 'At …' }).check();
    const planDialog = page.getByRole('dialog', { name: 'Plan the installation of 8.2.0?' });
    const submit = planDialog.getByRole('button', { name: 'Plan the installation' });
    await planDialog.getByTestId('install-at-hint').getByText('Choose a date and a time.').waitFor();
    expect(await submit.isDisabled()).toBe(true);
    await planDialog.getByLabel('Date and time (your local time)').fill(local(browserNow.minus({ hours: 1 })));
    await planDialog.getByText('This time has passed: choose one in the future.').waitFor();
    expect(await submit.isDisabled()).toBe(true);
    await planDialog.getByLabel('Date and time (your local time)').fill(local(browserNow.plus({ days: 91 })));
    await planDialog.getByText('Choose a time at most 90 days ahead.').waitFor();

    // Tomorrow for the browser, yesterday for the appliance: the server refuses, and the page says why.
    await planDialog.getByLabel('Date and time (your local time)').fill(local(browserNow.plus({ days: 1 })));
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await submit.click();
    const refusal = page.locator('[data-job-state="STAGED"] [role="alert"]');
    await refusal.getByText('The chosen time was refused: it must lie in the future, at most 90 days ahead.').waitFor();
    expect(await refusal.getAttribute('data-code')).toBe('INVALID_INPUT');

    // Three days ahead for the browser is tomorrow for the appliance: planned.
    const at = browserNow.plus({ days: 3 }).startOf('minute');
    await page.getByRole('button', { name: 'Install', exact: true }).click();
    await page.getByRole('dialog', { name: 'Install 8.2.0 now?' }).getByRole('radio', { name: 'At …' }).check();
    await planDialog.getByLabel('Date and time (your local time)').fill(local(at));
    await planDialog.getByRole('button', { name: 'Plan the installation' }).click();
    const panel = page.locator('.scheduled-install');
    await panel.getByRole('heading', { name: 'Installation of 8.2.0 planned' }).waitFor();
    expect(await panel.getByTestId('install-planned').getAttribute('data-planned-at')).toBe(at.toUTC().toISO());
    expect(await panel.getByTestId('install-planned').textContent()).toMatch(
      new RegExp(`^At ${at.toFormat('ccc')}.*, ${clockTime(at)}\\.$`),
    );
    expect(await panel.getByTestId('install-countdown').textContent()).toMatch(/Starts in 2 d 23:5\d:\d\d/);

    // Reschedule into a window set meanwhile: the dialog offers it first.
    const windowStart = DateTime.fromMillis(Date.now(), { zone: ZONE })
      .plus({ days: 2 })
      .set({ hour: 2, minute: 0, second: 0, millisecond: 0 });
    await setWindow(admin, windowStart, 120);
    await panel.getByRole('button', { name: 'Reschedule' }).click();
    const again = page.getByRole('dialog', { name: 'Another time for installing 8.2.0' });
    const nextWindow = again.getByRole('radio', { name: /^In the next maintenance window \(/ });
    await expect.poll(() => nextWindow.isChecked()).toBe(true);
    expect(await again.getByRole('radio', { name: 'Now', exact: true }).count()).toBe(0);
    await again.getByRole('button', { name: 'Reschedule' }).click();
    await expect.poll(() => panel.getByTestId('install-planned').getAttribute('data-planned-at')).toBe(windowStart.toUTC().toISO());
    expect(await panel.getByTestId('install-planned').textContent()).toMatch(
      new RegExp(`^In the maintenance window ${windowPattern(windowStart, windowStart.plus({ hours: 2 })).source}\\.$`),
    );
    expect(await page.getByRole('dialog').count()).toBe(0);

    // Cancel: the job is staged again, its files kept, ready to install.
    await panel.getByRole('button', { name: 'Cancel the planned installation' }).click();
    await page.locator('[data-job-state="STAGED"]').getByText('ready to install').waitFor();
    expect((await job(admin, jobId)).state).toBe('STAGED');
  });
});
