/**
 * Scheduled installation through the API of a real Patchbay (real SQLite, the real demo appliance)
 * with a clock that jumps ahead: refusals, a plan that installs in its window and not before,
 * reschedule and cancel, and restarts on the same home after a missed window (the plan moves to
 * the next window, which then installs) and after a missed AT time (the job waits for the admin), and
 * a refusal when the time comes (a full disk: recorded, the job STAGED again); a wait for a call held
 * by SIPp that runs past the window's end (postponed to the next window, until the cap fails the
 * job), POSTPONE_TO_NEXT_WINDOW refused where there is no window, and `system.nextInstall`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setDailyWindow } from '../../helpers/daily-window.js';
import { HttpClient } from '../../helpers/graphql-clients.js';
import { install, job, stageDownload, waitForJob } from '../../helpers/install-api.js';
import { heldDemoCall, outcomeOf } from '../../helpers/sipp.js';
import { MAX_INSTALL_POSTPONEMENTS as MAX_POSTPONEMENTS } from '../../../server/domain/install-schedule.js';
import { sseStream } from '../../helpers/stream-clients.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { type WarpClock, warpClock } from '../../helpers/warp-clock.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
// Sessions outlast the clock's jumps of nearly a day.
const ENV = { PATCHBAY_SESSION_IDLE_MINUTES: '1440', PATCHBAY_SESSION_ABSOLUTE_HOURS: '240' };
const POSTPONE = { maxWaitMinutes: 240, onTimeout: 'POSTPONE_TO_NEXT_WINDOW' };

type Plan = { when: string; plannedAt: string; windowEnd: string | null; scheduledBy: string; postponements?: number };
type Scheduled = { state: string; installPlan: Plan | null; events: { type: string; detail: { code: string } | null }[] };

async function scheduled(client: HttpClient, id: string): Promise<Scheduled> {
  const res = await client.query<{ updateJob: Scheduled }>(
    `query ($id: ID!) { updateJob(id: $id) { state installPlan { when plannedAt windowEnd scheduledBy postponements } events { type detail { code } } } }`,
    { id },
  );
  return res.data!.updateJob;
}

/** Waits until the job waits in its DRAIN step with `calls` calls active. */
async function drainingWith(client: HttpClient, id: string, calls: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await client.query<{
      updateJob: { state: string; step: string | null; stepProgress: { drain: { activeCalls: number } | null } | null };
    }>(`query ($id: ID!) { updateJob(id: $id) { state step stepProgress { drain { activeCalls } } } }`, { id });
    const { state, step, stepProgress } = res.data!.updateJob;
    if (state === 'INSTALLING' && step === 'DRAIN' && stepProgress?.drain?.activeCalls === calls) return;
    if (Date.now() > deadline) throw new Error(`the job never waited in DRAIN with ${calls} calls (${state}, ${step})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the job is INSTALL_SCHEDULED again after its `n`-th postponement. */
async function postponedTimes(client: HttpClient, id: string, n: number): Promise<Scheduled> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const record = await scheduled(client, id);
    if (record.state === 'INSTALL_SCHEDULED' && record.installPlan?.postponements === n) return record;
    if (Date.now() > deadline) throw new Error(`not postponed ${n} times: ${JSON.stringify(record)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function login(app: TestApp): Promise<HttpClient> {
  const client = new HttpClient(app.url);
  await client.login('admin', ADMIN_PASSWORD);
  return client;
}

describe('scheduled installation', () => {
  let app: TestApp | null = null;
  let home: string | null = null;
  // A disk that fills up once `diskFull` is set: the installation is refused at its time.
  let diskFull = false;
  const freeSpace = async () => (diskFull ? 1024 : 1e12);
  afterEach(async () => {
    diskFull = false;
    await app?.close();
    app = null;
    if (home) fs.rmSync(home, { recursive: true, force: true });
    home = null;
  });

  async function start(clock: WarpClock) {
    app = await startTestApp({
      env: ENV,
      home: home ?? undefined,
      options: { clock: clock.clock, freeSpace, install: { healthCheckTimeoutMs: 10_000 } },
    });
    await app.waitForState('RUNNING');
    return login(app);
  }

  async function staged(clock: WarpClock) {
    const admin = await start(clock);
    await admin.query('mutation { checkForUpdates { __typename } }');
    return { admin, id: await stageDownload(admin, '8.2.0') };
  }

  it('refuses NEXT_WINDOW without a window, an AT in the past, and a later time in one go', async () => {
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW' })).toMatchObject({
      __typename: 'NoMaintenanceWindowError',
      code: 'NO_MAINTENANCE_WINDOW',
    });
    const past = new Date(clock.clock.now().getTime() - MINUTE).toISOString();
    expect(await install(admin, { jobId: id, when: 'AT', at: past })).toMatchObject({
      __typename: 'InvalidInputError',
      code: 'INVALID_INPUT',
    });
    expect(await install(admin, { jobId: id, when: 'AT' })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await install(admin, { version: '8.2.0', when: 'AT', at: past })).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await job(admin, id)).state).toBe('STAGED');
  });

  it('installs in the next window and not before; rescheduled and cancelled on the way', async () => {
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    const windowStart = await setDailyWindow(admin, clock, 2 * HOUR);

    // AT, moved to the window, cancelled (STAGED, nothing else changes), then planned again.
    const at = new Date(clock.clock.now().getTime() + HOUR).toISOString();
    expect(await install(admin, { jobId: id, when: 'AT', at })).toMatchObject({ job: { state: 'INSTALL_SCHEDULED' } });
    expect((await scheduled(admin, id)).installPlan).toEqual({
      when: 'AT',
      plannedAt: at,
      windowEnd: null,
      scheduledBy: 'admin',
      postponements: 0,
    });
    const moved = await admin.query<{ rescheduleInstall: { __typename: string; job?: { installPlan: Plan } } }>(
      `mutation ($id: ID!) { rescheduleInstall(jobId: $id, when: NEXT_WINDOW) {
        __typename ... on RescheduleInstallSuccess { job { installPlan { when plannedAt windowEnd scheduledBy } } } } }`,
      { id },
    );
    expect(moved.data!.rescheduleInstall.job!.installPlan).toEqual({
      when: 'NEXT_WINDOW',
      plannedAt: windowStart.toISOString(),
      windowEnd: new Date(windowStart.getTime() + HOUR).toISOString(),
      scheduledBy: 'admin',
    });
    const cancelled = await admin.query<{ cancelJob: { job: { state: string } } }>(
      `mutation ($id: ID!) { cancelJob(id: $id) { ... on CancelJobSuccess { job { state } } } }`,
      { id },
    );
    expect(cancelled.data!.cancelJob.job.state).toBe('STAGED');
    expect((await scheduled(admin, id)).installPlan).toBeNull();
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW', drain: { wait: false } })).toMatchObject({
      job: { state: 'INSTALL_SCHEDULED' },
    });
    // `updateProgress` says when, and stays open: the installation starts by itself.
    const progress = await sseStream(
      app!.url,
      { cookie: admin.cookie! },
      `subscription { updateProgress(jobId: "${id}") { state installPlan { when plannedAt } } }`,
    );
    await progress.received(1);
    expect(progress.results[0]!.data).toEqual({
      updateProgress: { state: 'INSTALL_SCHEDULED', installPlan: { when: 'NEXT_WINDOW', plannedAt: windowStart.toISOString() } },
    });

    // A minute before the window nothing has begun.
    clock.warp(windowStart.getTime() - clock.clock.now().getTime() - MINUTE);
    await new Promise((r) => setTimeout(r, 500));
    expect((await scheduled(admin, id)).state).toBe('INSTALL_SCHEDULED');
    expect(app!.patchbay.supervisor.getState().state).toBe('RUNNING');

    clock.warp(MINUTE);
    const done = await waitForJob(admin, id, ['SUCCEEDED', 'FAILED']);
    expect(done.state).toBe('SUCCEEDED');
    expect(await progress.ended).toEqual({ kind: 'completed' });
    const states = progress.results.map((r) => (r.data as { updateProgress: { state: string } }).updateProgress.state);
    expect(states).toContain('INSTALLING');
    expect(states.at(-1)).toBe('SUCCEEDED');
    const record = await scheduled(admin, id);
    expect(record.installPlan).toBeNull();
    expect(record.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['INSTALL_SCHEDULED', 'INSTALL_SCHEDULE_CANCELLED', 'INSTALL_REQUESTED']),
    );
    // The wait for calls planned with it was kept: none.
    expect(done.steps.find((s) => s.step === 'DRAIN')?.message).toMatch(/^Not waiting for calls to end, as asked/);
  });

  it('after a restart past its window, does not install: it plans the next window, and installs there', async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-test-'));
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    const windowStart = await setDailyWindow(admin, clock, 2 * HOUR);
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW' })).toMatchObject({ job: { state: 'INSTALL_SCHEDULED' } });
    await app!.close();
    app = null;

    // Patchbay comes back half an hour after the window closed.
    clock.warp(windowStart.getTime() + HOUR + 30 * MINUTE - clock.clock.now().getTime());
    const again = await start(clock);
    const record = await scheduled(again, id);
    expect(record.state).toBe('INSTALL_SCHEDULED');
    const nextStart = new Date(windowStart.getTime() + 24 * HOUR);
    expect(record.installPlan).toMatchObject({ when: 'NEXT_WINDOW', plannedAt: nextStart.toISOString() });
    expect(record.events.at(-1)).toEqual({ type: 'INSTALL_WINDOW_MISSED', detail: { code: 'INSTALL_WINDOW_MISSED' } });
    const installed = await again.query<{ system: { version: string } }>('{ system { version } }');
    expect(installed.data!.system.version).not.toBe('8.2.0');

    clock.warp(nextStart.getTime() - clock.clock.now().getTime());
    expect((await waitForJob(again, id, ['SUCCEEDED', 'FAILED'])).state).toBe('SUCCEEDED');
  });

  it('after a restart past its AT time and the grace, does not install: the job is STAGED again, the time missed recorded', async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-test-'));
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    const at = new Date(clock.clock.now().getTime() + HOUR);
    expect(await install(admin, { jobId: id, when: 'AT', at: at.toISOString() })).toMatchObject({ job: { state: 'INSTALL_SCHEDULED' } });
    await app!.close();
    app = null;

    clock.warp(at.getTime() + 10 * MINUTE - clock.clock.now().getTime());
    const again = await start(clock);
    const record = await scheduled(again, id);
    expect(record.state).toBe('STAGED');
    expect(record.installPlan).toBeNull();
    expect(record.events.at(-1)).toEqual({ type: 'INSTALL_TIME_MISSED', detail: { code: 'INSTALL_TIME_MISSED' } });
  });

  it('while it waits, a clock set back (NTP) still waits for the planned instant, and one jumping past the whole window plans the next', async () => {
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    const windowStart = await setDailyWindow(admin, clock, 2 * HOUR);
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW', drain: { wait: false } })).toMatchObject({
      job: { state: 'INSTALL_SCHEDULED' },
    });

    // Set back a day: the plan is an instant, nothing starts, nothing moves.
    clock.warp(-24 * HOUR);
    await new Promise((r) => setTimeout(r, 300));
    expect((await scheduled(admin, id)).installPlan).toMatchObject({ plannedAt: windowStart.toISOString() });
    expect((await scheduled(admin, id)).state).toBe('INSTALL_SCHEDULED');

    // Then forward past the end of the window: not installed late; the next window, recorded.
    clock.warp(windowStart.getTime() + HOUR + 10 * MINUTE - clock.clock.now().getTime());
    const nextStart = new Date(windowStart.getTime() + 24 * HOUR).toISOString();
    const deadline = Date.now() + 10_000;
    while ((await scheduled(admin, id)).installPlan?.plannedAt !== nextStart) {
      if (Date.now() > deadline) throw new Error(`not moved to the next window: ${JSON.stringify(await scheduled(admin, id))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const record = await scheduled(admin, id);
    expect(record.state).toBe('INSTALL_SCHEDULED');
    expect(record.events.at(-1)).toEqual({ type: 'INSTALL_WINDOW_MISSED', detail: { code: 'INSTALL_WINDOW_MISSED' } });
    expect(record.events.map((e) => e.type)).not.toContain('INSTALL_REQUESTED');
  });

  it('lets no second job compete for the window: one job is active at a time, a second download is refused', async () => {
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    await setDailyWindow(admin, clock, 2 * HOUR);
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW' })).toMatchObject({ job: { state: 'INSTALL_SCHEDULED' } });
    const second = await admin.query<{ scheduleDownload: Record<string, unknown> }>(
      `mutation { scheduleDownload(input: { version: "8.2.0", modules: [], acknowledgeWarnings: true }) { __typename ... on JobAlreadyActiveError { code jobId } } }`,
    );
    expect(second.data!.scheduleDownload).toEqual({ __typename: 'JobAlreadyActiveError', code: 'JOB_ALREADY_ACTIVE', jobId: id });
  });

  it('refuses POSTPONE_TO_NEXT_WINDOW without a window: now, at an instant, and as a default', async () => {
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    await setDailyWindow(admin, clock, 2 * HOUR);
    const at = new Date(clock.clock.now().getTime() + HOUR).toISOString();
    for (const input of [
      { jobId: id, drain: POSTPONE },
      { jobId: id, when: 'AT', at, drain: POSTPONE },
    ]) {
      const refused = await admin.query<{ install: Record<string, unknown> }>(
        `mutation ($input: InstallInput!) { install(input: $input) { __typename ... on InvalidInputError { code field } } }`,
        { input },
      );
      expect(refused.data!.install).toEqual({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', field: 'drain.onTimeout' });
    }
    const defaults = await admin.query<{ setDrainDefaults: Record<string, unknown> }>(
      `mutation { setDrainDefaults(maxWaitMinutes: 30, onTimeout: POSTPONE_TO_NEXT_WINDOW) { __typename ... on InvalidInputError { field } } }`,
    );
    expect(defaults.data!.setDrainDefaults).toEqual({ __typename: 'InvalidInputError', field: 'drain.onTimeout' });
    expect((await job(admin, id)).state).toBe('STAGED');
    // A scheduled AT installation planned with it cannot be moved to an instant either.
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW', drain: POSTPONE })).toMatchObject({
      job: { state: 'INSTALL_SCHEDULED' },
    });
    const moved = await admin.query<{ rescheduleInstall: Record<string, unknown> }>(
      `mutation ($id: ID!, $at: DateTime) { rescheduleInstall(jobId: $id, when: AT, at: $at) { __typename ... on InvalidInputError { field } } }`,
      { id, at },
    );
    expect(moved.data!.rescheduleInstall).toEqual({ __typename: 'InvalidInputError', field: 'drain.onTimeout' });
  });

  it('a wait for a held call that runs past the window’s end postpones to the next window, and the cap then fails the job', async () => {
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    let windowStart = await setDailyWindow(admin, clock, 2 * HOUR);
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW', drain: POSTPONE })).toMatchObject({
      job: { state: 'INSTALL_SCHEDULED' },
    });
    const next = async () =>
      (
        await admin.query<{ system: { nextInstall: { jobId: string; version: string; plannedAt: string; windowEnd: string } | null } }>(
          '{ system { nextInstall { jobId version plannedAt windowEnd } } }',
        )
      ).data!.system.nextInstall;
    expect(await next()).toEqual({
      jobId: id,
      version: '8.2.0',
      plannedAt: windowStart.toISOString(),
      windowEnd: new Date(windowStart.getTime() + HOUR).toISOString(),
    });
    const sipPort = (await admin.query<{ system: { sipPort: number } }>('{ system { sipPort } }')).data!.system.sipPort;
    // One call, held through every window of this test (a few seconds of real time each).
    const held = await heldDemoCall(app!.home, sipPort, 30_000);

    for (let n = 1; n <= MAX_POSTPONEMENTS + 1; n++) {
      clock.warp(windowStart.getTime() - clock.clock.now().getTime());
      await drainingWith(admin, id, 1);
      // The window closes with the call still active.
      clock.warp(HOUR);
      if (n > MAX_POSTPONEMENTS) break;
      const record = await postponedTimes(admin, id, n);
      windowStart = new Date(windowStart.getTime() + 24 * HOUR);
      expect(record.installPlan).toMatchObject({ when: 'NEXT_WINDOW', plannedAt: windowStart.toISOString(), postponements: n });
      expect(record.events.at(-1)).toEqual({ type: 'INSTALL_POSTPONED', detail: { code: 'INSTALL_POSTPONED' } });
      expect((await next())!.plannedAt).toBe(windowStart.toISOString());
      expect(app!.patchbay.supervisor.getState().state).toBe('RUNNING');
    }
    const failed = await waitForJob(admin, id, ['FAILED', 'SUCCEEDED']);
    expect(failed.state).toBe('FAILED');
    const error = await admin.query<{ updateJob: { error: { code: string; params: { name: string; value: string }[] } } }>(
      `query ($id: ID!) { updateJob(id: $id) { error { code params { name value } } } }`,
      { id },
    );
    expect(error.data!.updateJob.error).toEqual({
      code: 'POSTPONED_TOO_OFTEN',
      params: [{ name: 'count', value: String(MAX_POSTPONEMENTS) }],
    });
    expect(await next()).toBeNull();
    expect((await admin.query<{ system: { version: string } }>('{ system { version } }')).data!.system.version).toBe('8.1.0');
    // Never cut: the call ends with its own BYE, and the PBX accepts calls again.
    const run = await held.ended;
    expect(run.calls.map(outcomeOf)).toEqual(['completed']);
    expect(await app!.patchbay.calls.activeCalls()).toBe(0);
  });

  it('records a refusal when its time comes (the disk is full): the job is STAGED again, nothing begun', async () => {
    const clock = warpClock();
    const { admin, id } = await staged(clock);
    const at = new Date(clock.clock.now().getTime() + HOUR);
    expect(await install(admin, { jobId: id, when: 'AT', at: at.toISOString() })).toMatchObject({ job: { state: 'INSTALL_SCHEDULED' } });
    diskFull = true;
    clock.warp(HOUR);
    const refused = await waitForJob(admin, id, ['STAGED', 'INSTALLING', 'FAILED']);
    expect(refused.state).toBe('STAGED');
    const record = await scheduled(admin, id);
    expect(record.events.at(-1)).toEqual({ type: 'INSTALL_SCHEDULE_REFUSED', detail: { code: 'INSTALL_SCHEDULE_REFUSED' } });
    expect(record.events.map((e) => e.type)).not.toContain('INSTALL_REQUESTED');
    expect(app!.patchbay.supervisor.getState().state).toBe('RUNNING');
  });
});
