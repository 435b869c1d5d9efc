/**
 * Background download jobs through the API, against the embedded demo feed on loopback: schedule,
 * progress to STAGED, the typed refusals, cancel, one active job, and start times honoured with a
 * fast clock and across a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../server/adapters/clock.js';
import { collect, wsClient } from '../../helpers/graphql-clients.js';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { JobsRepository } from '../../../server/repositories/jobs.repository.js';

const SCHEDULE = `mutation ($input: ScheduleDownloadInput!) { scheduleDownload(input: $input) {
  __typename
  ... on ScheduleDownloadSuccess { job { id state targetVersion bytesTotal } }
  ... on Error { code message }
  ... on NotInstallableError { blockers { code } }
  ... on InsufficientDiskError { neededBytes freeBytes }
  ... on JobAlreadyActiveError { jobId }
} }`;
const JOB =
  'query ($id: ID!) { updateJob(id: $id) { id state bytesDone bytesTotal startedAt error { code message } events { type message } } }';
const MODULES_82 = [
  { moduleId: 'fax', version: '2.1.0' },
  { moduleId: 'callcenter', version: '3.1.0' },
];

type Job = {
  id: string;
  state: string;
  bytesDone: number;
  bytesTotal: number;
  startedAt: string | null;
  error: { code: string } | null;
  events: { type: string; message: string }[];
};
type ScheduleResult = {
  scheduleDownload: {
    __typename: string;
    code?: string;
    job?: { id: string; state: string; bytesTotal: number };
    blockers?: { code: string }[];
  };
};

async function waitForJob(admin: HttpClient, id: string, states: string[], timeoutMs = 20_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await admin.query<{ updateJob: Job }>(JOB, { id })).data!.updateJob;
    if (states.includes(job.state) || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('download jobs', () => {
  let app: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    app = await startTestApp();
    // The API answers before the appliance is up: the tests below check that downloads leave it running.
    await app.waitForState('RUNNING');
    admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
  });
  afterAll(() => app.close());

  it('refuses a version the licence does not cover, with the blockers', async () => {
    const res = await admin.query<ScheduleResult>(SCHEDULE, { input: { version: '9.0.0' } });
    expect(res.data!.scheduleDownload).toMatchObject({ __typename: 'NotInstallableError', code: 'NOT_INSTALLABLE' });
    expect(res.data!.scheduleDownload.blockers!.map((b) => b.code)).toEqual(['MAJOR_NOT_LICENSED', 'CONTRACT_EXPIRED']);
  });

  it('demands the module warnings be acknowledged', async () => {
    const res = await admin.query<ScheduleResult>(SCHEDULE, { input: { version: '8.2.0', modules: MODULES_82 } });
    expect(res.data!.scheduleDownload).toMatchObject({ code: 'WARNINGS_NOT_ACKNOWLEDGED' });
  });

  it('refuses an incompatible module version and an unknown module', async () => {
    const wrong = await admin.query<ScheduleResult>(SCHEDULE, {
      input: { version: '8.2.0', modules: [{ moduleId: 'fax', version: '9.9.9' }], acknowledgeWarnings: true },
    });
    expect(wrong.data!.scheduleDownload).toMatchObject({ code: 'MODULE_VERSION_INCOMPATIBLE' });
    const unknown = await admin.query<ScheduleResult>(SCHEDULE, {
      input: { version: '8.2.0', modules: [{ moduleId: 'voicebox', version: '1.0.0' }], acknowledgeWarnings: true },
    });
    expect(unknown.data!.scheduleDownload).toMatchObject({ code: 'UNKNOWN_MODULE' });
  });

  it('checks a module selection as the download will, without scheduling anything', async () => {
    const CHECK = `query ($modules: [ModuleSelectionInput!]!, $ack: Boolean) {
      checkModuleSelection(targetVersion: "8.2.0", modules: $modules, acknowledgeWarnings: $ack) {
        ... on ModuleSelectionCheck { valid problems { code moduleId } }
      } }`;
    type Check = { checkModuleSelection: { valid: boolean; problems: { code: string; moduleId: string }[] } };
    const good = await admin.query<Check>(CHECK, { modules: MODULES_82, ack: true });
    expect(good.data!.checkModuleSelection).toEqual({ valid: true, problems: [] });
    const bad = await admin.query<Check>(CHECK, { modules: [{ moduleId: 'voicebox', version: '1.0.0' }], ack: true });
    expect(bad.data!.checkModuleSelection).toEqual({ valid: false, problems: [{ code: 'UNKNOWN_MODULE', moduleId: 'voicebox' }] });
  });

  it('refuses a start time in the past, or without a time zone', async () => {
    const past = await admin.query<ScheduleResult>(SCHEDULE, {
      input: { version: '8.2.0', startAt: '2026-01-01T00:00:00Z', acknowledgeWarnings: true },
    });
    expect(past.data!.scheduleDownload).toMatchObject({ code: 'INVALID_START_TIME' });
    const noZone = await admin.query(SCHEDULE, { input: { version: '8.2.0', startAt: '2030-01-01T00:00:00', acknowledgeWarnings: true } });
    expect(noZone.errors?.[0]?.message).toMatch(/time zone/);
  });

  it('downloads, verifies and stages in the background, streaming progress, while the appliance runs', async () => {
    const token = await app.token(['OPERATE']);
    const res = await admin.query<ScheduleResult>(SCHEDULE, {
      input: { version: '8.2.0', modules: MODULES_82, acknowledgeWarnings: true },
    });
    const job = res.data!.scheduleDownload.job!;
    expect(job.state).toBe('SCHEDULED');
    const client = wsClient(app.url, { connectionParams: { authorization: `Bearer ${token}` } });
    const progress = await collect<{ updateProgress: { state: string; bytesDone: number; bytesTotal: number } }>(
      client,
      `subscription { updateProgress(jobId: "${job.id}") { state bytesDone bytesTotal } }`,
      (events) => events.some((e) => e.updateProgress.state === 'STAGED'),
    ).finally(() => client.dispose());
    expect(progress.map((p) => p.updateProgress.state)).toContain('STAGED');
    // Polling clients get the same figures; a finished job has no rate any more.
    const polled = await admin.query<{ updateJob: { bytesDone: number; bytesPerSecond: number | null; secondsLeft: number | null } }>(
      `{ updateJob(id: "${job.id}") { bytesDone bytesPerSecond secondsLeft } }`,
    );
    expect(polled.data!.updateJob).toEqual({ bytesDone: job.bytesTotal, bytesPerSecond: null, secondsLeft: null });
    const done = await waitForJob(admin, job.id, ['STAGED', 'FAILED']);
    expect(done).toMatchObject({ state: 'STAGED', bytesDone: job.bytesTotal, error: null });
    expect(done.events.map((e) => e.type)).toEqual(expect.arrayContaining(['SCHEDULED', 'DOWNLOADING', 'DOWNLOADED', 'STAGED']));
    // Each event is also a notice, for the SPA to word in the admin's language.
    const details = new JobsRepository(app.patchbay.db).events(job.id).map((e) => [e.type, e.detail?.code]);
    expect(details).toEqual(
      expect.arrayContaining([
        ['SCHEDULED', 'DOWNLOAD_SCHEDULED'],
        ['DOWNLOADING', 'DOWNLOAD_STARTED'],
        ['DOWNLOADED', 'DOWNLOAD_VERIFIED'],
        ['STAGED', 'DOWNLOAD_STAGED'],
      ]),
    );
    expect(details.filter(([, code]) => code === undefined)).toEqual([]);
    const staged = path.join(app.home, 'staging', job.id);
    expect(JSON.parse(fs.readFileSync(path.join(staged, 'release', 'manifest.json'), 'utf8'))).toMatchObject({
      version: '8.2.0',
      dataSchemaVersion: 2,
    });
    expect(fs.readdirSync(staged).sort()).toEqual(['module-callcenter', 'module-fax', 'release']);
    expect(app.patchbay.supervisor.getState().state).toBe('RUNNING');
  });

  it('gives a subscriber that comes after the last change where the job stands, first', async () => {
    const jobs = await admin.query<{ updateJobs: { id: string; state: string; bytesTotal: number }[] }>(
      '{ updateJobs { id state bytesTotal } }',
    );
    const staged = jobs.data!.updateJobs.find((j) => j.state === 'STAGED')!;
    const token = await app.token(['READ']);
    const client = wsClient(app.url, { connectionParams: { authorization: `Bearer ${token}` } });
    // Nothing happens to a staged job until it is installed: without the current state first, this would wait forever.
    const progress = await collect<{ updateProgress: { jobId: string; state: string; bytesDone: number; bytesTotal: number } }>(
      client,
      `subscription { updateProgress(jobId: "${staged.id}") { jobId state bytesDone bytesTotal } }`,
      (events) => events.length >= 1,
    ).finally(() => client.dispose());
    expect(progress[0]!.updateProgress).toEqual({
      jobId: staged.id,
      state: 'STAGED',
      bytesDone: staged.bytesTotal,
      bytesTotal: staged.bytesTotal,
    });
  });

  it('keeps one active job at a time, also when two requests race', async () => {
    const res = await Promise.all(
      [1, 2].map(() => admin.query<ScheduleResult>(SCHEDULE, { input: { version: '8.1.3', acknowledgeWarnings: true } })),
    );
    expect(res.map((r) => r.data!.scheduleDownload.code)).toEqual(['JOB_ALREADY_ACTIVE', 'JOB_ALREADY_ACTIVE']);
  });

  it('cancels the staged job and removes its files; then a new job may start', async () => {
    const jobs = await admin.query<{ updateJobs: { id: string; state: string }[] }>('{ updateJobs { id state } }');
    const staged = jobs.data!.updateJobs.find((j) => j.state === 'STAGED')!;
    const res = await admin.query<{ cancelJob: { __typename: string; job: { state: string } } }>(
      `mutation { cancelJob(id: "${staged.id}") { __typename ... on CancelJobSuccess { job { state } } } }`,
    );
    expect(res.data!.cancelJob).toEqual({ __typename: 'CancelJobSuccess', job: { state: 'CANCELLED' } });
    expect(new JobsRepository(app.patchbay.db).events(staged.id).at(-1)).toMatchObject({
      type: 'CANCELLED',
      detail: { code: 'DOWNLOAD_CANCELLED', params: [{ name: 'by', kind: 'TEXT', value: 'admin' }] },
    });
    expect(fs.existsSync(path.join(app.home, 'staging', staged.id))).toBe(false);
    expect(fs.existsSync(path.join(app.home, 'downloads', staged.id))).toBe(false);
    const again = await admin.query<{ cancelJob: { __typename: string } }>(
      `mutation { cancelJob(id: "${staged.id}") { __typename ... on Error { code } } }`,
    );
    expect(again.data!.cancelJob).toMatchObject({ __typename: 'JobNotCancellableError', code: 'JOB_NOT_CANCELLABLE' });

    const racers = await Promise.all(
      [1, 2, 3].map(() =>
        admin.query<ScheduleResult>(SCHEDULE, {
          input: { version: '8.1.3', startAt: new Date(Date.now() + 3_600_000).toISOString(), acknowledgeWarnings: true },
        }),
      ),
    );
    const kinds = racers.map((r) => r.data!.scheduleDownload.__typename).sort();
    expect(kinds).toEqual(['JobAlreadyActiveError', 'JobAlreadyActiveError', 'ScheduleDownloadSuccess']);
    const id = racers.find((r) => r.data!.scheduleDownload.job)!.data!.scheduleDownload.job!.id;
    await admin.query(`mutation { cancelJob(id: "${id}") { __typename } }`);
  });
});

describe('download jobs and the clock', () => {
  it('refuses to schedule without the disk space', async () => {
    const app = await startTestApp({ options: { freeSpace: async () => 1000 } });
    try {
      const admin = await app.admin();
      await admin.query('mutation { checkForUpdates { __typename } }');
      const res = await admin.query<ScheduleResult>(SCHEDULE, { input: { version: '8.1.3', acknowledgeWarnings: true } });
      expect(res.data!.scheduleDownload).toMatchObject({ __typename: 'InsufficientDiskError', code: 'INSUFFICIENT_DISK' });
    } finally {
      await app.close();
    }
  });

  it('fails cleanly on a full disk: DISK_FULL recorded with the file, partial files removed, the appliance runs on', async () => {
    const fullDisk = (file: string) => {
      const stream = fs.createWriteStream(file, { flags: 'a' });
      stream.write = (() => {
        process.nextTick(() => stream.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })));
        return false;
      }) as typeof stream.write;
      return stream;
    };
    const app = await startTestApp({ options: { downloadOptions: { openAppend: fullDisk } } });
    try {
      await app.waitForState('RUNNING');
      const admin = await app.admin();
      await admin.query('mutation { checkForUpdates { __typename } }');
      const res = await admin.query<ScheduleResult>(SCHEDULE, { input: { version: '8.1.3', acknowledgeWarnings: true } });
      const id = res.data!.scheduleDownload.job!.id;
      const job = await waitForJob(admin, id, ['STAGED', 'FAILED']);
      expect(job).toMatchObject({ state: 'FAILED', error: { code: 'DISK_FULL' } });
      expect(job.events.at(-1)!.message).toMatch(/The disk is full/);
      // The admin's words come from the code and its parameters: the file that could not be written.
      const repo = new JobsRepository(app.patchbay.db);
      const part = path.join(app.home, 'downloads', id, 'pbx-8.1.3.tar.gz.part');
      const param = { name: 'path', kind: 'TEXT', value: part };
      expect(repo.find(id)!.errorParams).toEqual([param]);
      expect(repo.events(id).at(-1)).toMatchObject({ type: 'FAILED', detail: { code: 'DISK_FULL', params: [param] } });
      expect(fs.existsSync(path.join(app.home, 'downloads', id))).toBe(false);
      expect(fs.existsSync(path.join(app.home, 'staging', id))).toBe(false);
      expect(app.patchbay.supervisor.getState().state).toBe('RUNNING');
    } finally {
      await app.close();
    }
  });

  it('starts a job at its time, not before (a clock running 100 times faster)', async () => {
    const origin = Date.now();
    const speed = 100;
    const clock: Clock = {
      now: () => new Date(origin + (Date.now() - origin) * speed),
      setTimeout: (fn, ms) => setTimeout(fn, ms / speed),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    const app = await startTestApp({ options: { clock } });
    try {
      const admin = await app.admin();
      await admin.query('mutation { checkForUpdates { __typename } }');
      const startAt = new Date(clock.now().getTime() + 10 * 60_000);
      const res = await admin.query<ScheduleResult>(SCHEDULE, {
        input: { version: '8.1.3', startAt: startAt.toISOString(), acknowledgeWarnings: true },
      });
      const id = res.data!.scheduleDownload.job!.id;
      await new Promise((r) => setTimeout(r, (5 * 60_000) / speed));
      expect((await admin.query<{ updateJob: Job }>(JOB, { id })).data!.updateJob.state).toBe('SCHEDULED');
      const job = await waitForJob(admin, id, ['STAGED', 'FAILED']);
      expect(job.state).toBe('STAGED');
      expect(new Date(job.startedAt!).getTime()).toBeGreaterThanOrEqual(startAt.getTime());
    } finally {
      await app.close();
    }
  });

  it('starts a job whose time passed while Patchbay was stopped, at the next start, and says so', async () => {
    let offset = 0;
    const clock: Clock = {
      now: () => new Date(Date.now() + offset),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    let app = await startTestApp({ options: { clock } });
    const home = app.home;
    try {
      let admin = await app.admin();
      await admin.query('mutation { checkForUpdates { __typename } }');
      const res = await admin.query<ScheduleResult>(SCHEDULE, {
        input: { version: '8.1.3', startAt: new Date(Date.now() + 30 * 60_000).toISOString(), acknowledgeWarnings: true },
      });
      const id = res.data!.scheduleDownload.job!.id;
      await app.patchbay.stop();
      offset = 31 * 60_000;
      app = await startTestApp({ home, options: { clock } });
      admin = await app.admin();
      const job = await waitForJob(admin, id, ['STAGED', 'FAILED']);
      expect(job.state).toBe('STAGED');
      expect(job.events.find((e) => e.type === 'START_MISSED')?.message).toMatch(/passed while Patchbay was not running/);
      const missed = new JobsRepository(app.patchbay.db).events(id).find((e) => e.type === 'START_MISSED');
      expect(missed?.detail).toEqual({
        code: 'DOWNLOAD_START_MISSED',
        params: [{ name: 'startAt', kind: 'TEXT', value: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }],
      });
    } finally {
      await app.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
