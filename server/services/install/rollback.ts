/**
 * The way back after a failure once the appliance was stopped: stop it, restore the data from the
 * job's backup when the data had changed, switch back to the previous release, start it, check its
 * health. Each step is journaled and safe to run again (a crash reruns the way back from its
 * start). Restore events say what happened as it happens. When the way back fails too, the job
 * ends ROLLBACK_FAILED and the appliance is handed back to the supervisor on whatever release
 * `current` points at, which the FAILED event names.
 */
import { classifyFailure, failureNotice, rollbackFailure } from '../../domain/install-failure.js';
import { rollbackRestoresData, type RollbackStep } from '../../domain/install.js';
import { installNotices, type Said } from '../../domain/install-notices.js';
import { Interrupted, type JobRun } from './job-run.js';
import { removeLeftovers } from './leftovers.js';
import { DEFAULT_HEALTH_TIMEOUT_MS } from './steps/start.js';

type RollbackBody = (run: JobRun, restoresData: boolean) => Promise<Said | null>;

const WAY_BACK: [RollbackStep, RollbackBody][] = [
  [
    'ROLLBACK_STOP',
    async (run) => {
      await run.deps.supervisor.stopForMaintenance(`restoring the state before ${run.cause()}`);
      return null;
    },
  ],
  [
    'ROLLBACK_DATA',
    async (run, restoresData) => {
      if (!restoresData) return null;
      const backupId = run.journal.backupId!;
      await run.deps.backups.restore(backupId, run.source(), (p) => {
        run.progress(p.bytesDone, p.bytesTotal, 0, { message: p.group, detail: null });
        // `groupDone`: the group's copy is written and verified next to the data, not yet swapped in.
        const group = { name: p.group, bytesDone: p.groupBytesDone, bytesTotal: p.groupBytesTotal };
        if (p.groupDone) run.restoreEvent('GROUP_RESTORED', installNotices.groupCopied(p.group, p.groupBytesTotal), group);
        else run.restoreEvent('GROUP_PROGRESS', installNotices.groupCopying(p.group), group);
      });
      // `restore` returns once every group is swapped in.
      return installNotices.backupDataInPlace(backupId);
    },
  ],
  [
    'ROLLBACK_SWITCH',
    async (run) => {
      const { layout } = run.deps;
      const from = run.journal.fromVersion;
      if ((await layout.currentVersion()) !== from) await layout.switchCurrent(from);
      run.restoreEvent('SWITCHED_BACK', installNotices.switchedBack(from));
      return null;
    },
  ],
  [
    'ROLLBACK_START',
    async (run) => {
      await run.deps.supervisor.launch(`starting ${run.journal.fromVersion} again`);
      return null;
    },
  ],
  [
    'ROLLBACK_HEALTHCHECK',
    async (run) => {
      await run.deps.supervisor.awaitHealthy(run.deps.options?.healthCheckTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
      run.restoreEvent('APPLIANCE_HEALTHY', installNotices.rollbackHealthy(run.journal.fromVersion));
      return null;
    },
  ],
];

export async function rollBack(run: JobRun): Promise<void> {
  const j = run.journal;
  const restoresData = rollbackRestoresData(j);
  if (j.phase !== 'ROLLING_BACK') {
    j.phase = 'ROLLING_BACK';
    j.rollbackRestoresData = restoresData;
    await run.save();
  }
  run.deps.jobs.move(j.jobId, ['INSTALLING', 'RESTORING'], 'RESTORING');
  run.restoreEvent('STARTED', installNotices.rollbackStarted(restoresData, j.backupId, j.fromVersion));
  let step: RollbackStep = WAY_BACK[0]![0];
  try {
    for (const [name, body] of WAY_BACK) {
      step = name;
      await run.enter(step);
      await run.leave(step, await body(run, restoresData));
    }
  } catch (err) {
    if (err instanceof Interrupted) return;
    await wayBackFailed(run, step, err);
    return;
  }
  await removeLeftovers(run);
  await run.finish(restoresData ? 'RESTORED' : 'ROLLED_BACK', {
    type: 'FINISHED',
    said: installNotices.rollbackFinished(restoresData, j.fromVersion),
  });
}

async function wayBackFailed(run: JobRun, step: RollbackStep, err: unknown): Promise<void> {
  const { steps, jobs, layout, supervisor, clock, logger } = run.deps;
  const j = run.journal;
  const cause = classifyFailure(step, err);
  steps.finish(j.jobId, step, clock.now(), 'FAILED', cause.message, failureNotice(cause));
  const failure = rollbackFailure(j.failure, step, cause);
  j.failure = { ...failure, step };
  jobs.update(j.jobId, { errorCode: failure.code, errorMessage: failure.message, errorParams: failure.params });
  logger.error('the way back failed', { jobId: j.jobId, step, code: cause.code, message: cause.message });
  const current = await layout.currentVersion();
  run.restoreEvent('FAILED', installNotices.rollbackFailed(step, cause.message, cause.code, current));
  await removeLeftovers(run);
  await run.finish('ROLLBACK_FAILED');
  // Hand the appliance back to the supervisor, which keeps trying to start it (DEGRADED meanwhile).
  supervisor
    .startAfterMaintenance()
    .catch((startErr: unknown) => logger.error('the appliance does not start after a failed way back', { err: startErr }));
}
