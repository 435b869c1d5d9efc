/**
 * DRAIN: before the stop, the appliance refuses new calls and the installation waits for the
 * active ones to end, within the admin's limit (`drainDecision`). The appliance runs meanwhile: the
 * wait is not unavailable time. A scheduled installation in a maintenance window waits no longer
 * than the window is open. Whenever the installation does not go on to the stop (the admin
 * cancels, the limit or the window's end with CANCEL or POSTPONE_TO_NEXT_WINDOW, a failure reading
 * the calls, Patchbay stopping), the appliance is undrained first: it is never left refusing calls.
 */
import { classifyFailure } from '../../../domain/install-failure.js';
import { DRAIN_POLL_MS, drainDecision, type DrainRecord, type DrainTimeoutEnd } from '../../../domain/drain.js';
import { installNotices, type Said } from '../../../domain/install-notices.js';
import { Interrupted, type JobRun } from '../job-run.js';

/** The installation is called off during the wait; the engine ends the job as CANCELLED. */
export class DrainCancelled extends Error {
  constructor(
    readonly record: DrainRecord,
    /** Who cancelled; null: the limit passed with CANCEL chosen. */
    readonly by: string | null,
  ) {
    super('The installation was cancelled while waiting for the calls to end.');
  }
}

/** The limit or the window's end passed with POSTPONE_TO_NEXT_WINDOW chosen; the engine plans the next window. */
export class DrainPostponed extends Error {
  constructor(readonly record: DrainRecord & { end: DrainTimeoutEnd }) {
    super('The calls did not end in time: the installation is postponed to the next maintenance window.');
  }
}

export async function drain(run: JobRun): Promise<Said> {
  const { calls, clock } = run.deps;
  const j = run.journal;
  const policy = j.drain ?? null;
  if (!calls.supported) return installNotices.drainUnsupported();
  if (policy === null) return installNotices.drainSkipped();
  const started = clock.now().getTime();
  const windowEnd = j.schedule?.windowEnd ? Date.parse(j.schedule.windowEnd) : null;
  const limit = started + policy.maxWaitMinutes * 60_000;
  const deadline = new Date(windowEnd === null ? limit : Math.min(limit, windowEnd));
  run.drainWait.begin();
  try {
    await calls.drain();
    for (;;) {
      const activeCalls = await calls.activeCalls();
      const now = clock.now().getTime();
      const given = run.drainWait.take();
      const decision = drainDecision(policy, {
        activeCalls,
        waitedMs: now - started,
        order: given?.order ?? null,
        windowLeftMs: windowEnd === null ? null : windowEnd - now,
      });
      if (decision.action === 'WAIT') {
        const waitedMs = now - started;
        run.progress(0, 0, 0, installNotices.drainWaiting(activeCalls, Math.max(0, deadline.getTime() - now)), {
          activeCalls,
          waitedMs,
          deadline,
        });
        await run.drainWait.pause(clock, DRAIN_POLL_MS, run.signal);
        if (run.stopping) throw new Interrupted();
        continue;
      }
      // From here no order is taken: a cancel that comes now is refused, not silently dropped.
      run.drainWait.end();
      const record = { waitedMs: now - started, activeCallsAtEnd: activeCalls };
      j.drained = { ...record, end: decision.end };
      await run.save();
      if (decision.action === 'CANCEL') throw new DrainCancelled(j.drained, given?.by ?? null);
      if (decision.action === 'POSTPONE') throw new DrainPostponed({ ...record, end: decision.end });
      return installNotices.drained({ ...record, end: decision.end });
    }
  } catch (err) {
    // Not going on to the stop: calls are accepted again before anything else is said.
    await undrainRecorded(run);
    throw err;
  } finally {
    run.drainWait.end();
  }
}

/**
 * Undoes the drain and records it in the job's events; when that fails too, the failure is
 * recorded and logged (the caller's outcome stands: the admin reads both).
 */
export async function undrainRecorded(run: JobRun): Promise<void> {
  const { calls, jobs, clock, logger } = run.deps;
  try {
    await calls.undrain();
    const said = installNotices.undrained();
    jobs.addEvent(run.jobId, clock.now(), 'UNDRAINED', said.message, said.detail);
  } catch (err) {
    const cause = classifyFailure('DRAIN', err);
    const said = installNotices.undrainFailed(cause.code, cause.message);
    logger.error('the appliance could not be undrained', { jobId: run.jobId, err });
    jobs.addEvent(run.jobId, clock.now(), 'UNDRAIN_FAILED', said.message, said.detail);
  }
}
