/** STOP: the appliance is stopped for maintenance; its downtime from here on belongs to the job. */
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

export async function stop(run: JobRun): Promise<Said> {
  const j = run.journal;
  run.deps.downtime.plan(j.jobId, run.cause());
  await run.deps.supervisor.stopForMaintenance(
    j.mode === 'RESTORE' ? `restoring backup ${j.sourceBackupId}` : `installing ${j.targetVersion}`,
  );
  j.stoppedAt ??= run.deps.clock.now().toISOString();
  return installNotices.stopped();
}
