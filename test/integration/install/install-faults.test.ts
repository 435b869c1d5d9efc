/**
 * Installations that fail, through the API of a real Patchbay with the real demo appliance: a
 * migration that fails, a release that exits at start or never becomes healthy, a module that
 * fails, a backup that cannot be verified, a full disk during the backup, and the requests that
 * are refused. Each ends with the appliance running, its data intact, and a typed, recorded outcome.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InstallFeed, publishInstallFeed, prepareForInstall, RELEASE_8_2_0, FIXTURE_MODULES } from '../../helpers/install-feed.js';
import { install, job, leftovers, liveFiles, stageDownload, treeHashes, waitForJob } from '../../helpers/install-api.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { mountTmpfs, unmount } from '../../helpers/tmpfs.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';
import type { PatchbayOptions } from '../../../server/main.js';

const FAILING = {
  migration: { ...RELEASE_8_2_0, version: '8.2.1', manifest: { failMigrations: ['calls-recording-flag'] } },
  start: { ...RELEASE_8_2_0, version: '8.2.2', manifest: { failStart: true } },
  health: { ...RELEASE_8_2_0, version: '8.2.3', manifest: { failHealth: true } },
  module: { ...RELEASE_8_2_0, version: '8.2.4', modules: [{ id: 'fax', version: '2.2.0' }] },
  wrongModule: { ...RELEASE_8_2_0, version: '8.2.5', modules: [{ id: 'fax', version: '2.3.0' }] },
};
/** A major that Fax and Call Center 3 do not follow: its module plan has warnings to acknowledge. */
const LEAVES_MODULES_BEHIND = { ...RELEASE_8_2_0, version: '9.0.0', modules: [], upgradableFrom: '>=8.0.0 <10.0.0' };

describe('installations that fail', () => {
  let dir: string;
  let feed: InstallFeed;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    dir = tmpDir('install-faults');
    feed = await publishInstallFeed(dir, {
      releases: [RELEASE_8_2_0, ...Object.values(FAILING), LEAVES_MODULES_BEHIND],
      modules: [
        ...FIXTURE_MODULES,
        { id: 'fax', name: 'Fax', version: '2.2.0', supportedSystem: '>=8.2.4 <8.2.5', failLoad: true },
        { id: 'fax', name: 'Fax', version: '2.3.0', supportedSystem: '>=8.2.5 <8.2.6', manifestVersion: '9.9.9' },
      ],
    });
  });
  afterAll(async () => {
    // Every app is closed even when one fails to; then the failure is reported.
    const closed = await Promise.allSettled(apps.map((app) => app.close()));
    await feed?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const failed = closed.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
  });

  async function appWith(options: PatchbayOptions = {}, env: Record<string, string> = {}, home?: string) {
    const app = await startTestApp({
      env: { ...feed.env, ...env },
      options: { install: { healthCheckTimeoutMs: 4000 }, ...options },
      home,
    });
    apps.push(app);
    await app.waitForState('RUNNING');
    const admin = await app.admin();
    await prepareForInstall(admin, feed);
    return { app, admin };
  }

  const dataDir = (app: TestApp) => path.join(app.home, 'appliance', 'data');
  const countCalls = (file: string) => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  /**
   * The data's bytes, read with the appliance stopped: a running SQLite appliance keeps recent
   * writes in its WAL and moves them into the database when it stops.
   */
  async function snapshot(app: TestApp): Promise<Record<string, string>> {
    const { supervisor } = app.patchbay;
    await supervisor.stopForMaintenance('test snapshot');
    try {
      return treeHashes(dataDir(app), liveFiles);
    } finally {
      await supervisor.startAfterMaintenance();
    }
  }

  /** Installs in one go and waits for the end; the data snapshot is taken just before. */
  async function failInOneGo(app: TestApp, admin: Awaited<ReturnType<TestApp['admin']>>, version: string, modules: object[] = []) {
    const before = await snapshot(app);
    const res = await install(admin, { version, modules, acknowledgeWarnings: true });
    expect(res.__typename, JSON.stringify(res)).toBe('InstallSuccess');
    const done = await waitForJob(admin, res.job!.id, ['SUCCEEDED', 'FAILED']);
    return { before, done };
  }

  async function expectPreviousStateBack(app: TestApp, admin: Awaited<ReturnType<TestApp['admin']>>, before: Record<string, string>) {
    const system = (await admin.query<{ system: { version: string; state: string } }>('{ system { version state } }')).data!.system;
    expect(system).toEqual({ version: '8.1.0', state: 'RUNNING' });
    expect(await snapshot(app)).toEqual(before);
    expect(leftovers(app.home)).toEqual([]);
    expect(fs.readdirSync(path.join(app.home, 'appliance', 'releases'))).toEqual(['8.1.0']);
    const journal = JSON.parse(fs.readFileSync(path.join(app.home, 'install', 'journal.json'), 'utf8')) as { phase: string };
    expect(journal.phase).toBe('DONE');
  }

  it('restores the backup when the migration fails: the previous version runs with its data as before', async () => {
    const { app, admin } = await appWith();
    const { before, done } = await failInOneGo(app, admin, '8.2.1');
    expect(done).toMatchObject({ state: 'FAILED', outcome: 'RESTORED', restored: true, error: { code: 'MIGRATION_FAILED' } });
    expect(done.error!.message).toMatch(/migration calls-recording-flag failed/);
    expect(done.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual([
      'PREFLIGHT:DONE',
      'DRAIN:DONE',
      'STOP:DONE',
      'DOWNLOAD:DONE',
      'BACKUP:DONE',
      'APPLY:DONE',
      'MIGRATE:FAILED',
      'ROLLBACK_STOP:DONE',
      'ROLLBACK_DATA:DONE',
      'ROLLBACK_SWITCH:DONE',
      'ROLLBACK_START:DONE',
      'ROLLBACK_HEALTHCHECK:DONE',
    ]);
    expect(done.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'RESTORE_STARTED',
        'RESTORE_GROUP_RESTORED',
        'RESTORE_SWITCHED_BACK',
        'RESTORE_APPLIANCE_HEALTHY',
        'RESTORE_FINISHED',
      ]),
    );
    await expectPreviousStateBack(app, admin, before);
  });

  it('restores when the new release exits at start', async () => {
    const { app, admin } = await appWith();
    const { before, done } = await failInOneGo(app, admin, '8.2.2');
    expect(done).toMatchObject({ state: 'FAILED', outcome: 'RESTORED', restored: true, error: { code: 'APPLIANCE_START_FAILED' } });
    expect(done.error!.message).toMatch(/cannot start \(fixture\)/);
    await expectPreviousStateBack(app, admin, before);
  });

  it('restores when the new release never becomes healthy, after the health-check timeout', async () => {
    const { app, admin } = await appWith();
    const { before, done } = await failInOneGo(app, admin, '8.2.3');
    expect(done).toMatchObject({ state: 'FAILED', outcome: 'RESTORED', restored: true, error: { code: 'HEALTHCHECK_FAILED' } });
    expect(done.error!.message).toMatch(/did not become healthy within 4000 ms/);
    await expectPreviousStateBack(app, admin, before);
  });

  it('restores when a module cannot be loaded, and removes the module version it added', async () => {
    const { app, admin } = await appWith();
    const { before, done } = await failInOneGo(app, admin, '8.2.4', [{ moduleId: 'fax', version: '2.2.0' }]);
    expect(done).toMatchObject({ state: 'FAILED', outcome: 'RESTORED', restored: true, error: { code: 'APPLIANCE_START_FAILED' } });
    expect(done.error!.message).toMatch(/module fax 2.2.0 failed to load/);
    await expectPreviousStateBack(app, admin, before);
    expect(fs.existsSync(path.join(app.home, 'appliance', 'modules', 'fax', '2.2.0'))).toBe(false);
    const modules = (await admin.query<{ system: { modules: { id: string; version: string }[] } }>('{ system { modules { id version } } }'))
      .data!.system.modules;
    expect(modules.find((m) => m.id === 'fax')!.version).toBe('2.0.0');
  });

  it('refuses a module bundle that is not the version it was released as, and restores', async () => {
    const { app, admin } = await appWith();
    const { before, done } = await failInOneGo(app, admin, '8.2.5', [{ moduleId: 'fax', version: '2.3.0' }]);
    expect(done).toMatchObject({ state: 'FAILED', outcome: 'RESTORED', error: { code: 'MODULE_FAILED' } });
    expect(done.error!.message).toMatch(/describes fax 9\.9\.9/);
    await expectPreviousStateBack(app, admin, before);
  });

  it('does not go on with a backup that cannot be verified: nothing is changed and the appliance runs again', async () => {
    // Every file the backup writes gets one byte wrong, as a failing disk would.
    const corrupting = async (src: string, dest: string): Promise<void> => {
      await fsp.copyFile(src, dest);
      const copy = await fsp.readFile(dest);
      if (copy.length === 0) return;
      copy[0] = copy[0]! ^ 0xff;
      await fsp.writeFile(dest, copy);
    };
    const { app, admin } = await appWith({ backupIo: { copyFile: corrupting } });
    const id = await stageDownload(admin, '8.2.0', [{ moduleId: 'callcenter', version: '3.1.0' }]);
    const before = await snapshot(app);
    expect((await install(admin, { jobId: id })).__typename).toBe('InstallSuccess');
    const done = await waitForJob(admin, id, ['SUCCEEDED', 'FAILED']);
    expect(done).toMatchObject({ state: 'FAILED', outcome: 'ROLLED_BACK', restored: false, error: { code: 'BACKUP_NOT_VERIFIED' } });
    expect(done.steps.map((s) => s.step)).not.toContain('APPLY');
    await expectPreviousStateBack(app, admin, before);
    expect((await admin.query<{ backups: unknown[] }>('{ backups { id } }')).data!.backups).toEqual([]);
  });

  it('fails cleanly on a full disk during the backup (ENOSPC while copying)', async () => {
    // The first copy fills the disk halfway through its file.
    const fullDisk = async (src: string, dest: string): Promise<void> => {
      const content = await fsp.readFile(src);
      await fsp.writeFile(dest, content.subarray(0, content.length >> 1));
      throw Object.assign(new Error(`ENOSPC: no space left on device, copyfile '${src}' -> '${dest}'`), { code: 'ENOSPC' });
    };
    const { app, admin } = await appWith({ backupIo: { copyFile: fullDisk } });
    const { before, done } = await failInOneGo(app, admin, '8.2.0', [{ moduleId: 'callcenter', version: '3.1.0' }]);
    expect(done).toMatchObject({ state: 'FAILED', outcome: 'ROLLED_BACK', restored: false, error: { code: 'DISK_FULL' } });
    await expectPreviousStateBack(app, admin, before);
    // The one-go download and its staging are gone too.
    expect(fs.readdirSync(path.join(app.home, 'downloads'))).toEqual([]);
  });

  // Decided when the tests are collected: a probe mounted and unmounted at once.
  const canMount = (() => {
    const probe = tmpDir('mount-probe');
    const mounted = mountTmpfs(probe, '64k');
    if (mounted) unmount(probe);
    fs.rmSync(probe, { recursive: true, force: true });
    return mounted;
  })();

  it.skipIf(!canMount)('fails cleanly on a real full disk: the backups live on a 16 KiB tmpfs (needs root to mount)', async () => {
    const home = tmpDir('full-disk-home');
    const backups = path.join(home, 'backups');
    fs.mkdirSync(backups);
    if (!mountTmpfs(backups, '16k')) throw new Error('the tmpfs could not be mounted');
    try {
      const { app, admin } = await appWith({}, {}, home);
      // More call records than the tmpfs can hold.
      const db = new Database(path.join(dataDir(app), 'calls.db'));
      db.exec('CREATE TABLE IF NOT EXISTS filler (x BLOB); INSERT INTO filler VALUES (randomblob(65536))');
      db.close();
      const id = await stageDownload(admin, '8.2.0', [{ moduleId: 'callcenter', version: '3.1.0' }]);
      const before = await snapshot(app);
      expect((await install(admin, { jobId: id })).__typename).toBe('InstallSuccess');
      const done = await waitForJob(admin, id, ['SUCCEEDED', 'FAILED']);
      expect(done).toMatchObject({ state: 'FAILED', outcome: 'ROLLED_BACK', error: { code: 'DISK_FULL' } });
      expect(fs.readdirSync(backups)).toEqual([]);
      expect(await snapshot(app)).toEqual(before);
      expect((await admin.query<{ system: { version: string; state: string } }>('{ system { version state } }')).data!.system).toEqual({
        version: '8.1.0',
        state: 'RUNNING',
      });
    } finally {
      const app = apps.find((a) => a.home === home);
      await app?.close();
      apps.splice(apps.indexOf(app!), 1);
      unmount(backups);
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('keeps every call record written before the stop when it restores (the appliance takes calls until then)', async () => {
    const { app, admin } = await appWith({}, { PATCHBAY_DEMO_CALL_INTERVAL_MS: '20' });
    // The appliance has taken calls of its own (the seed holds 50) before the installation starts.
    const deadline = Date.now() + 10_000;
    while (countCalls(path.join(dataDir(app), 'calls.db')) <= 55 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const res = await install(admin, { version: '8.2.1', modules: [], acknowledgeWarnings: true });
    const done = await waitForJob(admin, res.job!.id, ['SUCCEEDED', 'FAILED']);
    expect(done.outcome).toBe('RESTORED');
    // The backup holds the records as they were when the appliance stopped: all are back.
    const backup = path.join(app.home, 'backups', done.backupId!, 'data', 'calls.db');
    const read = (file: string) => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT * FROM calls ORDER BY id').all() as { id: number }[];
      } finally {
        db.close();
      }
    };
    const atStop = read(backup);
    expect(atStop.length).toBeGreaterThan(55);
    const now = read(path.join(dataDir(app), 'calls.db'));
    expect(now.slice(0, atStop.length)).toEqual(atStop);
  });

  describe('requests that are refused at once', () => {
    it('refuses an installation while another job is active, a job not yet downloaded, and bad input', async () => {
      const { admin } = await appWith();
      const res = await admin.query<{ scheduleDownload: { job: { id: string } } }>(
        'mutation ($at: DateTime) { scheduleDownload(input: { version: "8.2.0", startAt: $at, acknowledgeWarnings: true }) { ... on ScheduleDownloadSuccess { job { id } } } }',
        { at: new Date(Date.now() + 86_400_000).toISOString() },
      );
      const scheduled = res.data!.scheduleDownload.job.id;
      expect(await install(admin, { jobId: scheduled })).toMatchObject({ __typename: 'JobNotReadyError', code: 'JOB_NOT_READY' });
      expect(await install(admin, { version: '8.2.0', acknowledgeWarnings: true })).toMatchObject({
        __typename: 'JobAlreadyActiveError',
        code: 'JOB_ALREADY_ACTIVE',
      });
      expect(await install(admin, { jobId: 'nope' })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await install(admin, {})).toMatchObject({ code: 'INVALID_INPUT' });
      expect(await install(admin, { jobId: scheduled, version: '8.2.0' })).toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('refuses a second installation while one runs', async () => {
      // The first installation waits after its PREFLIGHT until the refusals below have been answered.
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      const { app, admin } = await appWith({
        install: { hooks: { afterJournal: (j) => (j.step === 'PREFLIGHT' ? gate : undefined) }, healthCheckTimeoutMs: 4000 },
      });
      const first = await install(admin, {
        version: '8.2.0',
        modules: [{ moduleId: 'callcenter', version: '3.1.0' }],
        acknowledgeWarnings: true,
      });
      expect(first.__typename).toBe('InstallSuccess');
      const second = await install(admin, { version: '8.2.0', acknowledgeWarnings: true });
      expect(second).toMatchObject({ code: 'OPERATION_IN_PROGRESS' });
      expect(
        (await admin.query<{ cancelJob: { code: string } }>(`mutation { cancelJob(id: "${first.job!.id}") { ... on Error { code } } }`))
          .data!.cancelJob.code,
      ).toBe('JOB_NOT_CANCELLABLE');
      expect((await job(admin, first.job!.id)).state).toBe('INSTALLING');
      release();
      expect((await waitForJob(admin, first.job!.id, ['SUCCEEDED', 'FAILED'])).state).toBe('SUCCEEDED');
      expect(app.patchbay.supervisor.getState().state).toBe('RUNNING');
    });

    it('refuses what the licence does not allow, unacknowledged warnings, and a disk without room', async () => {
      const { admin } = await appWith({ freeSpace: async () => 1024 });
      const plan = await admin.query<{ moduleUpdates: { modules: { moduleId: string; warnings: { code: string }[] }[] } }>(
        '{ moduleUpdates(targetVersion: "9.0.0") { ... on ModulePlan { modules { moduleId warnings { code } } } } }',
      );
      expect(plan.data!.moduleUpdates.modules.filter((m) => m.warnings.length).map((m) => m.moduleId)).toEqual(['fax', 'callcenter']);
      expect(await install(admin, { version: '9.0.0', acknowledgeWarnings: false })).toMatchObject({
        __typename: 'WarningsNotAcknowledgedError',
        code: 'WARNINGS_NOT_ACKNOWLEDGED',
      });
      expect(await install(admin, { version: '8.1.0', acknowledgeWarnings: true })).toMatchObject({ code: 'VERSION_NOT_FOUND' });
      expect(await install(admin, { version: '8.2.0', acknowledgeWarnings: true })).toMatchObject({
        __typename: 'InsufficientDiskError',
        code: 'INSUFFICIENT_DISK',
      });
    });

    it('refuses a version that is not installable with the licences imported', async () => {
      const app = await startTestApp({ options: { install: { healthCheckTimeoutMs: 4000 } } });
      apps.push(app);
      const admin = await app.admin();
      await admin.query('mutation { checkForUpdates { __typename } }');
      // The demo's licence covers major 8 only, with a contract that ended before 9.0.0.
      const refused = await install(admin, { version: '9.0.0', acknowledgeWarnings: true });
      expect(refused).toMatchObject({ __typename: 'NotInstallableError', code: 'NOT_INSTALLABLE' });
      expect((await admin.query<{ updateJobs: unknown[] }>('{ updateJobs { id } }')).data!.updateJobs).toEqual([]);
    });
  });
});
