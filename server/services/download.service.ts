/**
 * "Download and install separately": scheduling a download job for a version and its module
 * selections, checked like the installation will be (installable, selections, warnings, start
 * time, disk space, one active job), cancelling it, and reading jobs with their event logs.
 */
import type { Clock } from '../adapters/clock.js';
import type { DownloadArea } from '../adapters/download/download-area.js';
import type { IdGenerator } from '../adapters/ids.js';
import type { Principal } from '../domain/auth.js';
import { type JobState, startTimeProblem } from '../domain/jobs.js';
import type { ModuleSelection, SelectionProblem } from '../domain/module-plan.js';
import { downloadNotice } from '../domain/download-notices.js';
import { text, version } from '../domain/notice.js';
import type { EventBus, ProgressEvent } from '../events.js';
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

/**
 * What the download runner does for the service: wake it after a change, stop a running job,
 * its live figures, and removing a job's files. The runner is built first and knows nothing of
 * the service: the wiring is one-way.
 */
export interface DownloadRunnerControl {
  wake(): void;
  cancel(jobId: string): Promise<void>;
  progress(jobId: string): ProgressEvent | null;
  discard(job: Pick<JobRow, 'id'>): Promise<void>;
}

export interface DownloadServiceDeps {
  repo: JobsRepository;
  updates: Pick<UpdatesService, 'availableVersions' | 'findRelease' | 'bundleFor'>;
  modules: Pick<ModulesService, 'check'>;
  runner: DownloadRunnerControl;
  downloads: Pick<DownloadArea, 'freeBytes'>;
  /** A cancellation is the job's last event: its followers hear it. */
  events: Pick<EventBus, 'publish'>;
  clock: Clock;
  newId: IdGenerator;
}

/** A problem with the chosen modules themselves, as opposed to warnings not yet acknowledged. */
type SelectionError = Exclude<SelectionProblem, { code: 'WARNINGS_NOT_ACKNOWLEDGED' }>;
const isSelectionError = (p: SelectionProblem): p is SelectionError => p.code !== 'WARNINGS_NOT_ACKNOWLEDGED';

export class DownloadService {
  constructor(private readonly deps: DownloadServiceDeps) {}

  /**
   * The checks a download and a one-go installation share: the version is known and installable,
   * the module selection fits its plan and its warnings are acknowledged. Returns the bytes to fetch.
   */
  async check(input: Omit<ScheduleDownloadInput, 'startAt'>): Promise<{ bytesTotal: number }> {
    const { updates, modules } = this.deps;
    if (!updates.findRelease(input.version)) throw new VersionNotFoundError(input.version);
    const assessed = (await updates.availableVersions(null)).find((v) => v.version === input.version);
    if (!assessed)
      throw new NotInstallableError(input.version, [
        { code: 'ALREADY_INSTALLED', message: `Version ${input.version} is not newer than the installed one.` },
      ]);
    if (!assessed.installable) throw new NotInstallableError(input.version, assessed.blockers);
    const problems = await modules.check(input.version, input.modules, input.acknowledgeWarnings);
    const wrong = problems.find(isSelectionError);
    if (wrong) throw new InvalidModuleSelectionError(wrong.code, wrong.message, wrong.moduleId);
    if (problems.length) throw new WarningsNotAcknowledgedError(problems.map((p) => p.moduleId));
    const files = [updates.bundleFor(input.version), ...input.modules.map((m) => updates.bundleFor(input.version, m))];
    return { bytesTotal: files.reduce((n, f) => n + f.length, 0) };
  }

  /** `principal`: who the job is recorded as created by (an admin, or the unattended policy). */
  async schedule(principal: Pick<Principal, 'username'>, input: ScheduleDownloadInput): Promise<JobRow> {
    const { bytesTotal } = await this.check(input);
    const now = this.deps.clock.now();
    const startAt = input.startAt ?? now;
    const timeProblem = startTimeProblem(startAt, now);
    if (timeProblem) throw new InvalidStartTimeError(timeProblem);

    // Room for the bundles and for their unpacked copy in staging (at least the same again).
    const needed = bytesTotal * 2;
    const free = await this.deps.downloads.freeBytes();
    if (free < needed) throw new InsufficientDiskError(needed, free);

    const id = this.deps.newId();
    let job: JobRow;
    try {
      job = this.deps.repo.insertActive({
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
      if (err instanceof JobAlreadyActiveConflict) throw new JobAlreadyActiveError(this.deps.repo.active()?.id ?? null);
      throw err;
    }
    this.deps.repo.addEvent(
      id,
      now,
      'SCHEDULED',
      `Download of ${input.version} scheduled for ${startAt.toISOString()} by ${principal.username}.`,
      downloadNotice('DOWNLOAD_SCHEDULED', {
        version: version(input.version),
        startAt: text(startAt.toISOString()),
        by: text(principal.username),
      }),
    );
    this.deps.runner.wake();
    return job;
  }

  async cancel(principal: Principal, id: string): Promise<JobRow> {
    const job = this.deps.repo.find(id);
    if (!job) throw new NotFoundError('update job', id);
    const state = job.state as JobState;
    if (!CANCELLABLE.includes(state)) throw new JobNotCancellableError(state);
    await this.deps.runner.cancel(id);
    const now = this.deps.clock.now();
    this.deps.repo.move(id, [state, 'SCHEDULED', 'DOWNLOADING', 'DOWNLOADED', 'STAGED'], 'CANCELLED', { finishedAt: now });
    await this.deps.runner.discard(job);
    this.deps.repo.addEvent(
      id,
      now,
      'CANCELLED',
      `Cancelled by ${principal.username}; downloaded and staged files removed.`,
      downloadNotice('DOWNLOAD_CANCELLED', { by: text(principal.username) }),
    );
    const cancelled = this.deps.repo.find(id)!;
    this.deps.events.publish(`job/${id}`, { kind: 'progress', progress: recordedProgress(cancelled) });
    return cancelled;
  }

  job(id: string): JobRow | undefined {
    return this.deps.repo.find(id);
  }

  jobs(first: number): JobRow[] {
    return this.deps.repo.list(Math.min(Math.max(first, 1), 200));
  }

  /** Live figures of a running download (rate, time left), null when none runs. */
  progress(id: string): ProgressEvent | null {
    return this.deps.runner.progress(id);
  }

  /**
   * Where a job stands now, as `updateProgress` streams it: the running download's live figures,
   * else what its record says; null for an unknown job.
   */
  progressNow(id: string): ProgressEvent | null {
    const job = this.deps.repo.find(id);
    if (!job) return null;
    const live = this.progress(id);
    // A plan made since the runner's last event is the record's: the live figures say it too.
    return live ? { ...live, installPlan: job.installPlan } : recordedProgress(job);
  }

  events(id: string) {
    return this.deps.repo.events(id);
  }
}

/** A job's progress as its record says it: no rate, its error if it has one, its planned installation. */
export function recordedProgress(job: JobRow): ProgressEvent {
  return {
    jobId: job.id,
    state: job.state as JobState,
    step: job.step,
    bytesDone: job.bytesDone,
    bytesTotal: job.bytesTotal,
    bytesPerSecond: 0,
    secondsLeft: null,
    message: job.errorMessage,
    detail: job.errorCode ? { code: job.errorCode, params: job.errorParams ?? [] } : null,
    installPlan: job.installPlan,
  };
}
