/**
 * The installation engine: the one place that sequences a job's steps. Each step is journaled
 * before it acts and is safe to run again; a failure after the appliance was stopped takes the way
 * back (`rollback.ts`); at Patchbay's start an unfinished journal is completed or undone
 * (`recovery.ts`). It holds the operation lock from the request (or the recovery) until the job
 * reaches a final, recorded outcome — also when the journal itself cannot be written, in which case
 * the job is closed as RECOVERY_PENDING, the lock stays taken, and the next start finishes it from the journal.
 * A scheduled installation called off before the stop and planned again (postponed to the next
 * window, or after a crash during its wait) wakes the scheduler once the lock is released.
 */
import type { DrainOrder } from '../../domain/drain.js';
import {
  classifyFailure,
  type InstallFailure,
  interruptedFailure,
  postponedTooOftenFailure,
  recoveryPendingFailure,
} from '../../domain/install-failure.js';
import { scheduleNotices } from '../../domain/install-schedule-notices.js';
import { MAX_INSTALL_POSTPONEMENTS } from '../../domain/install-schedule.js';
import { type InstallJournal, type InstallStep, type RecoveryAction, recoveryAction, stepsFor } from '../../domain/install.js';
import { installNotices } from '../../domain/install-notices.js';
import type { ProgressEvent, RestoreEvent } from '../../events.js';
import type { InstallEngineDeps } from './engine-deps.js';
import { JobEventLog } from './job-event-log.js';
import { Interrupted, JobRun, reconcile } from './job-run.js';
import { removeLeftovers } from './leftovers.js';
import { prepareRecovery } from './recovery.js';
import { rollBack } from './rollback.js';
import { DrainCancelled, DrainPostponed, undrainRecorded } from './steps/drain.js';
import { FORWARD_STEPS } from './steps/index.js';

export class InstallEngine {
  private running: Promise<void> | null = null;
  private current: JobRun | null = null;
  private readonly abort = new AbortController();
  private readonly log: JobEventLog;

  constructor(private readonly deps: InstallEngineDeps) {
    this.log = new JobEventLog(deps);
  }

  /** Resolves when the running job (if any) has reached its end, or stopped at a step boundary. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Live figures of a running installation step (for clients that poll). */
  progress(jobId: string): ProgressEvent | null {
    return this.log.latestProgress(jobId);
  }

  /** The restore events of a job so far, for late subscribers. */
  restoreEvents(jobId: string): RestoreEvent[] {
    return this.log.restoreEvents(jobId);
  }

  /**
   * Runs a new job in the background; its row exists already (INSTALLING, step PREFLIGHT), and the
   * caller holds the operation lock, whose `release` the engine calls at the job's end.
   */
  async begin(journal: InstallJournal, release: () => void): Promise<void> {
    const run = this.newRun(journal);
    try {
      await this.deps.journal.write(journal);
    } catch (err) {
      // Nothing was touched and there is no journal to recover: the job ends here.
      this.closeUnrecorded(run, classifyFailure('PREFLIGHT', err), (f) => run.recordNotBegun(f));
      release();
      return;
    }
    this.track(run, () => this.drive(run, stepsFor(journal.mode)[0]!), release);
  }

  /**
   * At Patchbay's start, before the appliance is started: cleans what a killed run left and, when
   * the journal is unfinished, completes or undoes the installation in the background.
   * Returns what it does, or null when there is nothing to recover (the caller starts the appliance).
   */
  async recover(): Promise<{ jobId: string; action: RecoveryAction } | null> {
    const release = this.deps.lock.acquire('installation');
    let started = false;
    try {
      await this.deps.journal.cleanupTemporary();
      const journal = await this.deps.journal.read();
      if (!journal) return null;
      const action = recoveryAction(journal);
      if (action === 'NONE') {
        reconcile(this.deps, journal);
        return null;
      }
      const run = this.newRun(journal);
      await prepareRecovery(run, action);
      // Resuming or completing, the new release must run again first: the crash (a power cut) may
      // have stopped it, or left it running unsupervised. Starting, checking and committing are
      // each safe to repeat.
      const work =
        action === 'ROLL_BACK'
          ? () => rollBack(run)
          : action === 'UNDRAIN'
            ? () => this.undrainAfterCrash(run)
            : action === 'PLAN_AGAIN'
              ? () => this.planAgainAfterCrash(run)
              : () => this.drive(run, 'START');
      this.track(run, work, release);
      started = true;
      return { jobId: journal.jobId, action };
    } finally {
      if (!started) release();
    }
  }

  /**
   * An order to the installation waiting for its calls to end: INSTALL_NOW goes on to the stop
   * at once, CANCEL undrains and ends the job. False when `jobId` is not waiting for calls.
   */
  orderDrain(jobId: string, order: DrainOrder, by: string): boolean {
    return this.current?.jobId === jobId && this.current.drainWait.give(order, by);
  }

  /** Stops at the next step boundary; the journal says where, and the next start carries on. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private newRun(journal: InstallJournal): JobRun {
    return new JobRun(journal, this.deps, this.log, this.abort.signal);
  }

  private track(run: JobRun, work: () => Promise<void>, release: () => void): void {
    this.current = run;
    this.running = (async () => {
      let abandoned = false;
      try {
        await work();
      } catch (err) {
        // The job's end could not be recorded (its journal, most likely, on a full disk). The
        // journal still holds what the next start must finish: until then no other installation
        // or backup may overwrite it, so the lock stays taken.
        abandoned = true;
        this.closeUnrecorded(run, recoveryPendingFailure(run.journal.step, err), (f) => run.recordAbandoned(f));
        this.deps.supervisor
          .startAfterMaintenance()
          .catch((startErr: unknown) =>
            this.deps.logger.error('the appliance does not start after an abandoned installation', { err: startErr }),
          );
      } finally {
        if (!abandoned) release();
        this.running = null;
        this.current = null;
      }
      // Planned again: the scheduler may start it (once the lock above is free).
      if (run.journal.plannedAgain && run.journal.phase === 'DONE') this.deps.schedules.planChanged();
    })();
  }

  /** Records a job's end outside its journal; if the database cannot take it either, that is logged. */
  private closeUnrecorded(run: JobRun, failure: InstallFailure, record: (f: InstallFailure) => void): void {
    this.deps.logger.error('installation ended without its journal', { jobId: run.jobId, code: failure.code, message: failure.message });
    try {
      record(failure);
    } catch (err) {
      this.deps.logger.error('the end of the installation could not be recorded in the database either', { jobId: run.jobId, err });
    }
  }

  private async drive(run: JobRun, from: InstallStep): Promise<void> {
    const steps = stepsFor(run.journal.mode);
    let step: InstallStep = from;
    try {
      for (let i = steps.indexOf(from); i < steps.length; i++) {
        step = steps[i]!;
        await run.enter(step);
        await run.leave(step, await FORWARD_STEPS[step](run));
      }
    } catch (err) {
      // Stopping aborts a running download too: the journal says where, and the next start decides.
      if (err instanceof Interrupted || run.stopping) return;
      if (err instanceof DrainCancelled) await this.cancelled(run, err);
      else if (err instanceof DrainPostponed) await this.postponed(run, err);
      else await this.fail(run, step, err);
      return;
    }
    // Only once the last step is recorded is the job announced as ended.
    await this.succeed(run);
  }

  private async fail(run: JobRun, step: InstallStep, err: unknown): Promise<void> {
    const failure = classifyFailure(step, err);
    run.recordFailure(step, failure, `${step}: ${failure.message}`);
    this.deps.logger.warn('installation step failed', { jobId: run.jobId, step, code: failure.code, message: failure.message });
    // Nothing was touched before the stop (the DRAIN step undrained before it failed).
    if (step === 'PREFLIGHT' || step === 'DRAIN') await this.endUntouched(run);
    else await rollBack(run);
  }

  /** A job that failed before the appliance stopped: its downloads go, the appliance runs on. */
  private async endUntouched(run: JobRun): Promise<void> {
    await removeLeftovers(run);
    await run.finish('FAILED');
  }

  /** Called off while waiting for calls (already undrained): the staged download stays, nothing else was done. */
  private async cancelled(run: JobRun, c: DrainCancelled): Promise<void> {
    const said = installNotices.drainCancelled(c.record, c.by);
    const now = this.deps.clock.now();
    this.deps.steps.finish(run.jobId, 'DRAIN', now, 'DONE', said.message, said.detail);
    this.deps.jobs.addEvent(run.jobId, now, 'CANCELLED', said.message, said.detail);
    await run.finish('CANCELLED');
  }

  /**
   * The wait of a scheduled installation outlasted its window (or its limit) with
   * POSTPONE_TO_NEXT_WINDOW chosen (already undrained): planned for the next window, or failed past
   * the cap of postponements, or STAGED when no window is set any more.
   */
  private async postponed(run: JobRun, p: DrainPostponed): Promise<void> {
    const j = run.journal;
    const { steps, jobs, clock } = this.deps;
    const schedule = j.schedule!;
    const decision = this.deps.schedules.postponement(schedule.plan, schedule.windowEnd ? new Date(schedule.windowEnd) : null);
    if (decision.kind === 'TOO_OFTEN') {
      const failure = postponedTooOftenFailure(decision.count);
      run.recordFailure('DRAIN', failure, `DRAIN: ${failure.message}`);
      await this.endUntouched(run);
      return;
    }
    const now = clock.now();
    const drained = installNotices.drainPostponed(p.record);
    steps.finish(run.jobId, 'DRAIN', now, 'DONE', drained.message, drained.detail);
    if (decision.kind === 'NO_WINDOW') {
      const said = scheduleNotices.postponedNoWindow();
      jobs.addEvent(run.jobId, now, 'CANCELLED', said.message, said.detail);
    } else {
      j.plannedAgain = decision.plan;
      const said = scheduleNotices.postponed(decision.next, decision.plan.postponements!, MAX_INSTALL_POSTPONEMENTS);
      jobs.addEvent(run.jobId, now, 'INSTALL_POSTPONED', said.message, said.detail);
    }
    await run.finish('CANCELLED');
  }

  /**
   * Patchbay stopped during the preflight or the wait for calls of a scheduled installation:
   * nothing was touched. As for any wait (`undrainAfterCrash`) the appliance is brought up and
   * accepts calls again; then the job is planned again as it was, and the scheduler decides (inside
   * its window still: it goes on; after it: the next window, recorded; AT: within its grace only).
   */
  private async planAgainAfterCrash(run: JobRun): Promise<void> {
    await this.deps.supervisor.startAfterMaintenance();
    if (this.deps.calls.supported) await undrainRecorded(run);
    const j = run.journal;
    const plan = j.schedule!.plan;
    j.plannedAgain = plan;
    const said = scheduleNotices.plannedAgainAfterRestart(plan.plannedAt);
    this.deps.jobs.addEvent(run.jobId, this.deps.clock.now(), 'INSTALL_PLANNED_AGAIN', said.message, said.detail);
    await run.finish('CANCELLED');
  }

  /**
   * Patchbay stopped while the PBX refused new calls: nothing was touched. The appliance is
   * brought up (or adopted, when it ran on), told to accept calls again, and the job ends as
   * interrupted before the stop.
   */
  private async undrainAfterCrash(run: JobRun): Promise<void> {
    await this.deps.supervisor.startAfterMaintenance();
    if (this.deps.calls.supported) await undrainRecorded(run);
    const failure = interruptedFailure('DRAIN');
    run.recordFailure('DRAIN', failure, `DRAIN: ${failure.message}`);
    await this.endUntouched(run);
  }

  private async succeed(run: JobRun): Promise<void> {
    const { jobs, clock } = this.deps;
    const j = run.journal;
    await run.finish('SUCCEEDED');
    const said =
      j.mode === 'RESTORE'
        ? installNotices.restoreSucceeded(j.sourceBackupId!, j.targetVersion)
        : installNotices.succeeded(j.targetVersion, j.stoppedAt ? clock.now().getTime() - Date.parse(j.stoppedAt) : null);
    jobs.addEvent(j.jobId, clock.now(), 'SUCCEEDED', said.message, said.detail);
  }
}
