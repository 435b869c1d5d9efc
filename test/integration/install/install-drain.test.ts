/**
 * The wait for calls before the stop, through the API of a real Patchbay with the real demo
 * appliance: the admin's defaults and their validation, the install input's limit (0, negative or
 * absurd: INVALID_INPUT, nothing begun), the estimate's word on the wait, and an installation with no
 * call in progress (the drain ends at once, History records it; `installNow` and `cancelJob` refuse
 * once nothing waits). Calls held by a real SIP peer: `drain-sipp.test.ts`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { install, job, stageDownload, waitForJob } from '../../helpers/install-api.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

describe('waiting for calls before the stop', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  async function start() {
    app = await startTestApp({ options: { install: { healthCheckTimeoutMs: 10_000 } } });
    await app.waitForState('RUNNING');
    const admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    return admin;
  }

  it('keeps the defaults as the admin sets them, validated, and refuses a limit out of range before anything begins', async () => {
    const admin = await start();
    const defaults = await admin.query<{ drainDefaults: unknown }>('{ drainDefaults { maxWaitMinutes onTimeout } }');
    expect(defaults.data!.drainDefaults).toEqual({ maxWaitMinutes: 10, onTimeout: 'CANCEL' });

    const set = (minutes: number) =>
      admin.query<{ setDrainDefaults: Record<string, unknown> }>(
        `mutation { setDrainDefaults(maxWaitMinutes: ${minutes}, onTimeout: INSTALL_ANYWAY) {
          __typename ... on DrainSettings { maxWaitMinutes onTimeout } ... on InvalidInputError { code field } } }`,
      );
    for (const minutes of [0, -1, 241, 100000]) {
      expect((await set(minutes)).data!.setDrainDefaults).toEqual({
        __typename: 'InvalidInputError',
        code: 'INVALID_INPUT',
        field: 'drain.maxWaitMinutes',
      });
    }
    expect((await set(30)).data!.setDrainDefaults).toEqual({
      __typename: 'DrainSettings',
      maxWaitMinutes: 30,
      onTimeout: 'INSTALL_ANYWAY',
    });
    expect((await admin.query<{ drainDefaults: unknown }>('{ drainDefaults { maxWaitMinutes onTimeout } }')).data!.drainDefaults).toEqual({
      maxWaitMinutes: 30,
      onTimeout: 'INSTALL_ANYWAY',
    });

    const id = await stageDownload(admin, '8.2.0');
    for (const maxWaitMinutes of [0, -5, 241]) {
      const refused = await install(admin, { jobId: id, drain: { maxWaitMinutes, onTimeout: 'CANCEL' } });
      expect(refused).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    }
    expect((await job(admin, id)).state).toBe('STAGED');

    // The estimate says the wait for calls comes first, and is not part of the unavailable time.
    const estimate = await admin.query<{ installEstimate: { callWait: unknown; basis: string } }>(
      `{ installEstimate(jobId: "${id}") { ... on InstallEstimate { basis callWait { supported maxWaitMinutes onTimeout } } } }`,
    );
    expect(estimate.data!.installEstimate.callWait).toEqual({ supported: true, maxWaitMinutes: 30, onTimeout: 'INSTALL_ANYWAY' });
    expect(estimate.data!.installEstimate.basis).toMatch(/wait for calls/i);
  });

  it('installs with no call in progress: the drain ends at once and is recorded, and nothing waits for an order', async () => {
    const admin = await start();
    const id = await stageDownload(admin, '8.2.0');
    expect(await install(admin, { jobId: id, drain: { maxWaitMinutes: 5, onTimeout: 'CANCEL' } })).toMatchObject({
      __typename: 'InstallSuccess',
    });
    const done = await waitForJob(admin, id, ['SUCCEEDED', 'FAILED']);
    expect(done.state).toBe('SUCCEEDED');
    const record = await admin.query<{
      updateJob: { steps: { step: string; outcome: string; detail: { code: string } | null }[]; callWait: unknown };
    }>(`{ updateJob(id: "${id}") { steps { step outcome detail { code } } callWait { end waitedMs activeCallsAtEnd wentOn } } }`);
    const drain = record.data!.updateJob.steps.find((s) => s.step === 'DRAIN')!;
    expect(drain).toEqual({ step: 'DRAIN', outcome: 'DONE', detail: { code: 'INSTALL_DRAIN_CALLS_ENDED' } });
    expect(record.data!.updateJob.callWait).toMatchObject({ end: 'CALLS_ENDED', activeCallsAtEnd: 0, wentOn: true });

    const now = await admin.query<{ installNow: Record<string, unknown> }>(
      `mutation { installNow(jobId: "${id}") { __typename ... on JobNotWaitingForCallsError { code jobId state } } }`,
    );
    expect(now.data!.installNow).toEqual({
      __typename: 'JobNotWaitingForCallsError',
      code: 'JOB_NOT_WAITING_FOR_CALLS',
      jobId: id,
      state: 'SUCCEEDED',
    });
    const cancel = await admin.query<{ cancelJob: Record<string, unknown> }>(
      `mutation { cancelJob(id: "${id}") { __typename ... on Error { code } } }`,
    );
    expect(cancel.data!.cancelJob).toEqual({ __typename: 'JobNotCancellableError', code: 'JOB_NOT_CANCELLABLE' });
  });
});
