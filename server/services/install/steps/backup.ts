/** BACKUP: a verified offline copy of the data and module state, taken while the appliance is stopped. */
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

export async function backup(run: JobRun): Promise<Said> {
  const { layout, backups, jobs } = run.deps;
  const j = run.journal;
  const installed = await layout.readInstalled();
  const manifest = await layout.readManifest(await layout.currentReleaseDir());
  const made = await backups.createOffline(
    run.source(),
    {
      reason: j.mode === 'RESTORE' ? `before restoring backup ${j.sourceBackupId}` : `before installing ${j.targetVersion}`,
      jobId: j.jobId,
      applianceVersion: installed.version,
      dataSchemaVersion: manifest.dataSchemaVersion,
    },
    (p) => run.progress(p.bytesDone, p.bytesTotal, 0, { message: p.group, detail: null }),
  );
  j.backupId = made.id;
  await run.save();
  jobs.update(j.jobId, { backupId: made.id });
  return installNotices.backupDone(made);
}
