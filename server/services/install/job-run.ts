/**
 * One run of the engine over one job's journal: the journal written before each step acts and
 * after it is done, the step rows and job events that mirror it in the database, the progress and
 * restore events, and the job's end (the journal first, the source of truth, then the database).
 * The steps and the way back act through it.
 */
import type { BackupSource } from '../../adapters/backup/backup-store.js';
import { JobNotInDatabaseError } from '../../domain/errors/index.js';
import { failureNotice, type InstallFailure } from '../../domain/install-failure.js';
import type { InstallJournal, JournalOutcome, JournalStep } from '../../domain/install.js';
import { installNotices, type Said } from '../../domain/install-notices.js';
import type { JobState } from '../../domain/jobs.js';
import type { Notice } from '../../domain/notice.js';
import type { RestoreEventType } from '../../events.js';
import type { JobRow } from '../../repositories/jobs.repository.js';
import type { DrainProgress } from '../../domain/drain.js';
import { DrainWait } from './drain-wait.js';
import type { InstallEngineDeps } from './engine-deps.js';
import type { JobEventLog } from './job-event-log.js';

/** Thrown at a step boundary once the engine stops: the journal says where, and the next start carries on. */
export class Interrupted extends Error {}

/** The job states an installation's row is in until its end (STAGED: the instant before it begins). */
const RUNNING_STATES: JobState[] = ['STAGED', 'INSTALLING', 'RESTORING'];

export class JobRun {
  /** The admin's orders to the wait for calls, while the DRAIN step runs. */
  readonly drainWait = new DrainWait();

  constructor(
    readonly journal: InstallJournal,
    readonly deps: InstallEngineDeps,
    readonly log: JobEventLog,
    /** Aborted when the engine stops (a running download stops with it). */
    readonly signal: AbortSignal,
  ) {}

  get jobId(): string {
    return this.journal.jobId;
  }

  get stopping(): boolean {
    return this.signal.aborted;
  }

  async save(): Promise<void> {
    this.journal.updatedAt = this.deps.clock.now().toISOString();
    await this.deps.journal.write(this.journal);
  }

  job(): JobRow {
    const row = this.deps.jobs.find(this.jobId);
    if (!row) throw new JobNotInDatabaseError(this.jobId);
    return row;
  }

  source(): BackupSource {
    return { dataDir: this.deps.layout.dataDir, moduleStateFile: this.deps.layout.moduleStateFile };
  }

  /** What takes the appliance down, in the downtime record's words. */
  cause(): string {
    const j = this.journal;
    return j.mode === 'RESTORE' ? `restore of backup ${j.sourceBackupId}` : `installation of ${j.targetVersion}`;
  }

  /** Records that `step` begins (journal first), then lets the hooks run. */
  async enter(step: JournalStep): Promise<void> {
    if (this.stopping) throw new Interrupted();
    const now = this.deps.clock.now();
    this.journal.step = step;
    await this.save();
    this.deps.steps.start(this.jobId, step, now);
    this.deps.jobs.update(this.jobId, { step });
    this.progress(0, 0, 0, installNotices.running(step));
    await this.deps.options?.hooks?.afterJournal?.(this.journal);
  }

  /** Records that `step` is done, with what it did. */
  async leave(step: JournalStep, said: Said | null): Promise<void> {
    if (!this.journal.stepsDone.includes(step)) this.journal.stepsDone.push(step);
    await this.save();
    const now = this.deps.clock.now();
    this.deps.steps.finish(this.jobId, step, now, 'DONE', said?.message ?? null, said?.detail ?? null);
    if (said) this.deps.jobs.addEvent(this.jobId, now, step, said.message, said.detail);
  }

  /** Records a failed step: its row, the job's error, a FAILED event. The journal keeps it with the next write. */
  recordFailure(step: JournalStep, failure: InstallFailure, event: string): void {
    const now = this.deps.clock.now();
    const detail = failureNotice(failure);
    this.journal.failure = { ...failure, step };
    this.deps.steps.finish(this.jobId, step, now, 'FAILED', failure.message, detail);
    this.deps.jobs.update(this.jobId, { errorCode: failure.code, errorMessage: failure.message, errorParams: failure.params });
    this.deps.jobs.addEvent(this.jobId, now, 'FAILED', event, detail);
  }

  progress(
    bytesDone: number,
    bytesTotal: number,
    bytesPerSecond = 0,
    said: { message: string; detail: Notice | null } | null = null,
    drain: DrainProgress | null = null,
  ): void {
    this.log.progress(this.jobId, {
      state: jobStateOf(this.journal),
      step: this.journal.step,
      bytesDone,
      bytesTotal,
      bytesPerSecond,
      said,
      drain,
    });
  }

  restoreEvent(type: RestoreEventType, said: Said, group: { name: string; bytesDone: number; bytesTotal: number } | null = null): void {
    this.log.restore(this.jobId, type, said, group);
  }

  /**
   * Ends the job: the journal first (the source of truth), then the database, then the
   * subscribers: `lastRestoreEvent` (the way back's FINISHED) before the final progress, which is
   * the job's last event and ends its streams.
   */
  async finish(outcome: JournalOutcome, lastRestoreEvent?: { type: RestoreEventType; said: Said }): Promise<void> {
    this.journal.phase = 'DONE';
    this.journal.outcome = outcome;
    await this.save();
    reconcile(this.deps, this.journal);
    this.deps.downtime.unplan();
    if (lastRestoreEvent) this.restoreEvent(lastRestoreEvent.type, lastRestoreEvent.said);
    this.finalProgress(jobStateOf(this.journal), this.journal.failure);
  }

  /**
   * The engine could not bring the job to a recorded end (its journal could not be written): the
   * row is closed as failed all the same, and the next start of Patchbay finishes the job from
   * the journal (see `reconcile`).
   */
  recordAbandoned(failure: InstallFailure): void {
    this.deps.steps.finish(this.jobId, this.journal.step, this.deps.clock.now(), 'FAILED', failure.message, failureNotice(failure));
    this.close('ROLLBACK_FAILED', failure);
    this.deps.downtime.unplan();
    this.finalProgress('FAILED', failure);
  }

  /** The first journal write failed: nothing was touched, and there is no journal to recover. */
  recordNotBegun(failure: InstallFailure): void {
    this.close('FAILED', failure);
    this.finalProgress('FAILED', failure);
  }

  private close(outcome: JournalOutcome, failure: InstallFailure): void {
    const now = this.deps.clock.now();
    this.deps.jobs.move(this.jobId, RUNNING_STATES, 'FAILED', {
      finishedAt: now,
      outcome,
      restored: false,
      errorCode: failure.code,
      errorMessage: failure.message,
      errorParams: failure.params,
    });
    this.deps.jobs.addEvent(this.jobId, now, 'FAILED', failure.message, failureNotice(failure));
  }

  private finalProgress(
    state: JobState,
    failure: (Pick<InstallFailure, 'code' | 'message'> & { params?: InstallFailure['params'] }) | null,
  ): void {
    const said = failure ? { message: failure.message, detail: failureNotice(failure) } : null;
    const installPlan = state === 'INSTALL_SCHEDULED' ? this.journal.plannedAgain : null;
    this.log.progress(this.jobId, { state, step: null, bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0, said, installPlan }, true);
  }
}

/** The job's state, as the journal says it: the database mirrors it. */
export function jobStateOf(j: InstallJournal): JobState {
  if (j.phase === 'FORWARD') return 'INSTALLING';
  if (j.phase === 'ROLLING_BACK') return 'RESTORING';
  if (j.outcome === 'CANCELLED') return j.plannedAgain ? 'INSTALL_SCHEDULED' : j.mode === 'SEPARATE' ? 'STAGED' : 'CANCELLED';
  return j.outcome === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
}

/**
 * Makes the job row say what the finished journal says (also after a crash between the two, and
 * after a run whose end could not be written, closed as RECOVERY_PENDING).
 */
export function reconcile(deps: Pick<InstallEngineDeps, 'jobs' | 'clock'>, j: InstallJournal): void {
  if (j.phase !== 'DONE' || !j.outcome) return;
  const row = deps.jobs.find(j.jobId);
  const from: JobState[] = row?.errorCode === 'RECOVERY_PENDING' ? [...RUNNING_STATES, 'FAILED'] : RUNNING_STATES;
  const f = j.failure;
  const to = jobStateOf(j);
  if (to === 'STAGED') {
    // Called off before the stop: the staged download is as it was, to be installed another time.
    deps.jobs.move(j.jobId, ['INSTALLING'], 'STAGED', { step: null });
    return;
  }
  if (to === 'INSTALL_SCHEDULED') {
    // Called off before the stop and planned again: the scheduler takes it from here.
    deps.jobs.move(j.jobId, ['INSTALLING'], 'INSTALL_SCHEDULED', { step: null, installPlan: j.plannedAgain });
    return;
  }
  deps.jobs.move(j.jobId, from, to, {
    finishedAt: deps.clock.now(),
    outcome: j.outcome,
    restored: j.outcome === 'RESTORED',
    errorCode: f?.code ?? null,
    errorMessage: f?.message ?? null,
    errorParams: f ? (f.params ?? []) : null,
  });
}
