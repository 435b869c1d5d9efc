/**
 * The plans of scheduled installations: putting a staged job's installation in the next
 * maintenance window or at an instant (INSTALL_SCHEDULED, the plan stored with the job so that it
 * survives restarts), or a downloading job's (the plan kept with the job while it downloads; the
 * download runner makes it INSTALL_SCHEDULED once staged), rescheduling and cancelling it, and what the scheduler finds when it looks
 * at a plan (install now, wait, or a missed time: moved to the next window or back to STAGED, the
 * reason recorded), the postponement of a wait for calls that outlasted its window, and the next
 * planned installation (`system.nextInstall`). The installation itself starts through
 * InstallService.startScheduled.
 */
import type { Clock } from '../adapters/clock.js';
import { type DrainPolicy, refusePostponeWithoutWindow } from '../domain/drain.js';
import { InvalidInputError, JobNotReadyError, NotFoundError } from '../domain/errors/index.js';
import { type InstallEventSaid, scheduleNotices } from '../domain/install-schedule-notices.js';
import {
  finishedTooLate,
  installPlan,
  type InstallPlan,
  type InstallWhen,
  planTime,
  type PostponeDecision,
  postponement,
  type ScheduleDecision,
  scheduleDecision,
  type ScheduledWhen,
} from '../domain/install-schedule.js';
import { DOWNLOAD_STATES, isDownloading, type JobState } from '../domain/jobs.js';
import type { EventBus } from '../events.js';
import type { JobRow, JobsRepository } from '../repositories/jobs.repository.js';
import { type DownloadService, recordedProgress } from './download.service.js';
import type { MaintenanceService } from './maintenance.service.js';

export interface InstallScheduleDeps {
  jobs: Pick<JobsRepository, 'find' | 'move' | 'addEvent' | 'inStates'>;
  windows: Pick<MaintenanceService, 'get'>;
  events: Pick<EventBus, 'publish'>;
  /** The live figures of a running download: a plan made while it runs is published with them. */
  downloads: Pick<DownloadService, 'progress'>;
  clock: Clock;
  /** Tells the scheduler that a plan changed (wired to InstallScheduler.wake). */
  wake: () => void;
}

/** The next planned installation, as `system` tells it. */
export interface NextInstall {
  jobId: string;
  version: string;
  plan: InstallPlan;
}

export class InstallScheduleService {
  constructor(private readonly deps: InstallScheduleDeps) {}

  /**
   * Plans the installation of a staged (or already scheduled) job, or of one still downloading (its
   * plan kept with it until it is staged); refusals are typed (see `planTime`).
   */
  schedule(user: string, jobId: string, when: ScheduledWhen, at: Date | null | undefined, drain: DrainPolicy | null): JobRow {
    const job = this.scheduledOrStaged(jobId, [...DOWNLOAD_STATES, 'STAGED', 'INSTALL_SCHEDULED']);
    if (when === 'AT') refusePostponeWithoutWindow(drain);
    const time = planTime(when, at, this.deps.windows.get(), this.deps.clock.now());
    const said =
      when === 'NEXT_WINDOW'
        ? scheduleNotices.scheduledInWindow(job.targetVersion, user, time)
        : scheduleNotices.scheduledAt(job.targetVersion, user, time);
    const plan = installPlan(when, time, drain, user);
    const event = { type: 'INSTALL_SCHEDULED', said } as const;
    if (isDownloading(job.state as JobState)) return this.moveTo(job, [job.state as JobState], job.state as JobState, plan, event);
    return this.moveTo(job, ['STAGED', 'INSTALL_SCHEDULED'], 'INSTALL_SCHEDULED', plan, event);
  }

  /** Another time for a scheduled installation (also of a job still downloading), with the wait for calls it was planned with. */
  reschedule(user: string, jobId: string, when: InstallWhen, at: Date | null | undefined): JobRow {
    if (when === 'NOW') throw new InvalidInputError('To install now, use `install` with the job’s id.', 'when');
    const job = this.planned(jobId);
    return this.schedule(user, job.id, when, at, job.installPlan!.drain);
  }

  /**
   * True when the job had a plan and has none now: a scheduled job is STAGED again, a downloading
   * one downloads on (and is STAGED once it ends); false when it had no plan.
   */
  cancel(user: string, jobId: string): boolean {
    const job = this.deps.jobs.find(jobId);
    if (job?.state === 'INSTALL_SCHEDULED') {
      this.moveTo(job, ['INSTALL_SCHEDULED'], 'STAGED', null, {
        type: 'INSTALL_SCHEDULE_CANCELLED',
        said: scheduleNotices.cancelled(user),
      });
      return true;
    }
    if (!job?.installPlan || !isDownloading(job.state as JobState)) return false;
    const state = job.state as JobState;
    this.moveTo(job, [state], state, null, { type: 'INSTALL_SCHEDULE_CANCELLED', said: scheduleNotices.cancelledWhileDownloading(user) });
    return true;
  }

  /**
   * What is to be done with a scheduled job now: INSTALL (the caller starts it), WAIT, or a missed
   * time, which this records (the plan moved to the next window, or the job STAGED again) before it
   * answers.
   */
  review(job: JobRow): ScheduleDecision {
    const plan = job.installPlan!;
    const decision = scheduleDecision(plan, this.deps.windows.get(), this.deps.clock.now());
    // Planned while it downloaded, and staged only after its time: recorded as such.
    const lateDownload = finishedTooLate(plan, job.finishedAt);
    switch (decision.kind) {
      case 'WINDOW_MISSED':
        if (decision.next) {
          const next = installPlan(plan.when, decision.next, plan.drain, plan.scheduledBy);
          this.moveTo(job, ['INSTALL_SCHEDULED'], 'INSTALL_SCHEDULED', next, {
            type: 'INSTALL_WINDOW_MISSED',
            said: lateDownload
              ? scheduleNotices.windowMissedDownloading(plan.plannedAt, plan.windowEnd!, decision.next)
              : scheduleNotices.windowMissed(plan.plannedAt, decision.next),
          });
        } else {
          this.moveTo(job, ['INSTALL_SCHEDULED'], 'STAGED', null, {
            type: 'INSTALL_WINDOW_MISSED',
            said: scheduleNotices.windowMissedNoWindow(plan.plannedAt),
          });
        }
        break;
      case 'AT_MISSED':
        this.moveTo(job, ['INSTALL_SCHEDULED'], 'STAGED', null, {
          type: 'INSTALL_TIME_MISSED',
          said: lateDownload ? scheduleNotices.timeMissedDownloading(plan.plannedAt) : scheduleNotices.timeMissed(plan.plannedAt),
        });
        break;
      case 'WAIT':
      case 'INSTALL':
        break;
    }
    return decision;
  }

  /** A planned installation refused when its time came (typed `code`): the job is STAGED again, the reason recorded. */
  refused(jobId: string, code: string, message: string): void {
    const job = this.deps.jobs.find(jobId);
    if (job?.state !== 'INSTALL_SCHEDULED') return;
    this.moveTo(job, ['INSTALL_SCHEDULED'], 'STAGED', null, {
      type: 'INSTALL_SCHEDULE_REFUSED',
      said: scheduleNotices.refused(code, message),
    });
  }

  /**
   * What a scheduled installation whose wait for calls outlasted its window (ending `windowEnd`) or
   * its limit is to do, by the windows set now (see `postponement`); the engine records it.
   */
  postponement(plan: InstallPlan, windowEnd: Date | null): PostponeDecision {
    return postponement(plan, windowEnd, this.deps.windows.get(), this.deps.clock.now());
  }

  /** A job was planned again outside this service (by the engine, at the end of its run): the scheduler looks. */
  planChanged(): void {
    this.deps.wake();
  }

  /** The planned installation (one active job at a time: at most one), also of a job still downloading, or null. */
  nextInstall(): NextInstall | null {
    const job = this.deps.jobs.inStates([...DOWNLOAD_STATES, 'INSTALL_SCHEDULED']).find((j) => j.installPlan);
    return job?.installPlan ? { jobId: job.id, version: job.targetVersion, plan: job.installPlan } : null;
  }

  /** A job with a plan: INSTALL_SCHEDULED, or still downloading with its installation planned. */
  private planned(jobId: string): JobRow {
    const job = this.scheduledOrStaged(jobId, [...DOWNLOAD_STATES, 'INSTALL_SCHEDULED']);
    if (!job.installPlan) throw new JobNotReadyError(job.id, job.state);
    return job;
  }

  private scheduledOrStaged(jobId: string, states: JobState[]): JobRow {
    const job = this.deps.jobs.find(jobId);
    if (!job) throw new NotFoundError('update job', jobId);
    if (!states.includes(job.state as JobState)) throw new JobNotReadyError(job.id, job.state);
    return job;
  }

  /** Moves the job (if it is still in `from`), records why, tells its followers and the scheduler. */
  private moveTo(job: JobRow, from: JobState[], to: JobState, plan: InstallPlan | null, event: InstallEventSaid): JobRow {
    const { jobs, clock, events } = this.deps;
    if (!jobs.move(job.id, from, to, { installPlan: plan })) throw new JobNotReadyError(job.id, jobs.find(job.id)?.state ?? job.state);
    jobs.addEvent(job.id, clock.now(), event.type, event.said.message, event.said.detail);
    const moved = jobs.find(job.id)!;
    // A running download's live figures, not the last ones saved (every few seconds), with the plan.
    const live = this.deps.downloads.progress(job.id);
    const progress = live ? { ...live, installPlan: moved.installPlan } : recordedProgress(moved);
    events.publish(`job/${job.id}`, { kind: 'progress', progress });
    this.deps.wake();
    return moved;
  }
}
