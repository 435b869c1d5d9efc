/**
 * Starts scheduled installations at their time. At each look (at start, when a plan changes, when
 * its timer fires) it takes the INSTALL_SCHEDULED job and applies the scheduling rule through
 * InstallScheduleService.review: wait (a timer on the injected clock, at most an hour, so that a
 * clock changed by NTP cannot leave a plan waiting forever), start the installation as a pressed
 * Install would (InstallService.startScheduled), or record a missed time. The plan is the job's
 * record, so a restart of Patchbay picks it up where it was: `start` is the look at boot.
 */
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { JobsRepository } from '../repositories/jobs.repository.js';
import type { InstallScheduleService } from '../services/install-schedule.service.js';
import type { InstallService } from '../services/install.service.js';

export interface InstallSchedulerDeps {
  jobs: Pick<JobsRepository, 'inStates'>;
  schedules: Pick<InstallScheduleService, 'review'>;
  install: Pick<InstallService, 'startScheduled'>;
  clock: Clock;
  logger: Logger;
}

const MAX_SLEEP_MS = 3_600_000;

export class InstallScheduler {
  private timer: unknown = null;
  private starting: Promise<void> | null = null;
  private started = false;
  private stopped = false;

  constructor(private readonly deps: InstallSchedulerDeps) {}

  /** At boot, once an interrupted installation is recovered: a plan whose time passed meanwhile is reviewed now. */
  start(): void {
    this.started = true;
    this.wake();
  }

  /** Looks at the scheduled job again (its plan changed, or its time came). */
  wake(): void {
    if (!this.started || this.stopped || this.starting) return;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    const job = this.deps.jobs.inStates(['INSTALL_SCHEDULED'])[0];
    if (!job) return;
    const decision = this.deps.schedules.review(job);
    switch (decision.kind) {
      case 'WAIT': {
        const wait = decision.until.getTime() - this.deps.clock.now().getTime();
        this.timer = this.deps.clock.setTimeout(() => this.wake(), Math.min(Math.max(wait, 0), MAX_SLEEP_MS));
        return;
      }
      case 'INSTALL':
        this.starting = this.deps.install
          .startScheduled(job.id, decision.windowEnd)
          // What the job could not record (the database itself failing) still reaches the log.
          .catch((err: unknown) => this.deps.logger.error('scheduled installation did not start', { jobId: job.id, err }))
          .finally(() => {
            this.starting = null;
          });
        return;
      case 'WINDOW_MISSED':
      case 'AT_MISSED':
        // Recorded by the review, which woke this again for the plan it left (if any).
        return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    await this.starting;
  }
}
