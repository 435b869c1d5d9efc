/**
 * Runs download jobs in the background: starts each at its time (and, after a restart of
 * Patchbay, the ones whose time passed while it was down, or that were interrupted), downloads the
 * release and module bundles with the resumable downloader, verifies them against the signed
 * target info, unpacks them into private staging directories, and reports progress and events.
 * A job whose installation was planned while it downloaded (its plan in the row) is
 * INSTALL_SCHEDULED once staged, and the install scheduler is told; a failed one drops the plan.
 */
import path from 'node:path';
import type { Clock } from '../adapters/clock.js';
import type { DownloadArea } from '../adapters/download/download-area.js';
import type { DownloadEvent, DownloadOptions } from '../adapters/download/resumable-downloader.js';
import type { StagingArea } from '../adapters/download/staging-area.js';
import type { Logger } from '../adapters/logger.js';
import { downloadFailure } from '../domain/download-failure.js';
import { UnsafeArchiveError } from '../domain/errors/index.js';
import { type JobState, secondsLeft, stagedState } from '../domain/jobs.js';
import { downloadNotice } from '../domain/download-notices.js';
import { bytes, count, millis, type Notice, text, version } from '../domain/notice.js';
import type { EventBus, ProgressEvent } from '../events.js';
import type { JobRow, JobsRepository } from '../repositories/jobs.repository.js';
import type { DownloadRunnerControl } from '../services/download.service.js';
import type { UpdatesService } from '../services/updates.service.js';

export interface DownloadRunnerDeps {
  repo: JobsRepository;
  updates: Pick<UpdatesService, 'bundleFor' | 'settings'>;
  targetUrl: (target: { name: string; length: number; sha256: string }) => string;
  downloads: Pick<DownloadArea, 'fetch' | 'bundlePath' | 'remove'>;
  staging: Pick<StagingArea, 'unpack' | 'place' | 'clear'>;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  /** Timeouts and retries; tests also inject a file opener that fails (a full disk). */
  downloadOptions?: Pick<DownloadOptions, 'connectTimeoutMs' | 'idleTimeoutMs' | 'maxAttempts' | 'backoff' | 'openAppend'>;
  /** A staged job had its installation planned: the install scheduler looks at it (InstallScheduler.wake). */
  planned: () => void;
}

export class DownloadRunner implements DownloadRunnerControl {
  private timer: unknown = null;
  private running: { jobId: string; controller: AbortController; done: Promise<void> } | null = null;
  private stopped = false;
  /** The last figures of each running job, for clients that poll instead of subscribing. */
  private readonly latest = new Map<string, ProgressEvent>();

  constructor(private readonly deps: DownloadRunnerDeps) {}

  /** At boot: jobs interrupted by a stop of Patchbay resume; missed start times start now. */
  recover(): void {
    const { repo, clock } = this.deps;
    for (const job of repo.inStates(['DOWNLOADING', 'DOWNLOADED'])) {
      repo.addEvent(
        job.id,
        clock.now(),
        'RESUMED',
        'Patchbay restarted during the download: resuming where it stopped.',
        downloadNotice('DOWNLOAD_RESUMED_AFTER_RESTART'),
      );
      repo.move(job.id, ['DOWNLOADING', 'DOWNLOADED'], 'SCHEDULED');
    }
    for (const job of repo.inStates(['SCHEDULED'])) {
      if (job.startAt < new Date(clock.now().getTime() - 60_000) && !job.startedAt) {
        const startAt = job.startAt.toISOString();
        repo.addEvent(
          job.id,
          clock.now(),
          'START_MISSED',
          `The start time ${startAt} passed while Patchbay was not running: starting now.`,
          downloadNotice('DOWNLOAD_START_MISSED', { startAt: text(startAt) }),
        );
      }
    }
    this.wake();
  }

  wake(): void {
    if (this.stopped || this.running) return;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    const next = this.deps.repo.inStates(['SCHEDULED'])[0];
    if (!next) return;
    const wait = next.startAt.getTime() - this.deps.clock.now().getTime();
    if (wait > 0) {
      // Wake at least hourly, so that a changed clock cannot leave a job waiting forever.
      this.timer = this.deps.clock.setTimeout(() => this.wake(), Math.min(wait, 3_600_000));
      return;
    }
    const controller = new AbortController();
    const done = this.run(next, controller.signal)
      // What the job could not record (the database itself failing) still reaches the log.
      .catch((err: unknown) => this.deps.logger.error('download job crashed', { jobId: next.id, err }))
      .finally(() => {
        this.running = null;
        this.wake();
      });
    this.running = { jobId: next.id, controller, done };
  }

  progress(jobId: string): ProgressEvent | null {
    return this.latest.get(jobId) ?? null;
  }

  async cancel(jobId: string): Promise<void> {
    if (this.running?.jobId !== jobId) return;
    this.running.controller.abort();
    await this.running.done;
    // An aborted run publishes nothing more: its last live figures would outlive it.
    this.latest.delete(jobId);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    // Leave the job DOWNLOADING: the next start resumes it from the partial files.
    if (this.running) {
      this.running.controller.abort();
      await this.running.done;
    }
  }

  private async run(job: JobRow, signal: AbortSignal): Promise<void> {
    const { repo, clock, events, logger } = this.deps;
    const publish = (state: JobState, bytesDone: number, bytesPerSecond: number, message: string | null = null) => {
      // A plan may be made while it runs (InstallScheduleService.schedule): every event says it.
      const installPlan = repo.find(job.id)?.installPlan ?? null;
      const event: ProgressEvent = {
        jobId: job.id,
        state,
        step: null,
        bytesDone,
        bytesTotal: job.bytesTotal,
        bytesPerSecond,
        secondsLeft: secondsLeft(bytesDone, job.bytesTotal, bytesPerSecond),
        message,
        detail: null,
        installPlan,
      };
      if (state === 'DOWNLOADING') this.latest.set(job.id, event);
      else this.latest.delete(job.id);
      events.publish(`job/${job.id}`, { kind: 'progress', progress: event });
    };
    if (!repo.move(job.id, ['SCHEDULED'], 'DOWNLOADING', { startedAt: job.startedAt ?? clock.now() })) return;
    repo.addEvent(
      job.id,
      clock.now(),
      'DOWNLOADING',
      `Downloading ${job.targetVersion} in the background.`,
      downloadNotice('DOWNLOAD_STARTED', { version: version(job.targetVersion) }),
    );
    publish('DOWNLOADING', job.bytesDone, 0);
    try {
      await this.fetch(job, signal, (done, rate) => publish('DOWNLOADING', done, rate));
      if (!repo.move(job.id, ['DOWNLOADING'], 'DOWNLOADED', { bytesDone: job.bytesTotal })) return;
      repo.addEvent(
        job.id,
        clock.now(),
        'DOWNLOADED',
        'All bundles downloaded and verified against their signed hashes.',
        downloadNotice('DOWNLOAD_VERIFIED'),
      );
      publish('DOWNLOADED', job.bytesTotal, 0);
      await this.stage(job);
      // Read and moved in one turn: a plan cannot come in between.
      const staged = stagedState(Boolean(repo.find(job.id)?.installPlan));
      if (!repo.move(job.id, ['DOWNLOADED'], staged, { finishedAt: clock.now() })) return;
      repo.addEvent(job.id, clock.now(), 'STAGED', 'Unpacked and checked: ready to install.', downloadNotice('DOWNLOAD_STAGED'));
      publish(staged, job.bytesTotal, 0);
      logger.info('download job staged', { jobId: job.id, version: job.targetVersion, state: staged });
      if (staged === 'INSTALL_SCHEDULED') this.deps.planned();
    } catch (err) {
      if (signal.aborted) return; // cancelled or stopping: the service or the next start decides
      const failure = downloadFailure(err);
      const { code, message } = failure;
      // The files go first: whoever sees the job FAILED sees it without them.
      const cleanupError = await this.discard(job).then(
        () => null,
        (cleanupErr: unknown) => cleanupErr,
      );
      repo.move(job.id, ['DOWNLOADING', 'DOWNLOADED'], 'FAILED', {
        finishedAt: clock.now(),
        errorCode: code,
        errorMessage: message,
        errorParams: failure.notice.params,
        installPlan: null,
      });
      repo.addEvent(job.id, clock.now(), 'FAILED', message, failure.notice);
      if (cleanupError !== null) {
        const reason = cleanupError instanceof Error ? cleanupError.message : String(cleanupError);
        logger.error('the files of a failed download could not be removed', { jobId: job.id, err: cleanupError });
        repo.addEvent(
          job.id,
          clock.now(),
          'CLEANUP_FAILED',
          `The downloaded files could not be removed: ${reason}`,
          downloadNotice('DOWNLOAD_CLEANUP_FAILED', { reason: text(reason) }),
        );
      }
      publish('FAILED', 0, 0, message);
      logger.warn('download job failed', { jobId: job.id, code, message });
    }
  }

  private files(job: JobRow) {
    return [
      { label: `release ${job.targetVersion}`, target: this.deps.updates.bundleFor(job.targetVersion) },
      ...job.modules.map((m) => ({
        label: `module ${m.moduleId} ${m.version}`,
        target: this.deps.updates.bundleFor(job.targetVersion, m),
      })),
    ];
  }

  /**
   * Downloads the job's release and module bundles (resuming what is there) and checks each
   * against its signed length and hash. Throws on failure; state changes are the caller's.
   */
  async fetch(job: JobRow, signal: AbortSignal, onProgress: (bytesDone: number, bytesPerSecond: number) => void): Promise<void> {
    const { repo, clock } = this.deps;
    const limit = this.deps.updates.settings().downloadBandwidthLimit;
    let before = 0;
    let lastSaved = 0;
    for (const file of this.files(job)) {
      const base = before;
      const target = { url: this.deps.targetUrl(file.target), length: file.target.length, sha256: file.target.sha256 };
      await this.deps.downloads.fetch(job.id, file.target.name, target, {
        ...this.deps.downloadOptions,
        bandwidthLimit: limit,
        signal,
        onProgress: (p) => {
          const done = base + p.bytesDone;
          onProgress(done, p.bytesPerSecond);
          const now = clock.now().getTime();
          if (now - lastSaved > 2000) {
            lastSaved = now;
            repo.setProgress(job.id, done);
          }
        },
        onEvent: (e) => {
          const { message, detail } = describeDownloadEvent(file.label, file.target.name, e);
          repo.addEvent(job.id, clock.now(), e.type.toUpperCase(), message, detail);
        },
      });
      before += file.target.length;
      repo.setProgress(job.id, before);
    }
  }

  /** Unpacks the verified bundles into the job's private staging directory (`release`, `module-<id>`). */
  async stage(job: JobRow): Promise<void> {
    const { downloads, staging } = this.deps;
    const files = this.files(job);
    await staging.clear(job.id);
    for (const file of files) {
      const { dir, manifest } = await staging.unpack(job.id, downloads.bundlePath(job.id, file.target.name));
      if (file === files[0]) {
        if (manifest.version !== job.targetVersion) {
          throw new UnsafeArchiveError([`the release bundle says version ${String(manifest.version)}, not ${job.targetVersion}`]);
        }
        await staging.place(job.id, dir, { kind: 'release' });
      } else {
        await staging.place(job.id, dir, { kind: 'module', moduleId: String(manifest.id ?? path.basename(dir)) });
      }
    }
  }

  /** Removes the job's downloaded (also partial) and staged files. */
  async discard(job: Pick<JobRow, 'id'>): Promise<void> {
    await this.deps.downloads.remove(job.id);
    await this.deps.staging.clear(job.id);
  }
}

/** A downloader event as the job's log records it: English for logs, a notice for the admin. */
function describeDownloadEvent(label: string, targetName: string, e: DownloadEvent): { message: string; detail: Notice } {
  const bundle = text(path.basename(targetName));
  switch (e.type) {
    case 'retry':
      return {
        message: `${label}: ${e.reason}; retry ${e.attempt} in ${Math.round(e.inMs / 100) / 10} s.`,
        detail: downloadNotice('DOWNLOAD_RETRY', { bundle, reason: text(e.reason), attempt: count(e.attempt), wait: millis(e.inMs) }),
      };
    case 'resume':
      return {
        message: `${label}: resuming at byte ${e.fromByte}.`,
        detail: downloadNotice('DOWNLOAD_RESUME', { bundle, from: bytes(e.fromByte) }),
      };
    case 'restart':
      return e.reason === 'RANGE_IGNORED'
        ? {
            message: `${label}: starting over (the server sent the whole file (range ignored or file changed)).`,
            detail: downloadNotice('DOWNLOAD_RESTART_RANGE_IGNORED', { bundle }),
          }
        : {
            message: `${label}: starting over (the server answered a range starting at ${e.answeredFrom}, not ${e.askedFrom}).`,
            detail: downloadNotice('DOWNLOAD_RESTART_WRONG_RANGE', { bundle, asked: bytes(e.askedFrom), answered: bytes(e.answeredFrom) }),
          };
  }
}
