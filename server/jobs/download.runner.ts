/**
 * Runs download jobs in the background: starts each at its time (and, after a restart of
 * Patchbay, the ones whose time passed while it was down, or that were interrupted), downloads the
 * release and module bundles with the resumable downloader, verifies them against the signed
 * target info, unpacks them into private staging directories, and reports progress and events.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../adapters/clock.js';
import { type DownloadOptions, download } from '../adapters/download/resumable-downloader.js';
import { extractBundle } from '../adapters/download/safe-extract.js';
import type { Logger } from '../adapters/logger.js';
import { secondsLeft } from '../domain/jobs.js';
import type { EventBus, ProgressEvent } from '../events.js';
import type { JobRow, JobsRepository } from '../repositories/jobs.repository.js';
import type { DownloadRunnerControl } from '../services/download.service.js';
import type { UpdatesService } from '../services/updates.service.js';
import { DownloadError, UnsafeArchiveError } from '../domain/errors/index.js';

export interface DownloadRunnerDeps {
  repo: JobsRepository;
  updates: Pick<UpdatesService, 'bundleFor' | 'settings'>;
  targetUrl: (target: { name: string; length: number; sha256: string }) => string;
  dirs: { downloads: string; staging: string };
  events: EventBus;
  clock: Clock;
  logger: Logger;
  /** Timeouts and retries; tests also inject a file opener that fails (a full disk). */
  downloadOptions?: Pick<DownloadOptions, 'connectTimeoutMs' | 'idleTimeoutMs' | 'maxAttempts' | 'backoff' | 'openAppend'>;
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
      repo.addEvent(job.id, clock.now(), 'RESUMED', 'Patchbay restarted during the download: resuming where it stopped.');
      repo.move(job.id, ['DOWNLOADING', 'DOWNLOADED'], 'SCHEDULED');
    }
    for (const job of repo.inStates(['SCHEDULED'])) {
      if (job.startAt < new Date(clock.now().getTime() - 60_000) && !job.startedAt) {
        repo.addEvent(
          job.id,
          clock.now(),
          'START_MISSED',
          `The start time ${job.startAt.toISOString()} passed while Patchbay was not running: starting now.`,
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
    const done = this.run(next, controller.signal).finally(() => {
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
    const publish = (state: string, bytesDone: number, bytesPerSecond: number, message: string | null = null) => {
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
      };
      if (state === 'DOWNLOADING') this.latest.set(job.id, event);
      else this.latest.delete(job.id);
      events.publish(`job/${job.id}/progress`, event);
    };
    if (!repo.move(job.id, ['SCHEDULED'], 'DOWNLOADING', { startedAt: job.startedAt ?? clock.now() })) return;
    repo.addEvent(job.id, clock.now(), 'DOWNLOADING', `Downloading ${job.targetVersion} in the background.`);
    publish('DOWNLOADING', job.bytesDone, 0);
    try {
      await this.fetch(job, signal, (done, rate) => publish('DOWNLOADING', done, rate));
      if (!repo.move(job.id, ['DOWNLOADING'], 'DOWNLOADED', { bytesDone: job.bytesTotal })) return;
      repo.addEvent(job.id, clock.now(), 'DOWNLOADED', 'All bundles downloaded and verified against their signed hashes.');
      publish('DOWNLOADED', job.bytesTotal, 0);
      await this.stage(job);
      if (!repo.move(job.id, ['DOWNLOADED'], 'STAGED', { finishedAt: clock.now() })) return;
      repo.addEvent(job.id, clock.now(), 'STAGED', 'Unpacked and checked: ready to install.');
      publish('STAGED', job.bytesTotal, 0);
      logger.info('download job staged', { jobId: job.id, version: job.targetVersion });
    } catch (err) {
      if (signal.aborted) return; // cancelled or stopping: the service or the next start decides
      const { code, message } = describeFetchError(err);
      repo.move(job.id, ['DOWNLOADING', 'DOWNLOADED'], 'FAILED', { finishedAt: clock.now(), errorCode: code, errorMessage: message });
      repo.addEvent(job.id, clock.now(), 'FAILED', message);
      await this.discard(job);
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
    const jobDownloads = path.join(this.deps.dirs.downloads, job.id);
    const limit = this.deps.updates.settings().downloadBandwidthLimit;
    let before = 0;
    let lastSaved = 0;
    for (const file of this.files(job)) {
      const dest = path.join(jobDownloads, path.basename(file.target.name));
      const base = before;
      await download({ url: this.deps.targetUrl(file.target), length: file.target.length, sha256: file.target.sha256 }, dest, {
        ...this.deps.downloadOptions,
        bandwidthLimit: limit,
        signal,
        onProgress: (p) => {
          const done = base + p.bytesDone;
          onProgress(done, p.bytesPerSecond);
          if (Date.now() - lastSaved > 2000) {
            lastSaved = Date.now();
            repo.setProgress(job.id, done);
          }
        },
        onEvent: (e) => {
          const text =
            e.type === 'retry'
              ? `${file.label}: ${e.reason}; retry ${e.attempt} in ${Math.round(e.inMs / 100) / 10} s.`
              : e.type === 'resume'
                ? `${file.label}: resuming at byte ${e.fromByte}.`
                : `${file.label}: starting over (${e.reason}).`;
          repo.addEvent(job.id, clock.now(), e.type.toUpperCase(), text);
        },
      });
      before += file.target.length;
      repo.setProgress(job.id, before);
    }
  }

  /** Unpacks the verified bundles into the job's private staging directory (`release`, `module-<id>`). */
  async stage(job: JobRow): Promise<void> {
    const files = this.files(job);
    const jobDownloads = path.join(this.deps.dirs.downloads, job.id);
    const staging = path.join(this.deps.dirs.staging, job.id);
    await fsp.rm(staging, { recursive: true, force: true });
    for (const file of files) {
      const { dir, manifest } = await extractBundle(path.join(jobDownloads, path.basename(file.target.name)), staging);
      const isRelease = file === files[0];
      if (isRelease && manifest.version !== job.targetVersion) {
        throw new UnsafeArchiveError([`the release bundle says version ${String(manifest.version)}, not ${job.targetVersion}`]);
      }
      await fsp.rename(dir, path.join(staging, isRelease ? 'release' : `module-${String(manifest.id ?? path.basename(dir))}`));
    }
  }

  /** Removes the job's downloaded (also partial) and staged files. */
  async discard(job: JobRow): Promise<void> {
    // The partial files and their metadata live in the job's directory: removing it removes them all.
    await fsp.rm(path.join(this.deps.dirs.downloads, job.id), { recursive: true, force: true });
    await fsp.rm(path.join(this.deps.dirs.staging, job.id), { recursive: true, force: true });
  }
}

/** The stable code and the message of a failed fetch or unpack. */
export function describeFetchError(err: unknown): { code: string; message: string } {
  const code = err instanceof DownloadError || err instanceof UnsafeArchiveError ? err.code : 'DOWNLOAD_FAILED';
  return { code, message: err instanceof Error ? err.message : String(err) };
}
