/**
 * What the installation engine publishes about its jobs: the progress events (the latest one kept
 * for clients that poll) and the restore events of a way back, kept in a bounded in-memory log for
 * late subscribers of this process's runs, their milestones also in the job's event log in the
 * database (which is what a late subscriber gets after a restart of Patchbay).
 */
import type { Clock } from '../../adapters/clock.js';
import type { DrainProgress } from '../../domain/drain.js';
import type { InstallPlan } from '../../domain/install-schedule.js';
import type { JobState } from '../../domain/jobs.js';
import type { Said } from '../../domain/install-notices.js';
import type { Notice } from '../../domain/notice.js';
import {
  type EventBus,
  type ProgressEvent,
  RESTORE_JOB_EVENT,
  type RestoreEvent,
  type RestoreEventType,
  type RestoreMilestone,
} from '../../events.js';
import type { JobsRepository } from '../../repositories/jobs.repository.js';

/** Jobs whose restore events stay in memory (the most recent runs of this process). */
const RESTORE_LOGS_KEPT = 5;
/** Progress events are many: past this many a log keeps its milestones only. */
const RESTORE_LOG_MAX = 2000;

const MILESTONE_OF_JOB_EVENT = new Map<string, RestoreMilestone>(
  (Object.entries(RESTORE_JOB_EVENT) as [RestoreMilestone, string][]).map(([type, jobEvent]) => [jobEvent, type]),
);

export interface ProgressFigures {
  state: JobState;
  step: string | null;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  /** The progress text (a group's name while copying has no notice), or the job's error once it ended. */
  said: { message: string; detail: Notice | null } | null;
  drain?: DrainProgress | null;
  /** A job planned again (INSTALL_SCHEDULED) at its end: when its installation now is. */
  installPlan?: InstallPlan | null;
}

export class JobEventLog {
  private readonly restoreLog = new Map<string, RestoreEvent[]>();
  private readonly latest = new Map<string, ProgressEvent>();

  constructor(private readonly deps: { events: EventBus; jobs: Pick<JobsRepository, 'addEvent' | 'events'>; clock: Clock }) {}

  /** Publishes a job's progress; the latest is kept while the job runs (`final` drops it). */
  progress(jobId: string, figures: ProgressFigures, final = false): void {
    const { bytesDone, bytesTotal, bytesPerSecond } = figures;
    const event: ProgressEvent = {
      jobId,
      state: figures.state,
      step: figures.step,
      bytesDone,
      bytesTotal,
      bytesPerSecond,
      secondsLeft: bytesPerSecond > 0 ? Math.ceil((bytesTotal - bytesDone) / bytesPerSecond) : null,
      message: figures.said?.message ?? null,
      detail: figures.said?.detail ?? null,
      drain: figures.drain ?? null,
      ...(figures.installPlan ? { installPlan: figures.installPlan } : {}),
    };
    if (final) this.latest.delete(jobId);
    else this.latest.set(jobId, event);
    this.deps.events.publish(`job/${jobId}`, { kind: 'progress', progress: event });
  }

  /** Live figures of a running job's step, or null. */
  latestProgress(jobId: string): ProgressEvent | null {
    return this.latest.get(jobId) ?? null;
  }

  /** A restore event: published, kept in memory, and (milestones) in the job's event log. */
  restore(
    jobId: string,
    type: RestoreEventType,
    said: Said,
    group: { name: string; bytesDone: number; bytesTotal: number } | null = null,
  ): void {
    let log = this.restoreLog.get(jobId);
    if (!log) {
      log = [];
      this.restoreLog.set(jobId, log);
      // Older jobs' milestones are in their event log in the database: keep only the recent ones here.
      for (const old of [...this.restoreLog.keys()].slice(0, -RESTORE_LOGS_KEPT)) this.restoreLog.delete(old);
    }
    const event: RestoreEvent = {
      jobId,
      seq: log.length + 1,
      at: this.deps.clock.now(),
      type,
      group: group?.name ?? null,
      bytesDone: group?.bytesDone ?? 0,
      bytesTotal: group?.bytesTotal ?? 0,
      message: said.message,
      detail: said.detail,
    };
    if (type !== 'GROUP_PROGRESS') {
      log.push(event);
      this.deps.jobs.addEvent(jobId, event.at, RESTORE_JOB_EVENT[type], said.message, said.detail);
    } else if (log.length < RESTORE_LOG_MAX) {
      log.push(event);
    }
    this.deps.events.publish(`job/${jobId}`, { kind: 'restore', restore: event });
  }

  /**
   * The restore events of a job so far, for a subscriber that comes late: those of this process's
   * run, or after a restart of Patchbay the milestones its event log kept.
   */
  restoreEvents(jobId: string): RestoreEvent[] {
    const live = this.restoreLog.get(jobId);
    if (live?.length) return [...live];
    const kept: RestoreEvent[] = [];
    for (const e of this.deps.jobs.events(jobId)) {
      const type = MILESTONE_OF_JOB_EVENT.get(e.type);
      if (!type) continue;
      kept.push({
        jobId,
        seq: kept.length + 1,
        at: e.at,
        type,
        group: null,
        bytesDone: 0,
        bytesTotal: 0,
        message: e.message,
        detail: e.detail ?? null,
      });
    }
    return kept;
  }
}
