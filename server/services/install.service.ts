/**
 * The installation use cases: `install` in its two modes (a staged download, or a version in one
 * go), the administrator's backups (`createBackup` while the appliance runs, `restoreBackup`), the
 * foreseen unavailable time, and the record of steps and downtime. Checks that can be answered at
 * once are typed refusals here; the installation itself runs in the InstallEngine. Installations,
 * restores and backups take the operation lock before their first `await`.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { BackupManifest, BackupStore } from '../adapters/backup/backup-store.js';
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { Principal } from '../domain/auth.js';
import { type DowntimeEstimate, estimateDowntime, INSTALL_STEPS, newJournal, roomNeeded } from '../domain/install.js';
import { installNotices, type Said } from '../domain/install-notices.js';
import { estimateRequest, type InstallArgs, installRequest } from '../domain/install-request.js';
import type { JobMode } from '../domain/jobs.js';
import type { ModuleSelection } from '../domain/module-plan.js';
import { JobAlreadyActiveConflict, type JobRow, type JobsRepository, type JobStepsRepository } from '../repositories/jobs.repository.js';
import type { ApplianceSupervisor } from './appliance-supervisor.js';
import { type DownloadService } from './download.service.js';
import type { DowntimeService } from './downtime.service.js';
import { type EventBus, nowThenFollow, type ProgressEvent, type RestoreEvent } from '../events.js';
import type { InstallEngine } from './install/install-engine.js';
import type { OperationLock } from './operation-lock.js';
import type { UpdatesService } from './updates.service.js';
import {
  InsufficientDiskError,
  InvalidInputError,
  JobAlreadyActiveError,
  JobNotReadyError,
  NotFoundError,
  NotInstallableError,
  ReleaseNotAvailableError,
} from '../domain/errors/index.js';

export interface BackupView extends BackupManifest {
  /** The release its data belongs to is still on the appliance. */
  restorable: boolean;
}

export interface InstallServiceDeps {
  jobs: JobsRepository;
  steps: JobStepsRepository;
  engine: Pick<InstallEngine, 'begin' | 'progress' | 'restoreEvents'>;
  /** One disruptive operation at a time (installation, restore, recovery, backup). */
  lock: Pick<OperationLock, 'acquire'>;
  events: Pick<EventBus, 'subscribe'>;
  downloads: Pick<DownloadService, 'check' | 'progressNow'>;
  updates: Pick<UpdatesService, 'availableVersions' | 'blockersOf'>;
  backups: Pick<BackupStore, 'list' | 'get' | 'createOnline' | 'measure' | 'prune'>;
  layout: ApplianceLayout;
  supervisor: Pick<ApplianceSupervisor, 'timings'>;
  downtime: DowntimeService;
  settings: { get<T>(key: string): T | undefined; put(key: string, value: unknown, at: Date): void };
  freeSpace: (dir: string) => Promise<number>;
  logger: Logger;
  /** Measures the backup speed of this disk (bytes per second), when no backup was taken yet. */
  measureCopySpeed: () => Promise<number>;
  clock: Clock;
}

export const DEFAULT_BACKUP_RETENTION = 5;

export class InstallService {
  constructor(private readonly deps: InstallServiceDeps) {}

  /** Installs a staged download (`jobId`), or a version in one go; the installation runs on in the background. */
  async install(principal: Principal, args: InstallArgs): Promise<JobRow> {
    const request = installRequest(args);
    return this.whileLocked((begin) =>
      'jobId' in request ? this.installStaged(principal, request.jobId, begin) : this.installInOneGo(principal, request, begin),
    );
  }

  /**
   * Takes the operation lock at once (before any `await`), and hands it to the engine with the job
   * it begins; released here when the request is refused before that.
   */
  private async whileLocked(work: (begin: (job: JobRow) => Promise<JobRow>) => Promise<JobRow>): Promise<JobRow> {
    const release = this.deps.lock.acquire('installation');
    let handedOver = false;
    try {
      return await work(async (job) => {
        handedOver = true;
        await this.deps.engine.begin(
          newJournal({
            jobId: job.id,
            mode: job.mode,
            fromVersion: job.fromVersion!,
            targetVersion: job.targetVersion,
            modules: job.modules,
            sourceBackupId: job.sourceBackupId,
            now: this.deps.clock.now(),
          }),
          release,
        );
        return this.deps.jobs.find(job.id)!;
      });
    } finally {
      if (!handedOver) release();
    }
  }

  private async installStaged(principal: Principal, jobId: string, begin: (job: JobRow) => Promise<JobRow>): Promise<JobRow> {
    const { jobs, clock } = this.deps;
    const job = jobs.find(jobId);
    if (!job) throw new NotFoundError('update job', jobId);
    if (job.state === 'INSTALLING' || job.state === 'RESTORING') throw new JobAlreadyActiveError(job.id);
    if (job.state !== 'STAGED') throw new JobNotReadyError(job.id, job.state);
    await this.ensureInstallable(job.targetVersion);
    await this.ensureDisk(0);
    const fromVersion = (await this.deps.layout.readInstalled()).version;
    if (!jobs.move(job.id, ['STAGED'], 'INSTALLING', { step: 'PREFLIGHT', fromVersion })) throw new JobNotReadyError(job.id, job.state);
    const said = installNotices.requested(job.targetVersion, principal.username);
    jobs.addEvent(job.id, clock.now(), 'INSTALL_REQUESTED', said.message, said.detail);
    return begin(jobs.find(job.id)!);
  }

  private async installInOneGo(
    principal: Principal,
    request: { version: string; modules: ModuleSelection[]; acknowledgeWarnings: boolean },
    begin: (job: JobRow) => Promise<JobRow>,
  ): Promise<JobRow> {
    const active = this.deps.jobs.active();
    if (active) throw new JobAlreadyActiveError(active.id);
    const { bytesTotal } = await this.deps.downloads.check(request);
    await this.ensureDisk(bytesTotal * 2);
    const fromVersion = (await this.deps.layout.readInstalled()).version;
    const job = this.insert(principal, {
      mode: 'DOWNLOAD_AND_INSTALL',
      targetVersion: request.version,
      modules: request.modules,
      acknowledgedWarnings: request.acknowledgeWarnings,
      bytesTotal,
      fromVersion,
      sourceBackupId: null,
      requested: installNotices.requestedInOneGo(request.version, principal.username),
    });
    return begin(job);
  }

  /** Puts a backup's data back (and the release it belongs to), after a safety backup of what it replaces. */
  async restoreBackup(principal: Principal, backupId: string): Promise<JobRow> {
    return this.whileLocked((begin) => this.restore(principal, backupId, begin));
  }

  private async restore(principal: Principal, backupId: string, begin: (job: JobRow) => Promise<JobRow>): Promise<JobRow> {
    const backup = await this.deps.backups.get(backupId);
    if (!backup) throw new NotFoundError('backup', backupId);
    if (!(await this.releaseExists(backup.applianceVersion))) throw new ReleaseNotAvailableError(backup.applianceVersion);
    const active = this.deps.jobs.active();
    if (active) throw new JobAlreadyActiveError(active.id);
    await this.ensureDisk(0);
    const fromVersion = (await this.deps.layout.readInstalled()).version;
    const job = this.insert(principal, {
      mode: 'RESTORE',
      targetVersion: backup.applianceVersion,
      modules: [],
      acknowledgedWarnings: false,
      bytesTotal: backup.totalBytes,
      fromVersion,
      sourceBackupId: backup.id,
      requested: installNotices.restoreRequested(backup, principal.username),
    });
    return begin(job);
  }

  /** A backup while the appliance runs (SQLite's online backup API): telephony stays available. */
  async createBackup(principal: Principal): Promise<BackupView> {
    const release = this.deps.lock.acquire('backup');
    try {
      return await this.backUpOnline(principal);
    } finally {
      release();
    }
  }

  private async backUpOnline(principal: Principal): Promise<BackupView> {
    const installed = await this.deps.layout.readInstalled();
    const manifest = await this.deps.layout.readManifest(await this.deps.layout.currentReleaseDir());
    const source = { dataDir: this.deps.layout.dataDir, moduleStateFile: this.deps.layout.moduleStateFile };
    const { bytes } = await this.deps.backups.measure(source);
    await this.ensureDisk(0, bytes);
    const made = await this.deps.backups.createOnline(source, {
      reason: `requested by ${principal.username}`,
      jobId: null,
      applianceVersion: installed.version,
      dataSchemaVersion: manifest.dataSchemaVersion,
    });
    // The backup is made; a failed clean-up of older ones does not undo that.
    await this.deps.backups
      .prune(this.retention(), [made.id])
      .catch((err: unknown) => this.deps.logger.warn('pruning old backups failed', { err }));
    // Its release is the current one: it can be restored.
    return { ...made, restorable: true };
  }

  async backups(): Promise<BackupView[]> {
    const releases = new Set(await this.deps.layout.listReleases());
    return (await this.deps.backups.list()).map((b) => ({ ...b, restorable: releases.has(b.applianceVersion) }));
  }

  retention(): number {
    return this.deps.settings.get<number>('backups.retention') ?? DEFAULT_BACKUP_RETENTION;
  }

  setRetention(keep: number): number {
    if (!Number.isInteger(keep) || keep < 1 || keep > 100) {
      throw new InvalidInputError('Keep from 1 to 100 backups.', 'backupRetention');
    }
    this.deps.settings.put('backups.retention', keep, this.deps.clock.now());
    return keep;
  }

  steps(jobId: string) {
    return this.deps.steps.list(jobId);
  }

  /** Live figures of a running installation step, or null. */
  progress(jobId: string): ProgressEvent | null {
    return this.deps.engine.progress(jobId);
  }

  /**
   * A job's progress: where it stands now (the running installation step, else the download or
   * the job's record), then every event, without a gap.
   */
  followProgress(jobId: string): AsyncIterable<ProgressEvent> {
    return nowThenFollow(
      () => [this.deps.engine.progress(jobId) ?? this.deps.downloads.progressNow(jobId)].filter((p) => p !== null),
      this.deps.events.subscribe(`job/${jobId}/progress`),
    );
  }

  /**
   * A job's way back: the restore events so far (this run's, or after a restart of Patchbay the
   * milestones its event log kept), then each new one, none twice (by `seq`).
   */
  followRestoreEvents(jobId: string): AsyncIterable<RestoreEvent> {
    return nowThenFollow(
      () => this.deps.engine.restoreEvents(jobId),
      this.deps.events.subscribe(`job/${jobId}/restore`),
      (event, last) => event.seq > (last?.seq ?? 0),
    );
  }

  /** `estimate` of what the API's arguments name (exactly one of them). */
  estimateOf(args: { jobId?: string | null; version?: string | null; backupId?: string | null }) {
    return this.estimate(estimateRequest(args));
  }

  /**
   * The foreseen unavailable time of an installation: the data to back up at the speed backups
   * reach on this machine, plus the other steps as past installations (or the last restart) took.
   */
  async estimate(
    request: { jobId: string } | { version: string } | { backupId: string },
  ): Promise<DowntimeEstimate & { dataBytes: number; mode: JobMode }> {
    let mode: JobMode = 'DOWNLOAD_AND_INSTALL';
    let downloadBytes = 0;
    // A restore copies the chosen backup back after the safety backup of the current data.
    let extraBytes = 0;
    if ('backupId' in request) {
      const backup = await this.deps.backups.get(request.backupId);
      if (!backup) throw new NotFoundError('backup', request.backupId);
      mode = 'RESTORE';
      extraBytes = backup.totalBytes;
    } else if ('jobId' in request) {
      const job = this.deps.jobs.find(request.jobId);
      if (!job) throw new NotFoundError('update job', request.jobId);
      mode = job.mode;
      if (mode === 'DOWNLOAD_AND_INSTALL') downloadBytes = job.bytesTotal - job.bytesDone;
    } else {
      const found = (await this.deps.updates.availableVersions(null)).find((v) => v.version === request.version);
      if (!found) throw new InvalidInputError(`Version ${request.version} is not among the available versions.`, 'version');
      downloadBytes = found.downloadSize;
    }
    const source = { dataDir: this.deps.layout.dataDir, moduleStateFile: this.deps.layout.moduleStateFile };
    const { bytes } = await this.deps.backups.measure(source);
    const timings = this.deps.supervisor.timings();
    const estimate = estimateDowntime({
      mode,
      dataBytes: bytes + extraBytes,
      backupBytesPerSecond: await this.backupSpeed(),
      pastInstalls: this.pastInstalls(),
      restartMs: timings.lastStartMs !== null ? timings.lastStartMs + (timings.lastStopMs ?? 0) : null,
      downloadBytes,
      downloadBytesPerSecond: this.lastDownloadSpeed(),
    });
    return { ...estimate, dataBytes: bytes + extraBytes, mode };
  }

  /** Bytes per second of the recent offline backups (copy, fsync and verification), or a measurement. */
  private async backupSpeed(): Promise<number> {
    const speeds = (await this.deps.backups.list())
      .filter((b) => b.method === 'OFFLINE' && b.totalBytes >= 16 * 1024 * 1024)
      .slice(0, 5)
      .map((b) => (b.totalBytes / Math.max(b.copyMs + b.verifyMs, 1)) * 1000);
    if (speeds.length) return speeds.sort((a, b) => a - b)[Math.floor(speeds.length / 2)]!;
    const cached = this.deps.settings.get<{ bytesPerSecond: number }>('backups.calibration');
    if (cached) return cached.bytesPerSecond;
    const measured = await this.deps.measureCopySpeed();
    this.deps.settings.put('backups.calibration', { bytesPerSecond: measured }, this.deps.clock.now());
    return measured;
  }

  /** Succeeded installations: their unavailable time (stop to healthy) and the backup's part of it. */
  private pastInstalls(): { unavailableMs: number; backupMs: number }[] {
    const downtimeSteps = new Set<string>(INSTALL_STEPS.filter((s) => !['PREFLIGHT', 'DOWNLOAD', 'COMMIT'].includes(s)));
    return this.deps.jobs
      .list(50)
      .filter((j) => j.outcome === 'SUCCEEDED' && j.mode !== 'RESTORE')
      .slice(0, 10)
      .map((j) => {
        const steps = this.deps.steps.list(j.id).filter((s) => s.outcome === 'DONE' && s.finishedAt);
        const ms = (s: (typeof steps)[number]) => s.finishedAt!.getTime() - s.startedAt.getTime();
        return {
          unavailableMs: steps.filter((s) => downtimeSteps.has(s.step)).reduce((n, s) => n + ms(s), 0),
          backupMs: steps.filter((s) => s.step === 'BACKUP').reduce((n, s) => n + ms(s), 0),
        };
      });
  }

  /** The speed of the last background download, from its event log. */
  private lastDownloadSpeed(): number | null {
    for (const job of this.deps.jobs.list(20)) {
      const events = this.deps.jobs.events(job.id);
      const start = events.find((e) => e.type === 'DOWNLOADING');
      const end = events.find((e) => e.type === 'DOWNLOADED');
      if (start && end && end.at > start.at) return (job.bytesTotal / (end.at.getTime() - start.at.getTime())) * 1000;
    }
    return null;
  }

  private async ensureInstallable(version: string): Promise<void> {
    const blockers = await this.deps.updates.blockersOf(version);
    if (blockers.length) throw new NotInstallableError(version, blockers);
  }

  /** Room for a backup of the data (or `backupBytes`) and `extra` bytes, with a margin. */
  private async ensureDisk(extra: number, backupBytes?: number): Promise<void> {
    const source = { dataDir: this.deps.layout.dataDir, moduleStateFile: this.deps.layout.moduleStateFile };
    const bytes = backupBytes ?? (await this.deps.backups.measure(source)).bytes;
    const needed = roomNeeded(bytes, extra);
    const free = await this.deps.freeSpace(path.dirname(this.deps.layout.root));
    if (free < needed) throw new InsufficientDiskError(needed, free);
  }

  private async releaseExists(version: string): Promise<boolean> {
    return (await this.deps.layout.listReleases()).includes(version);
  }

  private insert(
    principal: Principal,
    fields: {
      mode: JobMode;
      targetVersion: string;
      modules: ModuleSelection[];
      acknowledgedWarnings: boolean;
      bytesTotal: number;
      fromVersion: string;
      sourceBackupId: string | null;
      requested: Said;
    },
  ): JobRow {
    const now = this.deps.clock.now();
    const id = crypto.randomUUID();
    try {
      this.deps.jobs.insertActive({
        id,
        mode: fields.mode,
        targetVersion: fields.targetVersion,
        modules: fields.modules,
        acknowledgedWarnings: fields.acknowledgedWarnings,
        state: 'INSTALLING',
        step: 'PREFLIGHT',
        fromVersion: fields.fromVersion,
        sourceBackupId: fields.sourceBackupId,
        startAt: now,
        createdAt: now,
        createdBy: principal.username,
        startedAt: now,
        finishedAt: null,
        bytesDone: 0,
        bytesTotal: fields.bytesTotal,
        errorCode: null,
        errorMessage: null,
      });
    } catch (err) {
      if (err instanceof JobAlreadyActiveConflict) throw new JobAlreadyActiveError(this.deps.jobs.active()?.id ?? null);
      throw err;
    }
    this.deps.jobs.addEvent(id, now, 'INSTALL_REQUESTED', fields.requested.message, fields.requested.detail);
    return this.deps.jobs.find(id)!;
  }
}
