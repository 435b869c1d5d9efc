/**
 * No call dropped by an update, with SIPp as the real SIP peer of the demo PBX of a real Patchbay:
 * a call held across the start of a separate-mode installation ends with its own BYE and the stop
 * comes after it when Patchbay drains; a new call meanwhile is refused with 503; without draining
 * the held call is cut. "Install now anyway" ends the wait (the call is then cut, and History says
 * how many were active); Cancel undrains and leaves the staged job installable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { install, job, stageDownload, waitForJob } from '../../helpers/install-api.js';
import { heldDemoCall, outcomeOf, runSippUac } from '../../helpers/sipp.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

interface CallWait {
  end: string;
  waitedMs: number;
  activeCallsAtEnd: number;
  wentOn: boolean;
}

describe('draining the demo PBX before the stop, measured by SIPp', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  async function start(): Promise<{ admin: HttpClient; sipPort: number; jobId: string }> {
    app = await startTestApp({ options: { install: { healthCheckTimeoutMs: 20_000 } } });
    await app.waitForState('RUNNING');
    const admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    const jobId = await stageDownload(admin, '8.2.0');
    const sipPort = (await admin.query<{ system: { sipPort: number } }>('{ system { sipPort } }')).data!.system.sipPort;
    return { admin, sipPort, jobId };
  }

  /** Places one call held `holdMs`, and resolves once the PBX has answered it (with the run, to await its end). */
  const heldCall = (sipPort: number, holdMs: number) => heldDemoCall(app.home, sipPort, holdMs);

  /** Waits until the job is in its DRAIN step with `calls` calls active. */
  async function waitingFor(admin: HttpClient, jobId: string, calls: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { step } = await job(admin, jobId);
      if (step === 'DRAIN' && (await app.patchbay.calls.activeCalls()) === calls) return;
      if (Date.now() > deadline) throw new Error(`the job never waited in DRAIN with ${calls} calls (step ${step})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function record(admin: HttpClient, jobId: string) {
    const res = await admin.query<{
      updateJob: { state: string; callWait: CallWait | null; downtime: { kind: string; seconds: number; endedAt: string | null }[] };
    }>(`{ updateJob(id: "${jobId}") { state callWait { end waitedMs activeCallsAtEnd wentOn } downtime { kind seconds endedAt } } }`);
    return res.data!.updateJob;
  }

  /** When the appliance went down for the installation: its unavailable window's start. */
  const stopAt = (w: { seconds: number; endedAt: string | null }) => new Date(Date.parse(w.endedAt!) - w.seconds * 1000);

  it('with draining, a held call ends with its own BYE, a new call is refused with 503, and the stop comes after', async () => {
    const { admin, sipPort, jobId } = await start();
    const held = await heldCall(sipPort, 4000);
    expect(await install(admin, { jobId, drain: { maxWaitMinutes: 5, onTimeout: 'CANCEL' } })).toMatchObject({
      __typename: 'InstallSuccess',
    });
    await waitingFor(admin, jobId, 1);

    const refused = await runSippUac(sipPort, { calls: 1, holdMs: 100, timeoutS: 10 });
    expect(refused.calls.map(outcomeOf)).toEqual(['refused']);

    const heldRun = await held.ended;
    expect(heldRun.calls.map(outcomeOf)).toEqual(['completed']);
    const done = await waitForJob(admin, jobId, ['SUCCEEDED', 'FAILED'], 90_000);
    expect(done.state).toBe('SUCCEEDED');
    const { callWait, downtime } = await record(admin, jobId);
    expect(callWait).toMatchObject({ end: 'CALLS_ENDED', activeCallsAtEnd: 0, wentOn: true });
    expect(callWait!.waitedMs).toBeGreaterThan(1000);
    // SIPp's BYE and its 200 came before the appliance went down.
    const window = downtime.find((w) => w.kind === 'PLANNED')!;
    expect(heldRun.calls[0]!.byeSentAt!.getTime()).toBeLessThan(stopAt(window).getTime());

    // The new release accepts calls again.
    const after = await runSippUac((await admin.query<{ system: { sipPort: number } }>('{ system { sipPort } }')).data!.system.sipPort, {
      calls: 1,
      holdMs: 100,
    });
    expect(after.calls.map(outcomeOf)).toEqual(['completed']);
  }, 180_000);

  it('without draining, the held call is cut by the stop, and the test says so', async () => {
    const { admin, sipPort, jobId } = await start();
    const held = await heldCall(sipPort, 8000);
    expect(await install(admin, { jobId, drain: { wait: false } })).toMatchObject({ __typename: 'InstallSuccess' });
    const heldRun = await held.ended;
    expect(heldRun.calls.map(outcomeOf), `the call held across the stop is dropped without draining: ${JSON.stringify(heldRun)}`).toEqual([
      'dropped',
    ]);
    expect((await waitForJob(admin, jobId, ['SUCCEEDED', 'FAILED'], 90_000)).state).toBe('SUCCEEDED');
    expect((await record(admin, jobId)).callWait).toBeNull();
  }, 180_000);

  it('"Install now anyway" ends the wait: the call still active is cut, and History counts it', async () => {
    const { admin, sipPort, jobId } = await start();
    const held = await heldCall(sipPort, 12_000);
    expect(await install(admin, { jobId, drain: { maxWaitMinutes: 5, onTimeout: 'CANCEL' } })).toMatchObject({
      __typename: 'InstallSuccess',
    });
    await waitingFor(admin, jobId, 1);
    const now = await admin.query<{ installNow: { __typename: string } }>(`mutation { installNow(jobId: "${jobId}") { __typename } }`);
    expect(now.data!.installNow.__typename).toBe('InstallNowSuccess');
    expect((await waitForJob(admin, jobId, ['SUCCEEDED', 'FAILED'], 90_000)).state).toBe('SUCCEEDED');
    expect((await record(admin, jobId)).callWait).toMatchObject({ end: 'INSTALL_NOW', activeCallsAtEnd: 1, wentOn: true });
    expect((await held.ended).calls.map(outcomeOf)).toEqual(['dropped']);
  }, 180_000);

  it('Cancel ends the wait with the undrain: new calls are answered again and the staged job stays installable', async () => {
    const { admin, sipPort, jobId } = await start();
    const held = await heldCall(sipPort, 6000);
    expect(await install(admin, { jobId, drain: { maxWaitMinutes: 5, onTimeout: 'CANCEL' } })).toMatchObject({
      __typename: 'InstallSuccess',
    });
    await waitingFor(admin, jobId, 1);
    const cancel = await admin.query<{ cancelJob: { __typename: string } }>(`mutation { cancelJob(id: "${jobId}") { __typename } }`);
    expect(cancel.data!.cancelJob.__typename).toBe('CancelJobSuccess');
    expect((await waitForJob(admin, jobId, ['STAGED'], 30_000)).state).toBe('STAGED');
    expect((await record(admin, jobId)).callWait).toMatchObject({ end: 'CANCELLED', activeCallsAtEnd: 1, wentOn: false });

    const fresh = await runSippUac(sipPort, { calls: 1, holdMs: 100, timeoutS: 10 });
    expect(fresh.calls.map(outcomeOf)).toEqual(['completed']);
    expect((await held.ended).calls.map(outcomeOf)).toEqual(['completed']);
    expect(app.patchbay.supervisor.getState().state).toBe('RUNNING');
  }, 180_000);
});
