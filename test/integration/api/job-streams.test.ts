/**
 * Streams that end, through the API of a real Patchbay with the real demo appliance, over
 * graphql-ws and SSE alike: `updateProgress` completes after the job's last event (STAGED for a
 * download in separate mode, SUCCEEDED, FAILED, CANCELLED), `restoreEvents` with the job after its
 * way back, a late subscriber gets the final state and the end, and an unknown job id is refused
 * with NOT_FOUND.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Followed, followSse, followWs, type HttpClient, wsClient } from '../../helpers/graphql-clients.js';
import { install, plannedModules, waitForJob } from '../../helpers/install-api.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import type { Client } from 'graphql-ws';

type Progress = { updateProgress: { jobId: string; state: string; step: string | null } };
type Restore = { restoreEvents: { seq: number; type: string } };
const progressOf = (id: string) => `subscription { updateProgress(jobId: "${id}") { jobId state step } }`;
const restoreOf = (id: string) => `subscription { restoreEvents(jobId: "${id}") { seq type } }`;
const SCHEDULE = `mutation ($input: ScheduleDownloadInput!) { scheduleDownload(input: $input) {
  __typename ... on ScheduleDownloadSuccess { job { id state } } ... on Error { code message } } }`;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const states = (followed: Followed<Progress>) => followed.results.map((r) => r.data?.updateProgress.state);
const types = (followed: Followed<Restore>) => followed.results.map((r) => r.data?.restoreEvents.type);

describe('streams that follow one job', () => {
  let app: TestApp;
  let admin: HttpClient;
  let token: string;
  let ws: Client;
  /** An installation waits at its start until the followers are in place. */
  let held: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    app = await startTestApp({
      options: { install: { healthCheckTimeoutMs: 10_000, hooks: { afterJournal: (j) => (j.step === 'PREFLIGHT' ? held : undefined) } } },
    });
    await app.waitForState('RUNNING');
    admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    token = await app.token(['READ']);
    ws = wsClient(app.url, { connectionParams: { authorization: `Bearer ${token}` } });
  });
  afterAll(async () => {
    await ws?.dispose();
    await app?.close();
  });

  /** The same subscription over graphql-ws and SSE; `onBothStarted` once each has its first result. */
  async function followBoth<T>(query: string, onBothStarted?: () => void | Promise<void>, timeoutMs = 60_000) {
    let started = 0;
    const onStarted = () => (++started === 2 ? onBothStarted?.() : undefined);
    const [overWs, overSse] = await Promise.all([
      followWs<T>(ws, query, { timeoutMs, onStarted }),
      followSse<T>(app.url, query, { authorization: `Bearer ${token}` }, { timeoutMs, onStarted }),
    ]);
    expect(overSse.status).toBe(200);
    return [overWs, { results: overSse.results, completed: overSse.completed }] as const;
  }

  /**
   * Begins an installation (or restore), held at its start until its progress is followed over
   * both transports, and follows both of its streams from there.
   */
  async function followFromStart(begin: () => Promise<string>) {
    let release: () => void = () => {};
    held = new Promise<void>((r) => (release = r));
    const id = await begin();
    const [progress, restore] = await Promise.all([
      followBoth<Progress>(progressOf(id), () => {
        release();
        held = Promise.resolve();
      }),
      followBoth<Restore>(restoreOf(id)),
    ]);
    return { id, progress, restore };
  }

  async function schedule(version: string, startAt: Date): Promise<string> {
    const res = await admin.query<{ scheduleDownload: { __typename: string; job?: { id: string; state: string } } }>(SCHEDULE, {
      input: { version, modules: await plannedModules(admin, version), startAt: startAt.toISOString(), acknowledgeWarnings: true },
    });
    expect(res.data!.scheduleDownload).toMatchObject({ __typename: 'ScheduleDownloadSuccess', job: { state: 'SCHEDULED' } });
    return res.data!.scheduleDownload.job!.id;
  }

  it('refuses an unknown job id with NOT_FOUND and ends, for both streams on both transports', async () => {
    for (const query of [progressOf(UNKNOWN_ID), restoreOf(UNKNOWN_ID)]) {
      for (const followed of await followBoth(query, undefined, 10_000)) {
        expect(followed.completed).toBe(true);
        expect(followed.results).toHaveLength(1);
        expect(followed.results[0]!.data ?? null).toBeNull();
        expect(followed.results[0]!.errors).toEqual([
          expect.objectContaining({ message: `No update job with id ${UNKNOWN_ID}.`, extensions: { code: 'NOT_FOUND' } }),
        ]);
      }
    }
  });

  it('ends a cancelled download with its CANCELLED event; a late subscriber gets CANCELLED and the end', async () => {
    const id = await schedule('8.1.3', new Date(Date.now() + 3_600_000));
    const live = await followBoth<Progress>(progressOf(id), async () => {
      const res = await admin.query<{ cancelJob: { __typename: string } }>(`mutation { cancelJob(id: "${id}") { __typename } }`);
      expect(res.data!.cancelJob.__typename).toBe('CancelJobSuccess');
    });
    for (const followed of live) {
      expect(followed.completed).toBe(true);
      expect(states(followed)).toEqual(['SCHEDULED', 'CANCELLED']);
    }
    for (const followed of await followBoth<Progress>(progressOf(id))) {
      expect(followed.completed).toBe(true);
      expect(states(followed)).toEqual(['CANCELLED']);
    }
    for (const followed of await followBoth<Restore>(restoreOf(id))) expect(followed).toEqual({ results: [], completed: true });
  });

  let staged = '';

  it('ends a download in separate mode at STAGED; a late subscriber gets STAGED and the end', async () => {
    // A start a few seconds ahead: the followers are in place before the download begins.
    staged = await schedule('8.1.3', new Date(Date.now() + 4000));
    for (const followed of await followBoth<Progress>(progressOf(staged))) {
      expect(followed.completed).toBe(true);
      const seen = states(followed);
      expect(seen[0]).toBe('SCHEDULED');
      expect(seen).toContain('DOWNLOADING');
      expect(seen.at(-1)).toBe('STAGED');
      expect(seen.filter((s) => s === 'STAGED')).toHaveLength(1);
    }
    for (const followed of await followBoth<Progress>(progressOf(staged))) {
      expect(followed.completed).toBe(true);
      expect(followed.results.map((r) => r.data?.updateProgress)).toEqual([{ jobId: staged, state: 'STAGED', step: null }]);
    }
  });

  it('follows the installation of the staged job, the same job id, with a new subscription after `install`, to SUCCEEDED', async () => {
    const { progress, restore } = await followFromStart(async () => {
      const res = await install(admin, { jobId: staged });
      expect(res).toMatchObject({ __typename: 'InstallSuccess', job: { id: staged, state: 'INSTALLING' } });
      return staged;
    });
    for (const followed of progress) {
      expect(followed.completed).toBe(true);
      const seen = states(followed);
      expect(seen[0]).toBe('INSTALLING');
      expect(seen.slice(0, -1).every((s) => s === 'INSTALLING')).toBe(true);
      expect(seen.at(-1)).toBe('SUCCEEDED');
      expect(followed.results.map((r) => r.data?.updateProgress.step)).toContain('HEALTHCHECK');
    }
    // No way back: the restore stream ends with the job, without an event.
    for (const followed of restore) expect(followed).toEqual({ results: [], completed: true });
    expect(await waitForJob(admin, staged, ['SUCCEEDED'])).toMatchObject({ state: 'SUCCEEDED', targetVersion: '8.1.3' });
  });

  it('follows an installation in one go to SUCCEEDED and ends; a late subscriber gets SUCCEEDED and the end', async () => {
    const modules = await plannedModules(admin, '8.2.0');
    const { id, progress, restore } = await followFromStart(async () => {
      const res = await install(admin, { version: '8.2.0', modules, acknowledgeWarnings: true });
      expect(res.__typename).toBe('InstallSuccess');
      return res.job!.id;
    });
    for (const followed of restore) expect(followed).toEqual({ results: [], completed: true });
    for (const followed of progress) {
      expect(followed.completed).toBe(true);
      const seen = states(followed);
      expect(seen[0]).toBe('INSTALLING');
      expect(seen.at(-1)).toBe('SUCCEEDED');
      expect(followed.results.map((r) => r.data?.updateProgress.step)).toContain('DOWNLOAD');
    }
    for (const followed of await followBoth<Progress>(progressOf(id))) {
      expect(followed.completed).toBe(true);
      expect(followed.results.map((r) => r.data?.updateProgress)).toEqual([expect.objectContaining({ jobId: id, state: 'SUCCEEDED' })]);
    }
    for (const followed of await followBoth<Restore>(restoreOf(id))) expect(followed).toEqual({ results: [], completed: true });
  });

  async function backupNow(): Promise<string> {
    const res = await admin.query<{ createBackup: { __typename: string; backup?: { id: string } } }>(
      'mutation { createBackup { __typename ... on CreateBackupSuccess { backup { id } } } }',
    );
    expect(res.data!.createBackup.__typename).toBe('CreateBackupSuccess');
    return res.data!.createBackup.backup!.id;
  }

  async function restore(backupId: string): Promise<string> {
    const res = await admin.query<{ restoreBackup: { __typename: string; job?: { id: string } } }>(
      `mutation { restoreBackup(id: "${backupId}") { __typename ... on RestoreBackupSuccess { job { id } } } }`,
    );
    expect(res.data!.restoreBackup.__typename).toBe('RestoreBackupSuccess');
    return res.data!.restoreBackup.job!.id;
  }

  it('ends both streams of a restore that succeeds with the job, the restore stream without an event', async () => {
    const backupId = await backupNow();
    const { progress, restore: restoreStream } = await followFromStart(() => restore(backupId));
    for (const followed of progress) {
      expect(followed.completed).toBe(true);
      expect(states(followed).at(-1)).toBe('SUCCEEDED');
    }
    for (const followed of restoreStream) expect(followed).toEqual({ results: [], completed: true });
  });

  it('streams the way back of a restore that fails to FINISHED and ends; a late subscriber gets it replayed and the end', async () => {
    const backupId = await backupNow();
    // A flipped byte: the restore finds the backup corrupt and puts back what it replaced.
    const file = path.join(app.home, 'backups', backupId, 'data', 'calls.db');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    fs.writeFileSync(file, bytes);
    const { id, progress, restore: restoreStream } = await followFromStart(() => restore(backupId));
    for (const followed of progress) {
      expect(followed.completed).toBe(true);
      expect(states(followed)).toContain('RESTORING');
      expect(states(followed).at(-1)).toBe('FAILED');
    }
    const milestones = (followed: Followed<Restore>) => types(followed).filter((t) => t !== 'GROUP_PROGRESS');
    for (const followed of restoreStream) {
      expect(followed.completed).toBe(true);
      expect(milestones(followed)[0]).toBe('STARTED');
      expect(milestones(followed).at(-1)).toBe('FINISHED');
      expect(types(followed).at(-1)).toBe('FINISHED');
    }
    const events = restoreStream[0].results.map((r) => r.data!.restoreEvents.seq);
    for (const followed of await followBoth<Restore>(restoreOf(id))) {
      expect(followed.completed).toBe(true);
      expect(followed.results.map((r) => r.data!.restoreEvents.seq)).toEqual(events);
    }
    expect(await waitForJob(admin, id, ['FAILED'])).toMatchObject({ outcome: 'RESTORED', error: { code: 'RESTORE_FAILED' } });
  });
});
