/**
 * The four fast reads (`availableVersions`, `system`, `moduleUpdates`, `licenceStatus`) through the
 * real API of a real Patchbay with the demo vendor and appliance: repeated reads compute nothing
 * (the services' computation counters stay put), and every change of an input shows at once in the
 * next read: a licence imported, a version found by Search now, a licence ending on the clock, an
 * installation completed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedLicence } from '../../../server/domain/licence.js';
import { FeedRepository } from '../../../server/vendor/feed-repository.js';
import { loadLicenceKey, signLicence } from '../../../server/vendor/licence-issuer.js';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { install, stageDownload, waitForJob } from '../../helpers/install-api.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { until } from '../../helpers/until.js';
import { warpClock } from '../../helpers/warp-clock.js';

const IMPORT = `mutation ($file: File!) { importLicence(file: $file) { __typename ... on ImportLicenceSuccess { outcome } } }`;
const VERSIONS = 'availableVersions { version installable blockers { code } }';
const SYSTEM = 'system { version state modules { id version } }';
const PLAN = 'moduleUpdates(targetVersion: "8.2.0") { ... on ModulePlan { modules { moduleId installedVersion targetVersion } } }';
const STATUS = 'licenceStatus { maxMajor licensedModules licences { id } warnings { code } }';
const ALL = `{ ${VERSIONS} ${SYSTEM} ${PLAN} ${STATUS} }`;

type Version = { version: string; installable: boolean; blockers: { code: string }[] };
type Plan = { moduleUpdates: { modules: { moduleId: string; installedVersion: string; targetVersion: string | null }[] } };
type Status = { licenceStatus: { maxMajor: number; licensedModules: string[]; licences: { id: string }[] } };

describe('the fast reads', () => {
  const warp = warpClock();
  let app: TestApp;
  let admin: HttpClient;

  const versions = async () => (await admin.query<{ availableVersions: Version[] }>(`{ ${VERSIONS} }`)).data!.availableVersions;
  const counters = () => {
    const { updates, system, modules, licences } = app.patchbay.services;
    return { versions: updates.computations, system: system.computations, plans: modules.computations, licences: licences.computations };
  };
  const upload = async (bytes: string) =>
    (await admin.multipart<{ importLicence: { __typename: string } }>(IMPORT, { file: new File([bytes], 'licence.json') })).data!
      .importLicence.__typename;

  beforeAll(async () => {
    app = await startTestApp({ options: { clock: warp.clock } });
    await app.waitForState('RUNNING');
    admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
  });
  afterAll(() => app?.close());

  it('computes each read once, however often it is asked, and answers the same', async () => {
    // A state change of the appliance (a health probe late on a loaded machine) rightly invalidates
    // the reads that depend on the installed product: such a round is run again.
    let stateChanges = 0;
    const unsubscribe = app.patchbay.supervisor.onStateChange(() => (stateChanges += 1));
    try {
      for (let round = 0; round < 5; round++) {
        const changesBefore = stateChanges;
        const first = await admin.query(ALL);
        const computed = counters();
        const again: unknown[] = [];
        for (let i = 0; i < 5; i++) again.push(await admin.query(ALL));
        if (stateChanges !== changesBefore) continue;
        expect(again).toEqual(Array(5).fill(first));
        expect(counters()).toEqual(computed);
        return;
      }
      throw new Error('the appliance changed state during every round');
    } finally {
      unsubscribe();
    }
  });

  it('makes 9.0.0 installable at once when the upgrade licence is imported', async () => {
    expect((await versions()).find((v) => v.version === '9.0.0')!.installable).toBe(false);
    expect(await upload(fs.readFileSync(path.join(app.home, 'demo-vendor', 'licence-upgrade.json'), 'utf8'))).toBe('ImportLicenceSuccess');
    expect((await versions()).find((v) => v.version === '9.0.0')).toMatchObject({ installable: true, blockers: [] });
    const computed = counters();
    await versions();
    expect(counters()).toEqual(computed);
  });

  it('shows a version that the feed published after the last search once Search now found it', async () => {
    const vendor = await FeedRepository.open(path.join(app.home, 'demo-vendor'));
    const catalog = (await vendor.getCatalog())!;
    const latest = catalog.channels.stable.find((r) => r.version === '9.1.0')!;
    await vendor.setCatalog({
      ...catalog,
      channels: { ...catalog.channels, stable: [...catalog.channels.stable, { ...latest, version: '9.1.1' }] },
    });
    await vendor.publish();
    expect((await versions()).map((v) => v.version)).not.toContain('9.1.1');

    await admin.query('mutation { checkForUpdates { __typename } }');
    expect((await versions()).map((v) => v.version)).toContain('9.1.1');
  });

  it('lets a licence end at its instant on the clock: the timer computes the status, not the next read', async () => {
    const key = await loadLicenceKey(path.join(app.home, 'demo-vendor', 'keys', 'licence.pem'));
    const initial = JSON.parse(fs.readFileSync(path.join(app.home, 'demo-vendor', 'licence-initial.json'), 'utf8')) as SignedLicence;
    const now = warp.clock.now().getTime();
    const term = signLicence(
      {
        ...initial.licence,
        id: 'LIC-TERM',
        issuedAt: new Date(now - 1000).toISOString(),
        expiresAt: new Date(now + 60_000).toISOString(),
        licensedModules: ['recording'],
      },
      key,
    );
    expect(await upload(JSON.stringify(term))).toBe('ImportLicenceSuccess');
    expect((await admin.query<Status>(`{ ${STATUS} }`)).data!.licenceStatus.licensedModules).toContain('recording');
    const before = counters().licences;

    warp.warp(61_000);
    expect(
      await until(
        () => counters().licences,
        (n) => n > before,
      ),
    ).toBeGreaterThan(before);
    const computed = counters();
    const status = (await admin.query<Status>(`{ ${STATUS} }`)).data!.licenceStatus;
    expect(status.licensedModules).not.toContain('recording');
    expect(status.licences.map((l) => l.id)).toContain('LIC-TERM');
    expect(counters()).toEqual(computed);
  });

  it('shows the new system version, modules and plan once an installation completes', async () => {
    expect((await admin.query<{ system: { version: string } }>(`{ ${SYSTEM} }`)).data!.system.version).toBe('8.1.0');
    const planBefore = (await admin.query<Plan>(`{ ${PLAN} }`)).data!.moduleUpdates.modules.find((m) => m.moduleId === 'callcenter')!;
    expect(planBefore.installedVersion).not.toBe('3.1.0');

    const id = await stageDownload(admin, '8.2.0', [{ moduleId: 'callcenter', version: '3.1.0' }]);
    expect((await install(admin, { jobId: id })).__typename).toBe('InstallSuccess');
    expect((await waitForJob(admin, id, ['SUCCEEDED', 'FAILED'])).state).toBe('SUCCEEDED');

    const system = (await admin.query<{ system: { version: string; modules: { id: string; version: string }[] } }>(`{ ${SYSTEM} }`)).data!
      .system;
    expect(system.version).toBe('8.2.0');
    expect(system.modules.find((m) => m.id === 'callcenter')!.version).toBe('3.1.0');
    const planAfter = (await admin.query<Plan>(`{ ${PLAN} }`)).data!.moduleUpdates.modules.find((m) => m.moduleId === 'callcenter')!;
    expect(planAfter.installedVersion).toBe('3.1.0');
    expect((await versions()).map((v) => v.version)).not.toContain('8.2.0');
  });
});
