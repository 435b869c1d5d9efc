/**
 * Records every window in which the appliance is unavailable (stopped, starting, unhealthy), with
 * its cause, from the supervisor's state changes: a window opens when the appliance leaves RUNNING
 * and closes when it is RUNNING again. While an installation or a restore holds the appliance, its
 * windows are PLANNED and belong to that job; any other is UNPLANNED (a crash, a failed health
 * check). A window left open by a Patchbay that died stays open until the appliance runs again.
 */
import type { Clock } from '../adapters/clock.js';
import type { DowntimeRepository, DowntimeRow } from '../repositories/downtime.repository.js';
import type { SupervisorState } from './appliance-supervisor.js';

export class DowntimeService {
  private planned: { jobId: string; cause: string } | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly repo: DowntimeRepository,
    private readonly clock: Clock,
  ) {}

  /** Follows the supervisor's states from now on. */
  watch(supervisor: { onStateChange(listener: (s: SupervisorState) => void): () => void }): void {
    this.unsubscribe ??= supervisor.onStateChange((s) => this.observe(s));
  }

  unwatch(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** An installation or a restore is about to take the appliance down: its windows are its own. */
  plan(jobId: string, cause: string): void {
    this.planned = { jobId, cause };
    const open = this.repo.current();
    if (open) this.repo.claim(open.id, { cause, kind: 'PLANNED', jobId });
  }

  /** The job is over; later windows are unplanned again. */
  unplan(): void {
    this.planned = null;
  }

  observe(state: SupervisorState): void {
    const open = this.repo.current();
    if (state.state === 'RUNNING') {
      if (open) this.repo.close(open.id, state.since);
      return;
    }
    if (open) return;
    this.repo.open(
      this.planned
        ? { startedAt: state.since, cause: this.planned.cause, kind: 'PLANNED', jobId: this.planned.jobId }
        : { startedAt: state.since, cause: state.reason ?? state.state.toLowerCase(), kind: 'UNPLANNED', jobId: null },
    );
  }

  list(limit: number): DowntimeRow[] {
    return this.repo.list(Math.min(Math.max(limit, 1), 500));
  }

  forJob(jobId: string): DowntimeRow[] {
    return this.repo.forJob(jobId);
  }

  /** A window's length; an open one counts up to now. */
  durationMs(w: DowntimeRow): number {
    return (w.endedAt?.getTime() ?? this.clock.now().getTime()) - w.startedAt.getTime();
  }

  /** Milliseconds the appliance was unavailable during a job. */
  unavailableMs(jobId: string): number {
    return this.totalMs(this.repo.forJob(jobId));
  }

  /** The length of these windows together (open ones up to now). */
  totalMs(windows: readonly DowntimeRow[]): number {
    return windows.reduce((n, w) => n + this.durationMs(w), 0);
  }
}
