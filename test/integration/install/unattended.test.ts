/**
 * The unattended policy through the API of a real Patchbay (real feed server on 127.0.0.1, real
 * SQLite, the real demo appliance) with a clock that jumps ahead: off by default it does nothing;
 * on, a check downloads the next patch release, plans it for the next window as "unattended
 * policy", and it installs there; a release whose module plan needs an acknowledgement waits, the
 * reason recorded; a licence gone by the window's hour refuses the installation, recorded on the job.
 */
import { describe, expect, it } from 'vitest';
import { setDailyWindow } from '../../helpers/daily-window.js';
import { feedAppPerTest } from '../../helpers/feed-app.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { waitForJob } from '../../helpers/install-api.js';
import { FIXTURE_MODULES, prepareForInstall, RELEASE_8_2_0 } from '../../helpers/install-feed.js';
import { type WarpClock, warpClock } from '../../helpers/warp-clock.js';

const HOUR = 3_600_000;
const ENV = { PATCHBAY_SESSION_IDLE_MINUTES: '1440', PATCHBAY_SESSION_ABSOLUTE_HOURS: '48' };

/**
 * A patch of the installed 8.1.0, whose module plan has nothing to acknowledge (Fax 2.0.1 runs on
 * it); 4 MiB, so that a bandwidth cap keeps its download going for a few seconds.
 */
const PATCH_8_1_1 = { version: '8.1.1', dataSchemaVersion: 1, upgradableFrom: '>=8.0.0 <8.1.1', paddingBytes: 4 * 1024 * 1024 };
/** A major that Fax and Call Center 3 do not follow: its module plan has warnings to acknowledge. */
const MAJOR_9_0_0 = { ...RELEASE_8_2_0, version: '9.0.0', modules: [], upgradableFrom: '>=8.0.0 <10.0.0' };

type Policy = { enabled: boolean; kind: string; lastOutcome: { message: string; detail: { code: string } } | null };
type Listed = {
  id: string;
  state: string;
  targetVersion: string;
  createdBy: string;
  installPlan: { when: string; plannedAt: string; scheduledBy: string } | null;
};

async function policy(client: HttpClient): Promise<Policy> {
  const res = await client.query<{ unattendedPolicy: Policy }>(
    '{ unattendedPolicy { enabled kind lastOutcome { message detail { code } } } }',
  );
  return res.data!.unattendedPolicy;
}

async function setPolicy(client: HttpClient, enabled: boolean, kind: string): Promise<{ __typename: string; code?: string }> {
  const res = await client.query<{ setUnattendedPolicy: { __typename: string; code?: string } }>(
    `mutation ($input: SetUnattendedPolicyInput!) { setUnattendedPolicy(input: $input) { __typename ... on Error { code } } }`,
    { input: { enabled, kind } },
  );
  return res.data!.setUnattendedPolicy;
}

async function jobs(client: HttpClient): Promise<Listed[]> {
  const res = await client.query<{ updateJobs: Listed[] }>(
    '{ updateJobs(first: 10) { id state targetVersion createdBy installPlan { when plannedAt scheduledBy } } }',
  );
  return res.data!.updateJobs;
}

async function check(client: HttpClient): Promise<void> {
  const res = await client.query<{ checkForUpdates: { __typename: string } }>('mutation { checkForUpdates { __typename } }');
  expect(res.data!.checkForUpdates.__typename).toBe('CheckForUpdatesSuccess');
}

/** Waits for the policy's job to reach one of `states` and returns it. */
async function policyJob(client: HttpClient, states: string[]): Promise<Listed> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = (await jobs(client)).find((j) => j.createdBy === 'unattended policy' && states.includes(j.state));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no job of the policy in ${states.join('/')}: ${JSON.stringify(await jobs(client))}`);
}

describe('unattended policy', () => {
  const ctx = feedAppPerTest(
    'unattended',
    {
      releases: [PATCH_8_1_1, RELEASE_8_2_0, MAJOR_9_0_0],
      modules: [{ id: 'fax', name: 'Fax', version: '2.0.1', supportedSystem: '>=8.0.0 <9.0.0' }, ...FIXTURE_MODULES],
    },
    ENV,
  );
  const start = (clock: WarpClock) => ctx.start(clock);

  /** A daily window two hours ahead, the policy on with `kind`, the licence imported and a check made. */
  async function policyOn(kind: string): Promise<{ clock: WarpClock; admin: HttpClient; windowStart: Date }> {
    const clock = warpClock();
    const admin = await start(clock);
    const windowStart = await setDailyWindow(admin, clock, 2 * HOUR);
    expect(await setPolicy(admin, true, kind)).toEqual({ __typename: 'UnattendedPolicy' });
    await prepareForInstall(admin, ctx.feed);
    return { clock, admin, windowStart };
  }

  it('is off by default: a check downloads nothing and records nothing', async () => {
    const admin = await start(warpClock());
    await prepareForInstall(admin, ctx.feed);
    expect(await policy(admin)).toEqual({ enabled: false, kind: 'PATCH', lastOutcome: null });
    expect(await jobs(admin)).toEqual([]);
  });

  it('downloads the patch after a check, plans it for the next window as the policy, once, and installs it there', async () => {
    const { clock, admin, windowStart } = await policyOn('PATCH');

    const planned = await policyJob(admin, ['INSTALL_SCHEDULED', 'FAILED', 'CANCELLED']);
    expect(planned).toMatchObject({
      state: 'INSTALL_SCHEDULED',
      targetVersion: '8.1.1',
      installPlan: { when: 'NEXT_WINDOW', plannedAt: windowStart.toISOString(), scheduledBy: 'unattended policy' },
    });
    expect((await policy(admin)).lastOutcome?.detail.code).toBe('UNATTENDED_INSTALL_PLANNED');

    // Another check starts nothing new: the job is under way.
    await check(admin);
    expect((await jobs(admin)).map((j) => j.id)).toEqual([planned.id]);
    expect((await policy(admin)).lastOutcome?.detail.code).toBe('UNATTENDED_JOB_ACTIVE');

    clock.warp(windowStart.getTime() - clock.clock.now().getTime());
    const done = await waitForJob(admin, planned.id, ['SUCCEEDED', 'FAILED', 'STAGED']);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['SCHEDULED', 'STAGED', 'INSTALL_SCHEDULED', 'INSTALL_REQUESTED']),
    );
    expect(done.events.find((e) => e.type === 'INSTALL_REQUESTED')?.message).toContain('unattended policy');
    const installed = await admin.query<{ system: { version: string } }>('{ system { version } }');
    expect(installed.data!.system.version).toBe('8.1.1');
  });

  it('does not take a release whose module plan needs an acknowledgement: it waits, the reason recorded', async () => {
    const { admin } = await policyOn('ANY');

    const { lastOutcome } = await policy(admin);
    expect(lastOutcome?.detail.code).toBe('UNATTENDED_NEEDS_ACKNOWLEDGEMENT');
    expect(lastOutcome?.message).toMatch(/^9\.0\.0 has module warnings to acknowledge \(.*Fax.*\)/);
    expect(await jobs(admin)).toEqual([]);
  });

  it('refuses the planned installation at its hour when the licence no longer allows it: STAGED again, the reason recorded', async () => {
    const { clock, admin, windowStart } = await policyOn('PATCH');
    const planned = await policyJob(admin, ['INSTALL_SCHEDULED', 'FAILED', 'CANCELLED']);
    expect(planned.state).toBe('INSTALL_SCHEDULED');

    const removed = await admin.query<{ removeLicence: { __typename: string } }>(
      'mutation { removeLicence(id: "LIC-INSTALL") { __typename } }',
    );
    expect(removed.data!.removeLicence.__typename).toBe('RemoveLicenceSuccess');
    clock.warp(windowStart.getTime() - clock.clock.now().getTime());

    const refused = await waitForJob(admin, planned.id, ['STAGED', 'INSTALLING', 'SUCCEEDED', 'FAILED']);
    expect(refused.state).toBe('STAGED');
    expect(refused.events.at(-1)!.message).toMatch(
      /^The planned installation could not start: Version 8\.1\.1 cannot be installed: No licence is imported\./,
    );
    const detail = await admin.query<{
      updateJob: { events: { type: string; detail: { code: string; params: { name: string; value: string }[] } | null }[] };
    }>('query ($id: ID!) { updateJob(id: $id) { events { type detail { code params { name value } } } } }', { id: planned.id });
    expect(detail.data!.updateJob.events.at(-1)).toEqual({
      type: 'INSTALL_SCHEDULE_REFUSED',
      detail: { code: 'INSTALL_SCHEDULE_REFUSED', params: [{ name: 'code', value: 'NOT_INSTALLABLE' }] },
    });
    expect(refused.events.map((e) => e.type)).not.toContain('INSTALL_REQUESTED');
    expect(ctx.app!.patchbay.supervisor.getState().state).toBe('RUNNING');
  });

  it('after a restart during its download, follows it again and plans it once it is staged', async () => {
    ctx.home = tmpDir('unattended-home');
    const clock = warpClock();
    const admin = await start(clock);
    const windowStart = await setDailyWindow(admin, clock, 2 * HOUR);
    expect(await setPolicy(admin, true, 'PATCH')).toEqual({ __typename: 'UnattendedPolicy' });
    // 1 MiB/s: the 4 MiB bundle is still downloading when Patchbay stops.
    await admin.query('mutation { setUpdateSettings(downloadBandwidthLimit: 1048576) { __typename } }');
    await prepareForInstall(admin, ctx.feed);
    const downloading = await policyJob(admin, ['SCHEDULED', 'DOWNLOADING', 'STAGED', 'INSTALL_SCHEDULED']);
    expect(['SCHEDULED', 'DOWNLOADING']).toContain(downloading.state);
    await ctx.app!.close();
    ctx.app = null;

    const again = await start(clock);
    const planned = await policyJob(again, ['INSTALL_SCHEDULED', 'STAGED', 'FAILED', 'CANCELLED']);
    expect(planned).toMatchObject({
      id: downloading.id,
      state: 'INSTALL_SCHEDULED',
      installPlan: { when: 'NEXT_WINDOW', plannedAt: windowStart.toISOString(), scheduledBy: 'unattended policy' },
    });
    expect((await waitForJob(again, planned.id, ['INSTALL_SCHEDULED'])).events.map((e) => e.type)).toContain('RESUMED');
  });
});
