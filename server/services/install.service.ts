/**
 * The installation use cases: `install` in its two modes (a staged download, or a version in one
 * go), `restoreBackup`, and the record of steps and restore events. Checks that can be answered at
 * once are typed refusals here; the installation itself runs in the Installer. The administrator's
 * backups are in backup.service.ts, the foreseen unavailable time in install-estimate.service.ts.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { BackupStore } from '../adapters/backup/backup-store.js';
import type { Clock } from '../adapters/clock.js';
import type { Principal } from '../domain/auth.js';
import { newJournal } from '../domain/install.js';
import type { JobMode } from '../domain/jobs.js';
import type { ModuleSelection } from '../domain/module-plan.js';
import { JobAlreadyActiveConflict, type JobRow, type JobsRepository, type JobStepsRepository } from '../repositories/jobs.repository.js';
import { type DownloadService } from './download.service.js';
import type { RestoreEvent, RestoreEventType } from '../events.js';
import type { Installer } from './installer.js';
import type { OperationLock } from './operation-lock.js';
import type { UpdatesService } from './updates.service.js';
import {
  BackupError,
  InsufficientDiskError,
  JobAlreadyActiveError,
  JobNotReadyError,
  NotFoundError,
  NotInstallableError,
  OperationInProgressError,
  ReleaseNotAvailableError,
} from '../domain/errors/index.js';

export type InstallRequest = { jobId: string } | { version: string; modules: ModuleSelection[]; acknowledgeWarnings: boolean };

export interface InstallServiceDeps {
  jobs: JobsRepository;
  steps: JobStepsRepository;
  installer: Pick<Installer, 'begin' | 'busy' | 'progress' | 'restoreEvents'>;
  downloads: Pick<DownloadService, 'check'>;
  updates: Pick<UpdatesService, 'availableVersions'>;
  backups: Pick<BackupStore, 'find' | 'measure'>;
  layout: ApplianceLayout;
  /** Held by the administrator's backup while it runs (backup.service.ts). */
  lock: Pick<OperationLock, 'current'>;
  freeSpace: (dir: string) => Promise<number>;
  clock: Clock;
}

/** Free space kept beyond what an operation needs. */
export const DISK_MARGIN = 64 * 1024 * 1024;

export class InstallService {
  constructor(private readonly deps: InstallServiceDeps) {}

  async install(principal: Principal, request: InstallRequest): Promise<JobRow> {
    this.ensureIdle();
    return 'jobId' in request ? this.installStaged(principal, request.jobId) : this.installInOneGo(principal, request);
  }

  private async installStaged(principal: Principal, jobId: string): Promise<JobRow> {
    const { jobs, clock } = this.deps;
    const job = jobs.find(jobId);
    if (!job) throw new NotFoundError('update job', jobId);
    if (job.state === 'INSTALLING' || job.state === 'RESTORING') throw new JobAlreadyActiveError(job.id);
    if (job.state !== 'STAGED') throw new JobNotReadyError(job.id, job.state);
    await this.ensureInstallable(job.targetVersion);
    await this.ensureDisk(0);
    const fromVersion = (await this.deps.layout.readInstalled()).version;
    if (!jobs.move(job.id, ['STAGED'], 'INSTALLING', { step: 'PREFLIGHT', fromVersion })) throw new JobNotReadyError(job.id, job.state);
    jobs.addEvent(job.id, clock.now(), 'INSTALL_REQUESTED', `Installation of ${job.targetVersion} requested by ${principal.username}.`);
    await this.deps.installer.begin(
      newJournal({
        jobId: job.id,
        mode: 'SEPARATE',
        fromVersion,
        targetVersion: job.targetVersion,
        modules: job.modules,
        sourceBackupId: null,
        now: clock.now(),
      }),
    );
    return jobs.find(job.id)!;
  }

  private async installInOneGo(
    principal: Principal,
    request: { version: string; modules: ModuleSelection[]; acknowledgeWarnings: boolean },
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
      message: `Download and installation of ${request.version} in one go requested by ${principal.username}.`,
    });
    await this.deps.installer.begin(
      newJournal({
        jobId: job.id,
        mode: 'DOWNLOAD_AND_INSTALL',
        fromVersion,
        targetVersion: request.version,
        modules: request.modules,
        sourceBackupId: null,
        now: this.deps.clock.now(),
      }),
    );
    return this.deps.jobs.find(job.id)!;
  }

  /** Puts a backup's data back (and the release it belongs to), after a safety backup of what it replaces. */
  async restoreBackup(principal: Principal, backupId: string): Promise<JobRow> {
    this.ensureIdle();
    const found = await this.deps.backups.find(backupId);
    if (!found) throw new NotFoundError('backup', backupId);
    if (found.status === 'UNREADABLE') throw new BackupError('BACKUP_UNREADABLE', found.problem.message, { id: backupId });
    if (found.status === 'VERIFICATION_FAILED') throw new BackupError('BACKUP_NOT_VERIFIED', found.problem.message, { id: backupId });
    const backup = found.manifest;
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
      message: `Restore of backup ${backup.id} (${backup.applianceVersion}, ${backup.createdAt}) requested by ${principal.username}.`,
    });
    await this.deps.installer.begin(
      newJournal({
        jobId: job.id,
        mode: 'RESTORE',
        fromVersion,
        targetVersion: backup.applianceVersion,
        modules: [],
        sourceBackupId: backup.id,
        now: this.deps.clock.now(),
      }),
    );
    return this.deps.jobs.find(job.id)!;
  }

  steps(jobId: string) {
    return this.deps.steps.list(jobId);
  }

  /** Live figures of a running installation step, or null. */
  progress(jobId: string) {
    return this.deps.installer.progress(jobId);
  }

  /**
   * The restore events of a job so far, for a subscriber that comes late: those of this run, or
   * after a restart of Patchbay the milestones its event log kept.
   */
  restoreEvents(jobId: string): RestoreEvent[] {
    const live = this.deps.installer.restoreEvents(jobId);
    if (live.length) return live;
    return this.deps.jobs
      .events(jobId)
      .filter((e) => e.type.startsWith('RESTORE_'))
      .map((e, i) => ({
        jobId,
        seq: i + 1,
        at: e.at,
        type: e.type.slice('RESTORE_'.length) as RestoreEventType,
        group: null,
        bytesDone: 0,
        bytesTotal: 0,
        message: e.message,
      }));
  }

  private ensureIdle(): void {
    if (this.deps.installer.busy()) throw new OperationInProgressError('installation');
    const held = this.deps.lock.current();
    if (held) throw new OperationInProgressError(held);
  }

  private async ensureInstallable(version: string): Promise<void> {
    const assessed = (await this.deps.updates.availableVersions(null)).find((v) => v.version === version);
    if (!assessed) {
      throw new NotInstallableError(version, [
        { code: 'ALREADY_INSTALLED', message: `Version ${version} is not newer than the installed one.` },
      ]);
    }
    if (!assessed.installable) throw new NotInstallableError(version, assessed.blockers);
  }

  /** Room for a backup of the data (or `backupBytes`) and `extra` bytes, with a margin. */
  private async ensureDisk(extra: number, backupBytes?: number): Promise<void> {
    const source = { dataDir: this.deps.layout.dataDir, moduleStateFile: this.deps.layout.moduleStateFile };
    const bytes = backupBytes ?? (await this.deps.backups.measure(source)).bytes;
    const needed = bytes + extra + DISK_MARGIN;
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
      message: string;
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
    this.deps.jobs.addEvent(id, now, 'INSTALL_REQUESTED', fields.message);
    return this.deps.jobs.find(id)!;
  }
}
