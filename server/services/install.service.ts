/**
 * The installation use cases: `install` in its two modes (a staged download, or a version in one
 * go), `restoreBackup`, the admin's say over the wait for calls before the stop (`installNow`,
 * `cancel`, the defaults), and following a job's progress and restore events. Checks that can be
 * answered at once are typed refusals here; the installation itself runs in the InstallEngine.
 * Installations and restores take the operation lock before their first `await`. The
 * administrator's backups are in backup.service.ts, the foreseen unavailable time in
 * install-estimate.service.ts.
 */
import path from 'node:path';
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { BackupStore } from '../adapters/backup/backup-store.js';
import type { Clock } from '../adapters/clock.js';
import type { IdGenerator } from '../adapters/ids.js';
import type { Principal } from '../domain/auth.js';
import { DEFAULT_DRAIN_POLICY, drainPolicy, type DrainPolicy, refusePostponeWithoutWindow, resolveDrainPolicy } from '../domain/drain.js';
import { type InstallJournal, newJournal, roomNeeded } from '../domain/install.js';
import { installNotices, type Said } from '../domain/install-notices.js';
import { type InstallArgs, installRequest } from '../domain/install-request.js';
import { endsJobStreams, type JobMode, type JobState } from '../domain/jobs.js';
import type { InstallWhen } from '../domain/install-schedule.js';
import type { ModuleSelection } from '../domain/module-plan.js';
import { JobAlreadyActiveConflict, type JobRow, type JobsRepository, type JobStepsRepository } from '../repositories/jobs.repository.js';
import { type DownloadService } from './download.service.js';
import { type EventBus, type JobEvent, nowThenFollow, type ProgressEvent, type RestoreEvent } from '../events.js';
import type { InstallEngine } from './install/install-engine.js';
import type { OperationLock } from './operation-lock.js';
import type { UpdatesService } from './updates.service.js';
import type { InstallScheduleService, NextInstall } from './install-schedule.service.js';
import {
  BackupError,
  DomainError,
  InsufficientDiskError,
  JobAlreadyActiveError,
  JobNotReadyError,
  JobNotWaitingForCallsError,
  NotFoundError,
  NotInstallableError,
  ReleaseNotAvailableError,
} from '../domain/errors/index.js';

export interface InstallServiceDeps {
  jobs: JobsRepository;
  steps: JobStepsRepository;
  engine: Pick<InstallEngine, 'begin' | 'progress' | 'restoreEvents' | 'orderDrain' | 'settled'>;
  /** One disruptive operation at a time (installation, restore, recovery, backup). */
  lock: Pick<OperationLock, 'acquire'>;
  events: Pick<EventBus, 'subscribe'>;
  downloads: Pick<DownloadService, 'check' | 'progressNow' | 'cancel'>;
  updates: Pick<UpdatesService, 'availableVersions' | 'blockersOf'>;
  backups: Pick<BackupStore, 'find' | 'measure'>;
  layout: ApplianceLayout;
  freeSpace: (dir: string) => Promise<number>;
  /** The admin's settings (the defaults of the wait for calls). */
  settings: { get<T>(key: string): T | undefined; put(key: string, value: unknown, at: Date): void };
  clock: Clock;
  newId: IdGenerator;
  /** The plans of scheduled installations (`when` NEXT_WINDOW or AT). */
  schedules: Pick<InstallScheduleService, 'schedule' | 'reschedule' | 'cancel' | 'refused' | 'nextInstall'>;
}

const DRAIN_DEFAULTS_KEY = 'install.drainDefaults';

export class InstallService {
  constructor(private readonly deps: InstallServiceDeps) {}

  /**
   * Installs a staged download (`jobId`), or a version in one go; the installation runs on in the
   * background. With `when` NEXT_WINDOW or AT a staged job is planned instead (INSTALL_SCHEDULED,
   * with the wait for calls resolved now); NOW on a scheduled job installs it now.
   */
  async install(principal: Principal, args: InstallArgs): Promise<JobRow> {
    const request = installRequest(args);
    const drain = resolveDrainPolicy(args.drain, this.drainDefaults());
    const when = args.when ?? 'NOW';
    if (when === 'NOW') refusePostponeWithoutWindow(drain);
    if ('jobId' in request && when !== 'NOW') {
      const job = this.deps.jobs.find(request.jobId);
      if (job) await this.ensureInstallable(job.targetVersion);
      return this.deps.schedules.schedule(principal.username, request.jobId, when, args.at, drain);
    }
    return this.whileLocked(
      (begin) =>
        'jobId' in request
          ? this.installStaged(principal.username, request.jobId, ['STAGED', 'INSTALL_SCHEDULED'], begin)
          : this.installInOneGo(principal, request, begin),
      drain,
    );
  }

  /** Another time for a scheduled installation (NEXT_WINDOW or AT). */
  rescheduleInstall(principal: Principal, args: { jobId: string; when: InstallWhen; at?: Date | null }): JobRow {
    return this.deps.schedules.reschedule(principal.username, args.jobId, args.when, args.at);
  }

  /**
   * The scheduler's start of a planned installation at its time: the same installation as a pressed
   * Install, in the name of who planned it, with the wait for calls planned, which ends with the
   * window (`windowEnd`, null for AT). The journal keeps the plan: a wait that outlasts the window
   * may postpone it, and a crash before the stop plans it again. A refusal (licence, disk, another
   * operation) is recorded on the job, which is STAGED again.
   */
  async startScheduled(jobId: string, windowEnd: Date | null = null): Promise<void> {
    const plan = this.deps.jobs.find(jobId)?.installPlan;
    if (!plan) return;
    const schedule = { plan, windowEnd: windowEnd?.toISOString() ?? null };
    try {
      await this.whileLocked((begin) => this.installStaged(plan.scheduledBy, jobId, ['INSTALL_SCHEDULED'], begin), plan.drain, schedule);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.deps.schedules.refused(jobId, err.code, err.message);
    }
  }

  /** The scheduled installation, if any (`system.nextInstall`). */
  nextInstall(): NextInstall | null {
    return this.deps.schedules.nextInstall();
  }

  /** Ends the wait for calls of a running installation: the appliance stops now, cutting the calls still active. */
  installNow(principal: Principal, jobId: string): JobRow {
    const job = this.deps.jobs.find(jobId);
    if (!job) throw new NotFoundError('update job', jobId);
    if (!this.deps.engine.orderDrain(jobId, 'INSTALL_NOW', principal.username)) throw new JobNotWaitingForCallsError(jobId, job.state);
    return job;
  }

  /**
   * Cancels a job: an installation waiting for its calls to end is called off (the appliance
   * accepts calls again, a staged download stays STAGED) and this returns once that is recorded;
   * a download is cancelled as before. An installation past its wait cannot be cancelled.
   */
  async cancel(principal: Principal, jobId: string): Promise<JobRow> {
    if (this.deps.schedules.cancel(principal.username, jobId)) return this.deps.jobs.find(jobId)!;
    if (!this.deps.engine.orderDrain(jobId, 'CANCEL', principal.username)) return this.deps.downloads.cancel(principal, jobId);
    await this.deps.engine.settled();
    return this.deps.jobs.find(jobId)!;
  }

  /** How long an installation waits for calls unless its request says otherwise, and what it does then. */
  drainDefaults(): DrainPolicy {
    return this.deps.settings.get<DrainPolicy>(DRAIN_DEFAULTS_KEY) ?? DEFAULT_DRAIN_POLICY;
  }

  /** The defaults serve installations now and restores too: POSTPONE_TO_NEXT_WINDOW is refused here. */
  setDrainDefaults(input: DrainPolicy): DrainPolicy {
    const policy = drainPolicy(input);
    refusePostponeWithoutWindow(policy);
    this.deps.settings.put(DRAIN_DEFAULTS_KEY, policy, this.deps.clock.now());
    return policy;
  }

  /**
   * Takes the operation lock at once (before any `await`), and hands it to the engine with the job
   * it begins; released here when the request is refused before that.
   */
  private async whileLocked(
    work: (begin: (job: JobRow) => Promise<JobRow>) => Promise<JobRow>,
    drain: DrainPolicy | null,
    schedule: InstallJournal['schedule'] = null,
  ): Promise<JobRow> {
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
            drain,
            schedule,
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

  /** `from`: the states the job may be installed from (a pressed Install: staged or scheduled; the scheduler: scheduled). */
  private async installStaged(user: string, jobId: string, from: JobState[], begin: (job: JobRow) => Promise<JobRow>): Promise<JobRow> {
    const { jobs, clock } = this.deps;
    const job = jobs.find(jobId);
    if (!job) throw new NotFoundError('update job', jobId);
    if (job.state === 'INSTALLING' || job.state === 'RESTORING') throw new JobAlreadyActiveError(job.id);
    if (!from.includes(job.state as JobState)) throw new JobNotReadyError(job.id, job.state);
    await this.ensureInstallable(job.targetVersion);
    await this.ensureDisk(0);
    const fromVersion = (await this.deps.layout.readInstalled()).version;
    if (!jobs.move(job.id, from, 'INSTALLING', { step: 'PREFLIGHT', fromVersion, installPlan: null })) {
      throw new JobNotReadyError(job.id, job.state);
    }
    const said = installNotices.requested(job.targetVersion, user);
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
    // A restore stops the appliance too: it waits for the calls as the admin's defaults say.
    return this.whileLocked((begin) => this.restore(principal, backupId, begin), this.drainDefaults());
  }

  private async restore(principal: Principal, backupId: string, begin: (job: JobRow) => Promise<JobRow>): Promise<JobRow> {
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
      requested: installNotices.restoreRequested(backup, principal.username),
    });
    return begin(job);
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
   * the job's record), then every event, without a gap, until the job's end for a stream
   * (`endsJobStreams`: STAGED, SUCCEEDED, FAILED, CANCELLED); a finished job gives its final state
   * and ends. Refused with NotFoundError for an unknown job.
   */
  followProgress(jobId: string): Promise<AsyncIterable<ProgressEvent>> {
    return nowThenFollow({
      now: () => {
        const progress = this.progressNow(jobId);
        return { events: [progress], ended: endsJobStreams(progress.state) };
      },
      live: this.deps.events.subscribe(`job/${jobId}`),
      pick: (event) => (event.kind === 'progress' ? event.progress : null),
      ends: isJobEnd,
    });
  }

  /**
   * A job's way back: the restore events so far (this run's, or after a restart of Patchbay the
   * milestones its event log kept), then each new one, none twice (by `seq`), until the job's end
   * for a stream, as for its progress (every restore event comes before it). A job that ended
   * without a way back gives none and ends. Refused with NotFoundError for an unknown job.
   */
  followRestoreEvents(jobId: string): Promise<AsyncIterable<RestoreEvent>> {
    return nowThenFollow({
      now: () => ({ events: this.deps.engine.restoreEvents(jobId), ended: endsJobStreams(this.progressNow(jobId).state) }),
      live: this.deps.events.subscribe(`job/${jobId}`),
      pick: (event, last) => (event.kind === 'restore' && event.restore.seq > (last?.seq ?? 0) ? event.restore : null),
      ends: isJobEnd,
    });
  }

  private progressNow(jobId: string): ProgressEvent {
    const progress = this.deps.engine.progress(jobId) ?? this.deps.downloads.progressNow(jobId);
    if (!progress) throw new NotFoundError('update job', jobId);
    return progress;
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
    const id = this.deps.newId();
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

/** The event after which a job's streams are over: its progress reaching an end state. */
function isJobEnd(event: JobEvent): boolean {
  return event.kind === 'progress' && endsJobStreams(event.progress.state);
}
