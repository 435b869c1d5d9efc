/**
 * An installation planned while its download still runs, through the API of a real Patchbay (a
 * real feed server on 127.0.0.1 with a bandwidth cap that keeps the download going for a few
 * seconds, real SQLite, the real demo appliance) with a clock that jumps ahead: the plan is kept
 * with the downloading job and shown (`updateJob`, `updateProgress`, `system.nextInstall`); a
 * download that ends after its window's end moves to the next window and installs there; one that
 * ends past its AT time waits for the admin; reschedule and cancel while it downloads; a restart
 * during the download keeps the plan.
 */
import { describe, expect, it } from 'vitest';
import { setDailyWindow } from '../../helpers/daily-window.js';
import { feedAppPerTest } from '../../helpers/feed-app.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { install, waitForJob } from '../../helpers/install-api.js';
import { prepareForInstall, RELEASE_8_2_0 } from '../../helpers/install-feed.js';
import { sseStream } from '../../helpers/stream-clients.js';
import { type WarpClock, warpClock } from '../../helpers/warp-clock.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const ENV = { PATCHBAY_SESSION_IDLE_MINUTES: '1440', PATCHBAY_SESSION_ABSOLUTE_HOURS: '240' };
/** 8.2.0 with 4 MiB of padding: at 1 MiB/s its download runs for about four seconds. */
const PADDED_8_2_0 = { ...RELEASE_8_2_0, paddingBytes: 4 * 1024 * 1024 };

type Plan = { when: string; plannedAt: string; windowEnd: string | null; scheduledBy: string };
type Record_ = { state: string; installPlan: Plan | null; events: { type: string; detail: { code: string } | null }[] };

async function record(client: HttpClient, id: string): Promise<Record_> {
  const res = await client.query<{ updateJob: Record_ }>(
    `query ($id: ID!) { updateJob(id: $id) { state installPlan { when plannedAt windowEnd scheduledBy } events { type detail { code } } } }`,
    { id },
  );
  return res.data!.updateJob;
}

async function nextInstall(client: HttpClient): Promise<{ jobId: string; plannedAt: string } | null> {
  const res = await client.query<{ system: { nextInstall: { jobId: string; plannedAt: string } | null } }>(
    '{ system { nextInstall { jobId plannedAt } } }',
  );
  return res.data!.system.nextInstall;
}

describe('an installation planned while its download runs', () => {
  const ctx = feedAppPerTest('install-while-downloading', { releases: [PADDED_8_2_0] }, ENV);
  const start = (clock: WarpClock) => ctx.start(clock);

  /** A window two hours ahead, the download capped at 1 MiB/s and started; the job id once it downloads. */
  async function downloading(clock: WarpClock): Promise<{ admin: HttpClient; id: string; windowStart: Date }> {
    const admin = await start(clock);
    const windowStart = await setDailyWindow(admin, clock, 2 * HOUR);
    await admin.query('mutation { setUpdateSettings(downloadBandwidthLimit: 1048576) { __typename } }');
    await prepareForInstall(admin, ctx.feed);
    const res = await admin.query<{ scheduleDownload: { job: { id: string } } }>(
      'mutation { scheduleDownload(input: { version: "8.2.0", modules: [], acknowledgeWarnings: true }) { ... on ScheduleDownloadSuccess { job { id } } } }',
    );
    const id = res.data!.scheduleDownload.job.id;
    await waitForJob(admin, id, ['DOWNLOADING']);
    return { admin, id, windowStart };
  }

  it('keeps the plan while it downloads; ending after the window’s end, it moves to the next window and installs there', async () => {
    const clock = warpClock();
    const { admin, id, windowStart } = await downloading(clock);
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW', drain: { wait: false } })).toMatchObject({
      __typename: 'InstallSuccess',
      job: { id, state: 'DOWNLOADING' },
    });
    const windowEnd = new Date(windowStart.getTime() + HOUR).toISOString();
    expect((await record(admin, id)).installPlan).toEqual({
      when: 'NEXT_WINDOW',
      plannedAt: windowStart.toISOString(),
      windowEnd,
      scheduledBy: 'admin',
    });
    expect(await nextInstall(admin)).toEqual({ jobId: id, plannedAt: windowStart.toISOString() });
    const progress = await sseStream(
      ctx.app!.url,
      { cookie: admin.cookie! },
      `subscription { updateProgress(jobId: "${id}") { state installPlan { plannedAt } } }`,
    );
    await progress.received(1);
    expect(progress.results[0]!.data).toEqual({
      updateProgress: { state: 'DOWNLOADING', installPlan: { plannedAt: windowStart.toISOString() } },
    });

    // The whole window passes while the download still runs.
    clock.warp(windowStart.getTime() + HOUR + 10 * MINUTE - clock.clock.now().getTime());
    expect((await record(admin, id)).state).toBe('DOWNLOADING');
    const nextStart = new Date(windowStart.getTime() + 24 * HOUR).toISOString();
    await waitForJob(admin, id, ['INSTALL_SCHEDULED', 'STAGED', 'FAILED']);
    const moved = await record(admin, id);
    expect(moved.state).toBe('INSTALL_SCHEDULED');
    expect(moved.installPlan).toMatchObject({ when: 'NEXT_WINDOW', plannedAt: nextStart });
    expect(moved.events.slice(-2)).toEqual([
      { type: 'STAGED', detail: { code: 'DOWNLOAD_STAGED' } },
      { type: 'INSTALL_WINDOW_MISSED', detail: { code: 'INSTALL_WINDOW_MISSED_DOWNLOADING' } },
    ]);
    expect(moved.events.map((e) => e.type)).not.toContain('INSTALL_REQUESTED');
    expect(await nextInstall(admin)).toEqual({ jobId: id, plannedAt: nextStart });
    // A follower of the job saw it downloading with its plan, then scheduled.
    await expect
      .poll(() => progress.results.map((r) => (r.data as { updateProgress: { state: string } }).updateProgress.state).at(-1))
      .toBe('INSTALL_SCHEDULED');

    clock.warp(Date.parse(nextStart) - clock.clock.now().getTime());
    expect((await waitForJob(admin, id, ['SUCCEEDED', 'FAILED'])).state).toBe('SUCCEEDED');
    expect(await progress.ended).toEqual({ kind: 'completed' });
    expect((await admin.query<{ system: { version: string } }>('{ system { version } }')).data!.system.version).toBe('8.2.0');
  });

  it('planned AT an instant that passes while it downloads: not installed late, the job is STAGED and waits for the admin', async () => {
    const clock = warpClock();
    const { admin, id } = await downloading(clock);
    const at = new Date(clock.clock.now().getTime() + HOUR).toISOString();
    expect(await install(admin, { jobId: id, when: 'AT', at })).toMatchObject({ job: { state: 'DOWNLOADING' } });
    clock.warp(2 * HOUR);
    const staged = await waitForJob(admin, id, ['STAGED', 'INSTALL_SCHEDULED', 'INSTALLING', 'FAILED']);
    expect(staged.state).toBe('STAGED');
    const after = await record(admin, id);
    expect(after.installPlan).toBeNull();
    expect(after.events.at(-1)).toEqual({ type: 'INSTALL_TIME_MISSED', detail: { code: 'INSTALL_TIME_MISSED_DOWNLOADING' } });
    expect(after.events.map((e) => e.type)).not.toContain('INSTALL_REQUESTED');
    expect(await nextInstall(admin)).toBeNull();
  });

  it('is rescheduled and cancelled while it downloads: the download goes on and ends STAGED', async () => {
    const clock = warpClock();
    const { admin, id, windowStart } = await downloading(clock);
    const at = new Date(clock.clock.now().getTime() + HOUR).toISOString();
    expect(await install(admin, { jobId: id, when: 'AT', at })).toMatchObject({ job: { state: 'DOWNLOADING' } });
    const moved = await admin.query<{ rescheduleInstall: { __typename: string; job?: { state: string; installPlan: Plan } } }>(
      `mutation ($id: ID!) { rescheduleInstall(jobId: $id, when: NEXT_WINDOW) {
        __typename ... on RescheduleInstallSuccess { job { state installPlan { when plannedAt windowEnd scheduledBy } } } } }`,
      { id },
    );
    expect(moved.data!.rescheduleInstall.job).toMatchObject({
      state: 'DOWNLOADING',
      installPlan: { when: 'NEXT_WINDOW', plannedAt: windowStart.toISOString() },
    });
    const cancelled = await admin.query<{ cancelJob: { job: { state: string; installPlan: Plan | null } } }>(
      `mutation ($id: ID!) { cancelJob(id: $id) { ... on CancelJobSuccess { job { state installPlan { when } } } } }`,
      { id },
    );
    expect(cancelled.data!.cancelJob.job).toEqual({ state: 'DOWNLOADING', installPlan: null });
    expect(await nextInstall(admin)).toBeNull();
    const staged = await waitForJob(admin, id, ['STAGED', 'INSTALL_SCHEDULED', 'CANCELLED', 'FAILED']);
    expect(staged.state).toBe('STAGED');
    const types = (await record(admin, id)).events.map((e) => e.detail?.code);
    expect(types).toEqual(
      expect.arrayContaining(['INSTALL_SCHEDULED_AT', 'INSTALL_SCHEDULED_NEXT_WINDOW', 'INSTALL_SCHEDULE_CANCELLED_DOWNLOADING']),
    );
  });

  it('after a restart during the download, resumes it with its plan and installs in the window', async () => {
    ctx.home = tmpDir('install-while-downloading-home');
    const clock = warpClock();
    const { admin, id, windowStart } = await downloading(clock);
    expect(await install(admin, { jobId: id, when: 'NEXT_WINDOW', drain: { wait: false } })).toMatchObject({
      job: { state: 'DOWNLOADING' },
    });
    await ctx.app!.close();
    ctx.app = null;

    const again = await start(clock);
    expect((await record(again, id)).installPlan).toMatchObject({ when: 'NEXT_WINDOW', plannedAt: windowStart.toISOString() });
    expect(await nextInstall(again)).toEqual({ jobId: id, plannedAt: windowStart.toISOString() });
    const scheduled = await waitForJob(again, id, ['INSTALL_SCHEDULED', 'STAGED', 'FAILED']);
    expect(scheduled.state).toBe('INSTALL_SCHEDULED');
    const resumed = await record(again, id);
    expect(resumed.installPlan).toMatchObject({ plannedAt: windowStart.toISOString() });
    expect(resumed.events.map((e) => e.type)).toContain('RESUMED');

    clock.warp(windowStart.getTime() - clock.clock.now().getTime());
    expect((await waitForJob(again, id, ['SUCCEEDED', 'FAILED'])).state).toBe('SUCCEEDED');
  });
});
