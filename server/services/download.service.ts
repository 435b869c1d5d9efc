/**
 * "Download and install separately": scheduling a download job for a version and its module
 * selections, checked like the installation will be (installable, selections, warnings, start
 * time, disk space, one active job), cancelling it, and reading jobs with their event logs.
 */
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../adapters/clock.js';
import { statfsFree } from '../adapters/download/resumable-downloader.js';
import type { Principal } from '../domain/auth.js';
import { type JobState, startTimeProblem } from '../domain/jobs.js';
import type { ModuleSelection } from '../domain/module-plan.js';
import type { ProgressEvent } from '../events.js';
import { JobAlreadyActiveConflict, type JobRow, type JobsRepository } from '../repositories/jobs.repository.js';
import type { ModulesService } from './modules.service.js';
import type { UpdatesService } from './updates.service.js';
import {
  InsufficientDiskError,
  InvalidModuleSelectionError,
  InvalidStartTimeError,
  JobAlreadyActiveError,
  JobNotCancellableError,
  NotFoundError,
  NotInstallableError,
  VersionNotFoundError,
  WarningsNotAcknowledgedError,
} from '../domain/errors/index.js';

/** A download can be cancelled until its installation starts; an installation cannot. */
const CANCELLABLE: readonly JobState[] = ['SCHEDULED', 'DOWNLOADING', 'DOWNLOADED', 'STAGED'];

export interface ScheduleDownloadInput {
  version: string;
  modules: ModuleSelection[];
  startAt: Date | null;
  acknowledgeWarnings: boolean;
}

/** What the runner exposes to the service: wake it after a change, stop a running job. */
export interface DownloadRunnerControl {
  wake(): void;
  cancel(jobId: string): Promise<void>;
  progress(jobId: string): ProgressEvent | null;
}

export class DownloadService {
  private runner: DownloadRunnerControl | null = null;

  constructor(
    private readonly repo: JobsRepository,
    private readonly updates: Pick<UpdatesService, 'availableVersions' | 'findRelease' | 'bundleFor'>,
    private readonly modules: Pick<ModulesService, 'check'>,
    private readonly dirs: { downloads: string; staging: string },
    private readonly clock: Clock,
    private readonly freeSpace: (dir: string) => Promise<number> = statfsFree,
  ) {}

  attach(runner: DownloadRunnerControl): void {
    this.runner = runner;
  }

  /**
   * The checks a download and a one-go installation share: the version is known and installable,
   * the module selection fits its plan and its warnings are acknowledged. Returns the bytes to fetch.
   */
  async check(input: Omit<ScheduleDownloadInput, 'startAt'>): Promise<{ bytesTotal: number }> {
    if (!this.updates.findRelease(input.version)) throw new VersionNotFoundError(input.version);
    const assessed = (await this.updates.availableVersions(null)).find((v) => v.version === input.version);
    if (!assessed)
      throw new NotInstallableError(input.version, [
        { code: 'ALREADY_INSTALLED', message: `Version ${input.version} is not newer than the installed one.` },
      ]);
    if (!assessed.installable) throw new NotInstallableError(input.version, assessed.blockers);
    const problems = await this.modules.check(input.version, input.modules, input.acknowledgeWarnings);
    const wrong = problems.find((p) => p.code !== 'WARNINGS_NOT_ACKNOWLEDGED');
    if (wrong)
      throw new InvalidModuleSelectionError(wrong.code as 'UNKNOWN_MODULE' | 'MODULE_VERSION_INCOMPATIBLE', wrong.message, wrong.moduleId);
    if (problems.length) throw new WarningsNotAcknowledgedError(problems.map((p) => p.moduleId));
    const files = [this.updates.bundleFor(input.version), ...input.modules.map((m) => this.updates.bundleFor(input.version, m))];
    return { bytesTotal: files.reduce((n, f) => n + f.length, 0) };
  }

  async schedule(principal: Principal, input: ScheduleDownloadInput): Promise<JobRow> {
    const { bytesTotal } = await this.check(input);
    const now = this.clock.now();
    const startAt = input.startAt ?? now;
    const timeProblem = startTimeProblem(startAt, now);
    if (timeProblem) throw new InvalidStartTimeError(timeProblem);

    await fsp.mkdir(this.dirs.downloads, { recursive: true });
    // Room for the bundles and for their unpacked copy in staging (at least the same again).
    const needed = bytesTotal * 2;
    const free = await this.freeSpace(this.dirs.downloads);
    if (free < needed) throw new InsufficientDiskError(needed, free);

    const id = crypto.randomUUID();
    let job: JobRow;
    try {
      job = this.repo.insertActive({
        id,
        mode: 'SEPARATE',
        targetVersion: input.version,
        modules: input.modules,
        acknowledgedWarnings: input.acknowledgeWarnings,
        state: 'SCHEDULED',
        startAt,
        createdAt: now,
        createdBy: principal.username,
        startedAt: null,
        finishedAt: null,
        bytesDone: 0,
        bytesTotal,
        errorCode: null,
        errorMessage: null,
      });
    } catch (err) {
      if (err instanceof JobAlreadyActiveConflict) throw new JobAlreadyActiveError(this.repo.active()?.id ?? null);
      throw err;
    }
    this.repo.addEvent(
      id,
      now,
      'SCHEDULED',
      `Download of ${input.version} scheduled for ${startAt.toISOString()} by ${principal.username}.`,
    );
    this.runner?.wake();
    return job;
  }

  async cancel(principal: Principal, id: string): Promise<JobRow> {
    const job = this.repo.find(id);
    if (!job) throw new NotFoundError('update job', id);
    const state = job.state as JobState;
    if (!CANCELLABLE.includes(state)) throw new JobNotCancellableError(state);
    await this.runner?.cancel(id);
    const now = this.clock.now();
    this.repo.move(id, [state, 'SCHEDULED', 'DOWNLOADING', 'DOWNLOADED', 'STAGED'], 'CANCELLED', { finishedAt: now });
    await this.removeFiles(id);
    this.repo.addEvent(id, now, 'CANCELLED', `Cancelled by ${principal.username}; downloaded and staged files removed.`);
    return this.repo.find(id)!;
  }

  async removeFiles(jobId: string): Promise<void> {
    await fsp.rm(path.join(this.dirs.downloads, jobId), { recursive: true, force: true });
    await fsp.rm(path.join(this.dirs.staging, jobId), { recursive: true, force: true });
  }

  job(id: string): JobRow | undefined {
    return this.repo.find(id);
  }

  jobs(first: number): JobRow[] {
    return this.repo.list(Math.min(Math.max(first, 1), 200));
  }

  /** Live figures of a running download (rate, time left), null when none runs. */
  progress(id: string): ProgressEvent | null {
    return this.runner?.progress(id) ?? null;
  }

  /**
   * Where a job stands now, as `updateProgress` streams it: the running download's live figures,
   * else what its record says; null for an unknown job.
   */
  progressNow(id: string): ProgressEvent | null {
    const live = this.progress(id);
    if (live) return live;
    const job = this.repo.find(id);
    if (!job) return null;
    return {
      jobId: job.id,
      state: job.state,
      step: job.step,
      bytesDone: job.bytesDone,
      bytesTotal: job.bytesTotal,
      bytesPerSecond: 0,
      secondsLeft: null,
      message: job.errorMessage,
      detail: job.errorCode ? { code: job.errorCode, params: job.errorParams ?? [] } : null,
    };
  }

  events(id: string) {
    return this.repo.events(id);
  }
}
