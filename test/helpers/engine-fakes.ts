/**
 * The installation engine on in-memory fakes, for unit tests: an appliance whose releases, data and
 * modules live in memory, a supervisor, a backup store, bundles, a staging area and a journal, each
 * able to fail once on demand (`faults`); the jobs and their steps in a real SQLite file with the
 * real migrations; a clock that moves one second per reading.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReleaseManifest } from '../../server/adapters/appliance/appliance-layout.js';
import type { BackupManifest, BackupSource, TransferProgress } from '../../server/adapters/backup/backup-store.js';
import type { CallControl } from '../../server/adapters/appliance/appliance-runtime.js';
import { unsupportedCallControl } from '../../server/adapters/appliance/unsupported-call-control.js';
import type { Clock } from '../../server/adapters/clock.js';
import type { Logger } from '../../server/adapters/logger.js';
import { openDatabase } from '../../server/db/client.js';
import type { DrainPolicy } from '../../server/domain/drain.js';
import type { InstallJournal } from '../../server/domain/install.js';
import { newJournal } from '../../server/domain/install.js';
import type { JobMode } from '../../server/domain/jobs.js';
import type { InstalledModule } from '../../server/domain/system.js';
import { createEventBus, type ProgressEvent, type RestoreEvent } from '../../server/events.js';
import { type JobRow, JobsRepository, JobStepsRepository } from '../../server/repositories/jobs.repository.js';
import type { SupervisorState } from '../../server/services/appliance-supervisor.js';
import type {
  BundlePort,
  InstallEngineDeps,
  InstallEngineHooks,
  JournalPort,
  LayoutPort,
} from '../../server/services/install/engine-deps.js';
import { InstallEngine } from '../../server/services/install/install-engine.js';
import { OperationLock } from '../../server/services/operation-lock.js';
import { InstallScheduleService } from '../../server/services/install-schedule.service.js';
import type { MaintenanceWindowsSetting } from '../../server/domain/maintenance-windows.js';
import { tmpDir } from './feed-fixtures.js';

/** Failures to inject, by the name of the faked call: each is thrown once, by the next such call. */
export class Faults {
  private readonly pending = new Map<string, unknown[]>();

  once(call: string, err: unknown): void {
    this.pending.set(call, [...(this.pending.get(call) ?? []), err]);
  }

  /** Every call from now on fails. */
  always(call: string, err: unknown): void {
    this.pending.set(call, new Array(1000).fill(err));
  }

  check(call: string): void {
    const queue = this.pending.get(call);
    if (!queue?.length) return;
    throw queue.shift();
  }
}

export const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

class FakeAppliance implements LayoutPort {
  readonly root = '/fake/appliance';
  readonly dataDir = '/fake/appliance/data';
  readonly moduleStateFile = '/fake/appliance/modules/state.json';
  releases = new Set(['8.1.0']);
  current = '8.1.0';
  /** The data, as a label: what a migration or a restore makes of it. */
  data = 'data of 8.1.0';
  modules: InstalledModule[] = [{ id: 'fax', name: 'Fax', version: '2.0.0', enabled: true }];
  moduleVersions = new Set(['fax/2.0.0']);

  constructor(private readonly faults: Faults) {}

  releaseDir(version: string): string {
    return `${this.root}/releases/${version}`;
  }
  async currentReleaseDir(): Promise<string> {
    return this.releaseDir(this.current);
  }
  async currentVersion(): Promise<string | null> {
    return this.current;
  }
  async listReleases(): Promise<string[]> {
    return [...this.releases];
  }
  async readManifest(releaseDir: string): Promise<ReleaseManifest> {
    return {
      product: 'pbx',
      version: path.basename(releaseDir),
      dataSchemaVersion: 1,
      start: { command: ['pbx'] },
      health: { path: '/healthz' },
      migrations: [],
    };
  }
  async readInstalled() {
    return { productId: 'pbx', version: this.current, modules: this.modules };
  }
  async readModules(): Promise<InstalledModule[]> {
    return this.modules;
  }
  async moduleSupportedSystem(): Promise<string | null> {
    return null;
  }
  async applyRelease(_staged: string, version: string): Promise<void> {
    this.faults.check('applyRelease');
    this.releases.add(version);
  }
  async switchCurrent(version: string): Promise<void> {
    this.faults.check('switchCurrent');
    this.current = version;
  }
  async removeRelease(version: string): Promise<void> {
    if (this.current === version) throw new Error(`release ${version} is the current one`);
    this.releases.delete(version);
  }
  async writeModuleState(modules: InstalledModule[]): Promise<void> {
    this.faults.check('writeModuleState');
    this.modules = modules;
  }
  async applyModule(_staged: string, id: string, version: string): Promise<void> {
    this.moduleVersions.add(`${id}/${version}`);
  }
  async hasModule(id: string, version: string): Promise<boolean> {
    return this.moduleVersions.has(`${id}/${version}`);
  }
  async removeModuleVersion(id: string, version: string): Promise<void> {
    this.moduleVersions.delete(`${id}/${version}`);
  }
  async cleanupTemporary(): Promise<string[]> {
    return [];
  }
}

class FakeSupervisor {
  state: SupervisorState['state'] = 'RUNNING';
  readonly calls: string[] = [];

  constructor(private readonly faults: Faults) {}

  getState(): SupervisorState {
    return { state: this.state, telephonyAvailable: this.state === 'RUNNING', reason: null, since: new Date(0) };
  }
  async stopForMaintenance(): Promise<void> {
    this.calls.push('stop');
    this.faults.check('stopForMaintenance');
    this.state = 'MAINTENANCE';
  }
  async launch(): Promise<void> {
    this.calls.push('launch');
    this.faults.check('launch');
    this.state = 'RESTARTING';
  }
  async awaitHealthy(): Promise<void> {
    this.calls.push('awaitHealthy');
    this.faults.check('awaitHealthy');
    this.state = 'RUNNING';
  }
  async startAfterMaintenance(): Promise<void> {
    this.calls.push('startAfterMaintenance');
    this.state = 'RUNNING';
  }
}

const GROUPS = [
  { name: 'calls.db', bytes: 600 },
  { name: 'files', bytes: 300 },
  { name: 'modules', bytes: 100 },
];

/** Backups of the fake appliance's data label; a restore copies each group, then swaps the data in. */
class FakeBackups {
  readonly stored = new Map<string, { manifest: BackupManifest; data: string }>();
  private next = 1;

  constructor(
    private readonly appliance: FakeAppliance,
    private readonly faults: Faults,
  ) {}

  async measure(): Promise<{ bytes: number; files: number }> {
    return { bytes: 1000, files: GROUPS.length };
  }
  async createOffline(
    _source: BackupSource,
    meta: { jobId: string | null; applianceVersion: string },
    onProgress?: (p: TransferProgress) => void,
  ) {
    this.faults.check('createOffline');
    this.report('COPY', onProgress);
    const id = `backup-${this.next++}`;
    const manifest: BackupManifest = {
      formatVersion: 1,
      id,
      createdAt: new Date(0).toISOString(),
      method: 'OFFLINE',
      reason: 'test',
      jobId: meta.jobId,
      applianceVersion: meta.applianceVersion,
      dataSchemaVersion: 1,
      totalBytes: 1000,
      files: [],
      groups: GROUPS.map((g) => ({ ...g, files: 1 })),
      copyMs: 40,
      verifyMs: 20,
      verifiedAt: new Date(0).toISOString(),
    };
    this.stored.set(id, { manifest, data: this.appliance.data });
    return manifest;
  }
  async restore(id: string, _to: BackupSource, onProgress?: (p: TransferProgress) => void): Promise<void> {
    this.faults.check('restore');
    this.report('RESTORE', onProgress);
    this.appliance.data = this.stored.get(id)!.data;
  }
  async get(id: string): Promise<BackupManifest | null> {
    return this.stored.get(id)?.manifest ?? null;
  }
  async prune(): Promise<string[]> {
    return [];
  }
  async cleanupTemporary(): Promise<string[]> {
    return [];
  }

  private report(phase: TransferProgress['phase'], onProgress?: (p: TransferProgress) => void): void {
    let done = 0;
    for (const g of GROUPS) {
      for (const [bytes, groupDone] of [
        [g.bytes / 2, false],
        [g.bytes, true],
      ] as const) {
        onProgress?.({
          phase,
          group: g.name,
          bytesDone: done + bytes,
          bytesTotal: 1000,
          groupBytesDone: bytes,
          groupBytesTotal: g.bytes,
          groupDone,
        });
      }
      done += g.bytes;
    }
  }
}

/** Downloads and staging per job: what exists, by path. */
class FakeBundles implements BundlePort {
  readonly staged = new Set<string>();
  readonly downloaded = new Set<string>();

  constructor(private readonly faults: Faults) {}

  async fetch(job: JobRow, _signal: AbortSignal, onProgress: (bytesDone: number, bytesPerSecond: number) => void): Promise<void> {
    this.faults.check('fetch');
    onProgress(job.bytesTotal, 1000);
    this.downloaded.add(job.id);
  }
  async stage(job: JobRow): Promise<void> {
    this.stageJob(job.id, job.modules);
  }
  async discard(job: JobRow): Promise<void> {
    this.faults.check('discard');
    this.downloaded.delete(job.id);
    for (const p of [...this.staged]) if (p.startsWith(`/staging/${job.id}/`)) this.staged.delete(p);
  }
  stageJob(jobId: string, modules: { moduleId: string }[]): void {
    this.staged.add(`/staging/${jobId}/release`);
    for (const m of modules) this.staged.add(`/staging/${jobId}/module-${m.moduleId}`);
  }
  /** What is left of a job: its downloads and its staged files. */
  leftOf(jobId: string): string[] {
    return [
      ...(this.downloaded.has(jobId) ? [`/downloads/${jobId}`] : []),
      ...[...this.staged].filter((p) => p.startsWith(`/staging/${jobId}/`)),
    ];
  }
}

class FakeJournal implements JournalPort {
  saved: InstallJournal | null = null;
  writes = 0;

  constructor(private readonly faults: Faults) {}

  async read(): Promise<InstallJournal | null> {
    return this.saved && (JSON.parse(JSON.stringify(this.saved)) as InstallJournal);
  }
  async write(j: InstallJournal): Promise<void> {
    this.faults.check('journal.write');
    this.writes += 1;
    this.saved = JSON.parse(JSON.stringify(j)) as InstallJournal;
  }
  async cleanupTemporary(): Promise<string[]> {
    return [];
  }
}

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

export interface EngineLab {
  sut: InstallEngine;
  faults: Faults;
  appliance: FakeAppliance;
  supervisor: FakeSupervisor;
  backups: FakeBackups;
  bundles: FakeBundles;
  journal: FakeJournal;
  jobs: JobsRepository;
  steps: JobStepsRepository;
  lock: OperationLock;
  downtime: { planned: string | null };
  restoreEvents: RestoreEvent[];
  /** Every progress event of the jobs made by `newJob`. */
  progress: ProgressEvent[];
  /** The maintenance windows the scheduling rules read (none at first); how often the scheduler was woken. */
  schedule: { windows: MaintenanceWindowsSetting; wakes: number };
  /** Makes a job as the install service does (its row INSTALLING at PREFLIGHT), with its journal. */
  newJob(
    mode: JobMode,
    fields?: {
      targetVersion?: string;
      modules?: { moduleId: string; version: string }[];
      sourceBackupId?: string;
      drain?: DrainPolicy | null;
      /** A scheduled installation: the plan and its window's end. */
      schedule?: InstallJournal['schedule'];
    },
  ): InstallJournal;
  /** A new Patchbay process on the same fakes and database (the journal as the last one left it). */
  restart(): InstallEngine;
  close(): void;
}

export function engineLab(options: { hooks?: InstallEngineHooks; calls?: CallControl } = {}): EngineLab {
  const dir = tmpDir('engine');
  const db = openDatabase(path.join(dir, 'patchbay.db'));
  const faults = new Faults();
  const appliance = new FakeAppliance(faults);
  const supervisor = new FakeSupervisor(faults);
  const backups = new FakeBackups(appliance, faults);
  const bundles = new FakeBundles(faults);
  const journal = new FakeJournal(faults);
  const jobs = new JobsRepository(db);
  const steps = new JobStepsRepository(db);
  let lock = new OperationLock();
  const downtime = { planned: null as string | null };
  const events = createEventBus();
  let t = Date.parse('2026-12-01T10:00:00Z');
  // Timers fire at once (the next turn of the event loop): a wait for calls moves on the readings.
  const clock: Clock = {
    now: () => new Date((t += 1000)),
    setTimeout: (fn) => setImmediate(fn),
    clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate),
  };
  const schedule = { windows: { timeZone: 'UTC', windows: [] } as MaintenanceWindowsSetting, wakes: 0 };
  const schedules = new InstallScheduleService({
    jobs,
    windows: { get: () => schedule.windows },
    events,
    // No download runs in these tests.
    downloads: { progress: () => null },
    clock,
    wake: () => void (schedule.wakes += 1),
  });
  const migrations = {
    run: async () => {
      faults.check('migrate');
      appliance.data = appliance.data.replace(/^data of .*/, `migrated data`);
      return { ran: true, output: '' };
    },
  };
  const deps = (): InstallEngineDeps => ({
    journal,
    jobs,
    steps,
    backups,
    layout: appliance,
    supervisor,
    calls: options.calls ?? unsupportedCallControl,
    migrations,
    bundles,
    staging: {
      releaseDir: (jobId) => `/staging/${jobId}/release`,
      moduleDir: (jobId, moduleId) => `/staging/${jobId}/module-${moduleId}`,
      manifest: async (dir) => {
        if (!bundles.staged.has(dir)) return null;
        const m = /module-(.+)$/.exec(dir);
        const selection = m ? jobs.find(dir.split('/')[2]!)!.modules.find((s) => s.moduleId === m[1]) : null;
        return selection ? { id: selection.moduleId, version: selection.version } : { version: 'staged' };
      },
    },
    downtime: {
      plan: (jobId) => void (downtime.planned = jobId),
      unplan: () => void (downtime.planned = null),
    },
    schedules,
    lock,
    blockers: async () => [],
    freeSpace: async () => 10 * 1024 ** 3,
    keepBackups: () => 5,
    events,
    clock,
    logger: silentLogger,
    options: { healthCheckTimeoutMs: 100, hooks: options.hooks },
  });
  const restoreEvents: RestoreEvent[] = [];
  const progress: ProgressEvent[] = [];
  let sut = new InstallEngine(deps());
  let jobCount = 0;
  return {
    get sut() {
      return sut;
    },
    faults,
    appliance,
    supervisor,
    backups,
    bundles,
    journal,
    jobs,
    steps,
    get lock() {
      return lock;
    },
    downtime,
    restoreEvents,
    progress,
    schedule,
    newJob(mode, fields = {}) {
      const id = `job-${++jobCount}`;
      const now = clock.now();
      const targetVersion = fields.targetVersion ?? (mode === 'RESTORE' ? '8.1.0' : '8.2.0');
      const modules = fields.modules ?? [];
      jobs.insertActive({
        id,
        mode,
        targetVersion,
        modules,
        acknowledgedWarnings: true,
        state: 'INSTALLING',
        step: 'PREFLIGHT',
        fromVersion: appliance.current,
        sourceBackupId: fields.sourceBackupId ?? null,
        startAt: now,
        createdAt: now,
        createdBy: 'admin',
        startedAt: now,
        finishedAt: null,
        bytesDone: 0,
        bytesTotal: 5000,
        errorCode: null,
        errorMessage: null,
      });
      if (mode === 'SEPARATE') bundles.stageJob(id, modules);
      // Every restore and progress event of the job, from its first.
      const sub = events.subscribe(`job/${id}`)[Symbol.asyncIterator]();
      const pull = (): void =>
        void sub.next().then((r) => {
          if (r.done) return;
          if (r.value.kind === 'restore') restoreEvents.push(r.value.restore);
          else progress.push(r.value.progress);
          pull();
        });
      pull();
      return newJournal({
        jobId: id,
        mode,
        fromVersion: appliance.current,
        targetVersion,
        modules,
        sourceBackupId: fields.sourceBackupId ?? null,
        drain: fields.drain ?? null,
        schedule: fields.schedule ?? null,
        now,
      });
    },
    restart() {
      // A new process: its own lock and engine; the old run (hung at a crash) is forgotten.
      lock = new OperationLock();
      sut = new InstallEngine(deps());
      return sut;
    },
    close() {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
