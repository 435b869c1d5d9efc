/**
 * The unattended policy: its setting (off by default), and what it does after each successful
 * update check when it is on: picks the release to take (domain/unattended.ts), downloads it in the
 * background through the download service, and once it is STAGED plans its installation in the
 * next maintenance window through the schedule service, with the admin's drain defaults, in the
 * name of UNATTENDED_USER. It never starts anything while a job is under way, and keeps what it did
 * last (or why it did nothing) as a notice beside the policy. At the window the installation runs
 * like any scheduled one: InstallService.startScheduled checks the licences again and refuses it,
 * recorded on the job, when they no longer allow it.
 */
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { DrainPolicy } from '../domain/drain.js';
import { DomainError } from '../domain/errors/index.js';
import type { JobState } from '../domain/jobs.js';
import type { Notice } from '../domain/notice.js';
import { type UnattendedSaid, unattendedNotices } from '../domain/unattended-notices.js';
import {
  DEFAULT_UNATTENDED_POLICY,
  nextUnattendedStep,
  UNATTENDED_USER,
  type UnattendedPolicy,
  unattendedModules,
  validateUnattendedPolicy,
} from '../domain/unattended.js';
import type { EventBus } from '../events.js';
import type { JobRow, JobsRepository } from '../repositories/jobs.repository.js';
import type { SettingsRepository } from '../repositories/settings.repository.js';
import type { DownloadService } from './download.service.js';
import type { InstallScheduleService } from './install-schedule.service.js';
import type { MaintenanceService } from './maintenance.service.js';
import type { ModulesService } from './modules.service.js';
import type { UpdatesService } from './updates.service.js';

const POLICY_KEY = 'unattended.policy';
const LAST_OUTCOME_KEY = 'unattended.lastOutcome';

/** The states of a download the policy follows until it is STAGED (or ends otherwise). */
const DOWNLOADING: readonly JobState[] = ['SCHEDULED', 'DOWNLOADING', 'DOWNLOADED'];

/** What the policy did last, and when. */
export interface UnattendedOutcome {
  at: Date;
  message: string;
  detail: Notice;
}

export interface UnattendedServiceDeps {
  settings: Pick<SettingsRepository, 'getSetting' | 'putSetting'>;
  windows: Pick<MaintenanceService, 'get'>;
  updates: Pick<UpdatesService, 'availableVersions'>;
  installedVersion: () => Promise<string>;
  modules: Pick<ModulesService, 'plan'>;
  downloads: Pick<DownloadService, 'schedule'>;
  schedules: Pick<InstallScheduleService, 'schedule'>;
  drainDefaults: () => DrainPolicy;
  jobs: Pick<JobsRepository, 'active' | 'find' | 'events'>;
  events: Pick<EventBus, 'subscribe'>;
  clock: Clock;
  logger: Logger;
}

export class UnattendedService {
  /** One decision at a time: two checks in a row never start two downloads. */
  private deciding: Promise<void> = Promise.resolve();
  /** The download being followed to STAGED, and how to stop following it. */
  private following: { jobId: string; done: Promise<void>; stop: () => void } | null = null;

  constructor(private readonly deps: UnattendedServiceDeps) {}

  get(): UnattendedPolicy {
    return { ...DEFAULT_UNATTENDED_POLICY, ...this.deps.settings.getSetting<UnattendedPolicy>(POLICY_KEY) };
  }

  /** Refused with NoMaintenanceWindowError when turned on without a window to install in. */
  set(input: UnattendedPolicy): UnattendedPolicy {
    const policy = validateUnattendedPolicy(input, this.deps.windows.get().windows.length > 0);
    this.deps.settings.putSetting(POLICY_KEY, policy, this.deps.clock.now());
    return policy;
  }

  lastOutcome(): UnattendedOutcome | null {
    const stored = this.deps.settings.getSetting<{ at: string; message: string; detail: Notice }>(LAST_OUTCOME_KEY);
    return stored ? { at: new Date(stored.at), message: stored.message, detail: stored.detail } : null;
  }

  /** After a successful update check: when the policy is on, decide and act. */
  afterCheck(): Promise<void> {
    if (!this.get().enabled) return Promise.resolve();
    const run = this.deciding.then(() => this.decide());
    // The caller hears of a failure; the next decision runs all the same.
    this.deciding = run.catch(() => {});
    return run;
  }

  /**
   * At boot: a download the policy started before a restart is followed again, and a job of its own
   * that is STAGED but was never planned is planned now.
   */
  resume(): void {
    const active = this.deps.jobs.active();
    if (active && this.get().enabled) this.carryOn(active);
  }

  /** Stops following a download (at shutdown). */
  async stop(): Promise<void> {
    await this.deciding;
    const following = this.following;
    following?.stop();
    await following?.done;
  }

  private async decide(): Promise<void> {
    const { deps } = this;
    const active = deps.jobs.active();
    if (active) {
      if (!this.carryOn(active)) this.record(unattendedNotices.jobActive(active.id, active.targetVersion));
      return;
    }
    if (deps.windows.get().windows.length === 0) return this.record(unattendedNotices.noWindow());
    const { kind } = this.get();
    const step = nextUnattendedStep(kind, await deps.installedVersion(), await deps.updates.availableVersions(null));
    switch (step.kind) {
      case 'NOTHING_NEWER':
        return this.record(unattendedNotices.nothingNewer(kind));
      case 'BLOCKED':
        return this.record(unattendedNotices.blocked(step.version, step.blockers));
      case 'STEP':
        break;
    }
    try {
      const modules = unattendedModules((await deps.modules.plan(step.version)).modules);
      if (modules.kind === 'NEEDS_ACKNOWLEDGEMENT')
        return this.record(unattendedNotices.needsAcknowledgement(step.version, modules.modules));
      const job = await deps.downloads.schedule(
        { username: UNATTENDED_USER },
        { version: step.version, modules: modules.selections, startAt: null, acknowledgeWarnings: false },
      );
      this.record(unattendedNotices.downloadStarted(step.version, step.toward));
      this.follow(job.id);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.record(unattendedNotices.refused(step.version, err.code, err.message));
    }
  }

  /**
   * Goes on with a job the policy started (followed while it downloads, planned once STAGED if it
   * never was); false for any other job, and for one of its own the admin has taken over (planned
   * once, then cancelled or rescheduled: the admin's say stands).
   */
  private carryOn(job: JobRow): boolean {
    if (job.createdBy !== UNATTENDED_USER) return false;
    if (DOWNLOADING.includes(job.state as JobState)) {
      this.follow(job.id);
      return true;
    }
    if (job.state === 'STAGED' && !this.deps.jobs.events(job.id).some((e) => e.type === 'INSTALL_SCHEDULED')) {
      this.plan(job);
      return true;
    }
    return false;
  }

  /** Listens to the job until it is STAGED (then plans it) or ends; the state is read after listening starts. */
  private follow(jobId: string): void {
    if (this.following?.jobId === jobId) return;
    const live = this.deps.events.subscribe(`job/${jobId}`)[Symbol.asyncIterator]();
    const stop = () => void live.return?.();
    const done = (async () => {
      try {
        for (let state = this.deps.jobs.find(jobId)?.state as JobState | undefined; ;) {
          if (!state || !DOWNLOADING.includes(state)) return this.downloadEnded(jobId);
          const next = await live.next();
          if (next.done) return;
          if (next.value.kind === 'progress') state = next.value.progress.state;
        }
      } finally {
        stop();
        if (this.following?.jobId === jobId) this.following = null;
      }
    })().catch((err: unknown) => this.deps.logger.error('unattended download follow-up failed', { jobId, err }));
    this.following = { jobId, done, stop };
  }

  private downloadEnded(jobId: string): void {
    const job = this.deps.jobs.find(jobId);
    if (!job) return;
    // Turned off meanwhile: the staged job stays for the admin to install.
    if (job.state === 'STAGED') {
      if (this.get().enabled) this.plan(job);
    } else this.record(unattendedNotices.downloadEnded(job.targetVersion, job.state));
  }

  /** Plans a staged job of the policy in the next window, with the admin's drain defaults. */
  private plan(job: JobRow): void {
    try {
      const planned = this.deps.schedules.schedule(UNATTENDED_USER, job.id, 'NEXT_WINDOW', null, this.deps.drainDefaults());
      this.record(unattendedNotices.installPlanned(job.targetVersion, new Date(planned.installPlan!.plannedAt)));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.record(unattendedNotices.refused(job.targetVersion, err.code, err.message));
    }
  }

  private record(said: UnattendedSaid): void {
    const at = this.deps.clock.now();
    this.deps.settings.putSetting(LAST_OUTCOME_KEY, { at: at.toISOString(), message: said.message, detail: said.detail }, at);
    this.deps.logger.info('unattended policy', { code: said.detail.code, message: said.message });
  }
}
