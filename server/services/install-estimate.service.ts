/**
 * The foreseen unavailable time of an installation or a restore: the data to back up at the speed
 * backups reach on this machine, plus the other steps as past installations (or the last restart)
 * took, plus, in one go, the download at the speed the last one reached; and the wait for calls
 * that comes before it all.
 */
import type { CallControl } from '../adapters/appliance/appliance-runtime.js';
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { BackupStore } from '../adapters/backup/backup-store.js';
import type { Clock } from '../adapters/clock.js';
import type { DrainOnTimeout, DrainPolicy } from '../domain/drain.js';
import { InvalidInputError, NotFoundError } from '../domain/errors/index.js';
import { type DowntimeEstimate, estimateDowntime, INSTALL_STEPS } from '../domain/install.js';
import type { JobMode } from '../domain/jobs.js';
import { median } from '../domain/statistics.js';
import type { JobsRepository, JobStepsRepository } from '../repositories/jobs.repository.js';
import type { ApplianceSupervisor } from './appliance-supervisor.js';
import type { UpdatesService } from './updates.service.js';

/** Exactly one of them: a staged job, a version in one go, or a backup to restore. */
export interface EstimateRequest {
  jobId?: string | null;
  version?: string | null;
  backupId?: string | null;
}

/**
 * The wait for calls before the stop: it comes before the unavailable time and is not part of it
 * (the appliance runs, refusing new calls only). Unsupported: the appliance stops at once, cutting
 * the calls in progress (a warning for the admin, not a blocker).
 */
export interface CallWaitForecast {
  supported: boolean;
  maxWaitMinutes: number;
  onTimeout: DrainOnTimeout;
}

export interface InstallEstimate extends DowntimeEstimate {
  dataBytes: number;
  mode: JobMode;
  callWait: CallWaitForecast;
}

export interface InstallEstimateServiceDeps {
  jobs: Pick<JobsRepository, 'find' | 'list' | 'events'>;
  steps: Pick<JobStepsRepository, 'listOf'>;
  updates: Pick<UpdatesService, 'availableVersions'>;
  backups: Pick<BackupStore, 'get' | 'list' | 'measure'>;
  layout: Pick<ApplianceLayout, 'dataDir' | 'moduleStateFile'>;
  supervisor: Pick<ApplianceSupervisor, 'timings'>;
  settings: { get<T>(key: string): T | undefined; put(key: string, value: unknown, at: Date): void };
  calls: Pick<CallControl, 'supported'>;
  /** The admin's defaults of the wait for calls. */
  drainDefaults: () => DrainPolicy;
  /** Measures the backup speed of this disk (bytes per second), when no backup was taken yet. */
  measureCopySpeed: () => Promise<number>;
  clock: Clock;
}

const CALIBRATION_KEY = 'backups.calibration';

export class InstallEstimateService {
  constructor(private readonly deps: InstallEstimateServiceDeps) {}

  async estimate({ jobId, version, backupId }: EstimateRequest): Promise<InstallEstimate> {
    const given = [jobId, version, backupId].filter((a) => a !== null && a !== undefined);
    if (given.length !== 1) throw new InvalidInputError('Give one of jobId, version or backupId.', null);
    let mode: JobMode = 'DOWNLOAD_AND_INSTALL';
    let downloadBytes = 0;
    // A restore copies the chosen backup back after the safety backup of the current data.
    let extraBytes = 0;
    if (backupId) {
      const backup = await this.deps.backups.get(backupId);
      if (!backup) throw new NotFoundError('backup', backupId);
      mode = 'RESTORE';
      extraBytes = backup.totalBytes;
    } else if (jobId) {
      const job = this.deps.jobs.find(jobId);
      if (!job) throw new NotFoundError('update job', jobId);
      mode = job.mode;
      if (mode === 'DOWNLOAD_AND_INSTALL') downloadBytes = job.bytesTotal - job.bytesDone;
    } else {
      const found = (await this.deps.updates.availableVersions(null)).find((v) => v.version === version);
      if (!found) throw new InvalidInputError(`Version ${version} is not among the available versions.`, 'version');
      downloadBytes = found.downloadSize;
    }
    const { bytes } = await this.deps.backups.measure({
      dataDir: this.deps.layout.dataDir,
      moduleStateFile: this.deps.layout.moduleStateFile,
    });
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
    const callWait = { supported: this.deps.calls.supported, ...this.deps.drainDefaults() };
    const waitBasis = callWait.supported
      ? `the wait for calls to end (up to ${callWait.maxWaitMinutes} min) comes before and is not counted`
      : 'this appliance cannot wait for calls to end: calls in progress are cut at the stop';
    return { ...estimate, basis: `${estimate.basis}; ${waitBasis}`, dataBytes: bytes + extraBytes, mode, callWait };
  }

  /** Bytes per second of the recent offline backups (copy, fsync and verification), or a measurement. */
  private async backupSpeed(): Promise<number> {
    const speeds = (await this.deps.backups.list())
      .flatMap((b) => (b.manifest ? [b.manifest] : []))
      .filter((m) => m.method === 'OFFLINE' && m.totalBytes >= 16 * 1024 * 1024)
      .slice(0, 5)
      .map((m) => (m.totalBytes / Math.max(m.copyMs + m.verifyMs, 1)) * 1000);
    if (speeds.length) return median(speeds);
    const cached = this.deps.settings.get<{ bytesPerSecond: number }>(CALIBRATION_KEY);
    if (cached) return cached.bytesPerSecond;
    const measured = await this.deps.measureCopySpeed();
    this.deps.settings.put(CALIBRATION_KEY, { bytesPerSecond: measured }, this.deps.clock.now());
    return measured;
  }

  /** Succeeded installations: their unavailable time (stop to healthy) and the backup's part of it. */
  private pastInstalls(): { unavailableMs: number; backupMs: number }[] {
    // The appliance runs during the preflight, the wait for calls and the commit.
    const downtimeSteps = new Set<string>(INSTALL_STEPS.filter((s) => !['PREFLIGHT', 'DRAIN', 'DOWNLOAD', 'COMMIT'].includes(s)));
    const jobs = this.deps.jobs
      .list(50)
      .filter((j) => j.outcome === 'SUCCEEDED' && j.mode !== 'RESTORE')
      .slice(0, 10);
    // The steps of all of them in one query.
    const done = this.deps.steps.listOf(jobs.map((j) => j.id)).filter((s) => s.outcome === 'DONE' && s.finishedAt);
    const ms = (s: (typeof done)[number]) => s.finishedAt!.getTime() - s.startedAt.getTime();
    return jobs.map((j) => {
      const steps = done.filter((s) => s.jobId === j.id);
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
}
