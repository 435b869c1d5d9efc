/**
 * Installations that succeed, through the API of a real Patchbay with the real demo appliance and
 * its embedded vendor (8.1.0 → 8.2.0: a data migration and module updates): both modes, the step
 * progress and restore events over graphql-ws and SSE, the administrator's backups, the estimate
 * and the recorded downtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { SupervisorState } from '../../../server/services/appliance-supervisor.js';
import { collect, sseEvents, wsClient } from '../../helpers/graphql-clients.js';
import { install, leftovers, stageDownload, waitForJob } from '../../helpers/install-api.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const CALLCENTER = { moduleId: 'callcenter', version: '3.1.0' };

function readCalls(file: string) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      rows: db.prepare('SELECT id, caller, callee, started_at FROM calls ORDER BY id').all(),
      columns: (db.prepare('PRAGMA table_info(calls)').all() as { name: string }[]).map((c) => c.name),
    };
  } finally {
    db.close();
  }
}

describe('installation', () => {
  let app: TestApp;
  afterEach(async () => {
    await app?.close();
  });

  async function start(options: Parameters<typeof startTestApp>[0] = {}) {
    app = await startTestApp({ ...options, options: { install: { healthCheckTimeoutMs: 10_000 }, ...options.options } });
    await app.waitForState('RUNNING');
    const admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    return admin;
  }

  it('installs a staged download: backup, migration, switch, modules, restart; the appliance runs 8.2.0 with its data migrated', async () => {
    const admin = await start();
    const dataDir = path.join(app.home, 'appliance', 'data');
    const callsBefore = readCalls(path.join(dataDir, 'calls.db')).rows;
    const id = await stageDownload(admin, '8.2.0', [CALLCENTER]);

    const estimate = await admin.query<{ installEstimate: Record<string, unknown> }>(
      `{ installEstimate(jobId: "${id}") { __typename ... on InstallEstimate { seconds backupSeconds otherSeconds downloadSeconds worstCaseSeconds dataBytes basis } } }`,
    );
    expect(estimate.data!.installEstimate).toMatchObject({ __typename: 'InstallEstimate', downloadSeconds: 0 });
    expect(estimate.data!.installEstimate.dataBytes).toBeGreaterThan(0);
    expect(estimate.data!.installEstimate.worstCaseSeconds).toBeGreaterThanOrEqual(estimate.data!.installEstimate.seconds as number);

    const states: string[] = [];
    const unsubscribe = app.patchbay.supervisor.onStateChange((s: SupervisorState) => states.push(s.state));
    const res = await install(admin, { jobId: id });
    expect(res).toMatchObject({ __typename: 'InstallSuccess', job: { id, state: 'INSTALLING' } });
    const done = await waitForJob(admin, id, ['SUCCEEDED', 'FAILED']);
    unsubscribe();

    expect(done).toMatchObject({ state: 'SUCCEEDED', outcome: 'SUCCEEDED', restored: false, fromVersion: '8.1.0', error: null });
    expect(done.steps.map((s) => `${s.step}:${s.outcome}`)).toEqual(
      ['PREFLIGHT', 'DRAIN', 'STOP', 'BACKUP', 'APPLY', 'MIGRATE', 'SWITCH', 'MODULES', 'START', 'HEALTHCHECK', 'COMMIT'].map(
        (s) => `${s}:DONE`,
      ),
    );
    expect(states).toEqual(['MAINTENANCE', 'RESTARTING', 'RUNNING']);
    const system = (
      await admin.query<{ system: { version: string; state: string; modules: { id: string; version: string }[] } }>(
        '{ system { version state modules { id version } } }',
      )
    ).data!.system;
    expect(system.version).toBe('8.2.0');
    expect(system.state).toBe('RUNNING');
    expect(system.modules.find((m) => m.id === 'callcenter')!.version).toBe('3.1.0');

    // The data: migrated, every call record kept.
    const after = readCalls(path.join(dataDir, 'calls.db'));
    expect(after.columns).toContain('recorded');
    expect(after.rows).toEqual(callsBefore);
    expect(fs.readFileSync(path.join(dataDir, 'schema-version'), 'utf8').trim()).toBe('2');

    // The backup: taken after the stop, verified, listed, and equal to the data as it was.
    const backups = (
      await admin.query<{ backups: { id: string; method: string; jobId: string; applianceVersion: string; restorable: boolean }[] }>(
        '{ backups { id method jobId applianceVersion restorable } }',
      )
    ).data!.backups;
    expect(backups).toEqual([{ id: done.backupId, method: 'OFFLINE', jobId: id, applianceVersion: '8.1.0', restorable: true }]);
    expect(readCalls(path.join(app.home, 'backups', done.backupId!, 'data', 'calls.db')).columns).not.toContain('recorded');

    // Downtime: one planned window for the job, closed, and the layout: old release kept, nothing left over.
    expect(done.downtime).toHaveLength(1);
    expect(done.downtime[0]).toMatchObject({ kind: 'PLANNED', cause: 'installation of 8.2.0' });
    expect(done.downtime[0]!.endedAt).not.toBeNull();
    expect(fs.readdirSync(path.join(app.home, 'appliance', 'releases')).sort()).toEqual(['8.1.0', '8.2.0']);
    expect(fs.existsSync(path.join(app.home, 'staging', id))).toBe(false);
    expect(fs.existsSync(path.join(app.home, 'downloads', id))).toBe(false);
    expect(leftovers(app.home)).toEqual([]);
    const journal = JSON.parse(fs.readFileSync(path.join(app.home, 'install', 'journal.json'), 'utf8')) as Record<string, unknown>;
    expect(journal).toMatchObject({ jobId: id, phase: 'DONE', outcome: 'SUCCEEDED' });
  });

  it('downloads and installs in one go with the appliance in maintenance from the start of the download', async () => {
    const admin = await start();
    const states: { state: string; reason: string | null }[] = [];
    app.patchbay.supervisor.onStateChange((s) => states.push({ state: s.state, reason: s.reason }));
    const res = await install(admin, { version: '8.2.0', modules: [CALLCENTER], acknowledgeWarnings: true });
    expect(res.__typename).toBe('InstallSuccess');
    const done = await waitForJob(admin, res.job!.id, ['SUCCEEDED', 'FAILED']);
    expect(done).toMatchObject({ state: 'SUCCEEDED', mode: 'DOWNLOAD_AND_INSTALL' });
    expect(done.steps.map((s) => s.step)).toEqual([
      'PREFLIGHT',
      'DRAIN',
      'STOP',
      'DOWNLOAD',
      'BACKUP',
      'APPLY',
      'MIGRATE',
      'SWITCH',
      'MODULES',
      'START',
      'HEALTHCHECK',
      'COMMIT',
    ]);
    // The download ran while the appliance was stopped, as the manual says of this mode.
    expect(states[0]).toEqual({ state: 'MAINTENANCE', reason: 'installing 8.2.0' });
    expect(states.map((s) => s.state)).toEqual(['MAINTENANCE', 'RESTARTING', 'RUNNING']);
    const stop = done.steps.find((s) => s.step === 'STOP')!;
    expect(stop.outcome).toBe('DONE');
    expect(done.downtime).toHaveLength(1);
    expect(fs.readdirSync(path.join(app.home, 'downloads'))).toEqual([]);
  });

  it('streams the installation steps over graphql-ws and SSE, and the way back as restore events', async () => {
    // Each step waits at its start for the subscribers to be in place.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const admin = await start({
      options: { install: { healthCheckTimeoutMs: 1500, hooks: { afterJournal: (j) => (j.step === 'PREFLIGHT' ? gate : undefined) } } },
    });
    const id = await stageDownload(admin, '8.2.0', [CALLCENTER]);
    // The staged release is made to never become healthy: the installation must go back.
    const manifestFile = path.join(app.home, 'staging', id, 'release', 'manifest.json');
    fs.writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), failHealth: true }));
    const token = await app.token(['READ']);
    const ws = wsClient(app.url, { connectionParams: { authorization: `Bearer ${token}` } });
    try {
      expect((await install(admin, { jobId: id })).__typename).toBe('InstallSuccess');
      // The installation goes on once both progress subscriptions are in place: each starts with where the job stands.
      let subscribed = 0;
      const onStarted = () => {
        if (++subscribed === 2) release();
      };
      type Progress = { updateProgress: { state: string; step: string | null } };
      type Restore = { restoreEvents: { seq: number; type: string; group: string | null; message: string } };
      const progress = collect<Progress>(
        ws,
        `subscription { updateProgress(jobId: "${id}") { state step } }`,
        (e) => e.some((p) => p.updateProgress.state === 'FAILED'),
        { onStarted },
      );
      const sse = sseEvents<{ data: Progress }>(
        app.url,
        `subscription { updateProgress(jobId: "${id}") { state step } }`,
        { authorization: `Bearer ${token}` },
        (e) => e.some((p) => p.data.updateProgress.state === 'FAILED'),
        { onStarted },
      );
      const restore = collect<Restore>(ws, `subscription { restoreEvents(jobId: "${id}") { seq type group message } }`, (e) =>
        e.some((r) => r.restoreEvents.type === 'FINISHED' || r.restoreEvents.type === 'FAILED'),
      );

      // PREFLIGHT's event may come before the subscribers are in place, and DRAIN's with it (this
      // appliance cannot drain: the step ends at once): they are not asserted.
      const stepsOf = (list: (string | null)[]) => [...new Set(list.filter((s) => s && s !== 'PREFLIGHT' && s !== 'DRAIN'))];
      const steps = stepsOf((await progress).map((p) => p.updateProgress.step));
      expect(steps).toEqual([
        'STOP',
        'BACKUP',
        'APPLY',
        'MIGRATE',
        'SWITCH',
        'MODULES',
        'START',
        'HEALTHCHECK',
        'ROLLBACK_STOP',
        'ROLLBACK_DATA',
        'ROLLBACK_SWITCH',
        'ROLLBACK_START',
        'ROLLBACK_HEALTHCHECK',
      ]);
      const sseSteps = stepsOf((await sse).events.map((p) => p.data.updateProgress.step));
      expect(sseSteps).toEqual(steps);

      const events = (await restore).map((r) => r.restoreEvents);
      const milestones = events.filter((e) => e.type !== 'GROUP_PROGRESS');
      // The groups are restored side by side: each is announced once, in any order, before the switch back.
      const names = milestones.map((e) => `${e.type}${e.group ? `:${e.group}` : ''}`);
      expect(names.slice(0, 1)).toEqual(['STARTED']);
      expect(names.slice(1, 4).sort()).toEqual(['GROUP_RESTORED:calls.db', 'GROUP_RESTORED:files', 'GROUP_RESTORED:modules']);
      expect(names.slice(4)).toEqual(['SWITCHED_BACK', 'APPLIANCE_HEALTHY', 'FINISHED']);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

      // A late subscriber gets the whole way back replayed.
      const late = await collect<Restore>(ws, `subscription { restoreEvents(jobId: "${id}") { seq type } }`, (e) =>
        e.some((r) => r.restoreEvents.type === 'FINISHED'),
      );
      expect(late.map((r) => r.restoreEvents.seq)).toEqual(events.map((e) => e.seq));
      const done = await waitForJob(admin, id, ['SUCCEEDED', 'FAILED']);
      expect(done).toMatchObject({ outcome: 'RESTORED', error: { code: 'HEALTHCHECK_FAILED' } });
    } finally {
      await ws.dispose();
    }
  });

  it("backs up while the appliance runs, and restores that backup on the admin's request", async () => {
    const admin = await start({ env: { PATCHBAY_DEMO_CALL_INTERVAL_MS: '30' } });
    const created = await admin.query<{
      createBackup: { __typename: string; backup: { id: string; method: string; groups: { name: string }[] } };
    }>(
      'mutation { createBackup { __typename ... on CreateBackupSuccess { backup { id method groups { name } } } ... on Error { code message } } }',
    );
    expect(created.data!.createBackup).toMatchObject({ __typename: 'CreateBackupSuccess', backup: { method: 'ONLINE' } });
    expect(app.patchbay.supervisor.getState().state).toBe('RUNNING');
    const backupId = created.data!.createBackup.backup.id;
    const backupCalls = readCalls(path.join(app.home, 'backups', backupId, 'data', 'calls.db')).rows;
    // Calls go on after the backup; the restore brings the data back to the backup's moment.
    const live = path.join(app.home, 'appliance', 'data', 'calls.db');
    const deadline = Date.now() + 10_000;
    while (readCalls(live).rows.length <= backupCalls.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30));
    const estimate = await admin.query<{ installEstimate: { seconds: number; dataBytes: number } }>(
      `{ installEstimate(backupId: "${backupId}") { ... on InstallEstimate { seconds dataBytes } } }`,
    );
    // The safety backup of the current data, and the chosen backup copied back.
    expect(estimate.data!.installEstimate.dataBytes).toBeGreaterThan(0);
    expect(estimate.data!.installEstimate.seconds).toBeGreaterThan(0);

    const res = await admin.query<{ restoreBackup: { __typename: string; job: { id: string } } }>(
      `mutation { restoreBackup(id: "${backupId}") { __typename ... on RestoreBackupSuccess { job { id } } ... on Error { code message } } }`,
    );
    expect(res.data!.restoreBackup.__typename).toBe('RestoreBackupSuccess');
    const done = await waitForJob(admin, res.data!.restoreBackup.job.id, ['SUCCEEDED', 'FAILED']);
    expect(done).toMatchObject({ state: 'SUCCEEDED', mode: 'RESTORE' });
    expect(done.steps.map((s) => s.step)).toEqual([
      'PREFLIGHT',
      'DRAIN',
      'STOP',
      'BACKUP',
      'RESTORE_DATA',
      'SWITCH',
      'START',
      'HEALTHCHECK',
      'COMMIT',
    ]);
    // A safety backup of what was replaced came first; the restored calls are the backup's (new ones follow).
    const restored = readCalls(path.join(app.home, 'appliance', 'data', 'calls.db')).rows;
    expect(restored.slice(0, backupCalls.length)).toEqual(backupCalls);
    const safety = readCalls(path.join(app.home, 'backups', done.backupId!, 'data', 'calls.db')).rows;
    expect(safety.length).toBeGreaterThan(backupCalls.length);

    const missing = await admin.query<{ restoreBackup: { code: string } }>(
      'mutation { restoreBackup(id: "nope") { ... on Error { code } } }',
    );
    expect(missing.data!.restoreBackup.code).toBe('NOT_FOUND');
  });

  it('keeps the newest backups only, as many as set', async () => {
    const admin = await start();
    expect((await admin.query('mutation { setBackupSettings(keep: 0) { __typename ... on Error { code } } }')).data).toEqual({
      setBackupSettings: { __typename: 'InvalidInputError', code: 'INVALID_INPUT' },
    });
    await admin.query('mutation { setBackupSettings(keep: 2) { __typename } }');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await admin.query<{ createBackup: { backup: { id: string } } }>(
        'mutation { createBackup { ... on CreateBackupSuccess { backup { id } } } }',
      );
      ids.push(res.data!.createBackup.backup.id);
    }
    const kept = (await admin.query<{ backups: { id: string }[] }>('{ backups { id } }')).data!.backups.map((b) => b.id);
    expect(kept).toEqual([ids[2], ids[1]]);
    expect(
      fs
        .readdirSync(path.join(app.home, 'backups'))
        .filter((n) => !n.startsWith('.'))
        .sort(),
    ).toEqual([ids[1], ids[2]].sort());
  });

  it('estimates the unavailable time from past installations once there are some', async () => {
    const admin = await start();
    const id = await stageDownload(admin, '8.1.3');
    await install(admin, { jobId: id });
    await waitForJob(admin, id, ['SUCCEEDED']);
    await admin.query('mutation { checkForUpdates { __typename } }');
    const res = await admin.query<{ installEstimate: { seconds: number; basis: string; downloadSeconds: number | null } }>(
      '{ installEstimate(version: "8.2.0") { ... on InstallEstimate { seconds basis downloadSeconds } } }',
    );
    expect(res.data!.installEstimate.basis).toMatch(/median of 1 past installation/);
    // One go: the download counts, at the speed of the last background download.
    expect(res.data!.installEstimate.downloadSeconds).not.toBeNull();
    const none = await admin.query<{ installEstimate: { code: string } }>('{ installEstimate { ... on Error { code } } }');
    expect(none.data!.installEstimate.code).toBe('INVALID_INPUT');
  });
});
