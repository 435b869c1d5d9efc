/**
 * At Patchbay's start, what an unfinished journal gets before the engine carries it on: the
 * temporary files a killed run left are removed, the interrupted step is closed as such, and the
 * decision (`recoveryAction`) is journaled and told in the job's events. A rollback started this
 * way has the interruption as its cause.
 */
import { interruptedFailure } from '../../domain/install-failure.js';
import type { RecoveryAction } from '../../domain/install.js';
import { installNotices } from '../../domain/install-notices.js';
import type { JobRun } from './job-run.js';

export async function prepareRecovery(run: JobRun, action: Exclude<RecoveryAction, 'NONE'>): Promise<void> {
  const { jobs, steps, clock, logger, layout, backups, downtime } = run.deps;
  const j = run.journal;
  const now = clock.now();
  j.recoveries.push({ at: now.toISOString(), step: j.step, action });
  await run.save();
  const interrupted = installNotices.stepInterrupted();
  steps.interrupt(j.jobId, now, interrupted.message, interrupted.detail);
  const said = installNotices.recovery(j.step, action);
  jobs.addEvent(j.jobId, now, 'RECOVERY', said.message, said.detail);
  logger.warn('unfinished installation found', { jobId: j.jobId, step: j.step, phase: j.phase, action });
  await layout.cleanupTemporary();
  await backups.cleanupTemporary(run.source());
  // Waiting for calls (or before), the appliance had not stopped yet: no unavailable time is the job's.
  if (action !== 'UNDRAIN' && action !== 'PLAN_AGAIN') downtime.plan(j.jobId, run.cause());
  if (action === 'ROLL_BACK') j.failure ??= { ...interruptedFailure(j.step), step: j.step };
}
