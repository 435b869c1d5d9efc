/** RESTORE_DATA (a restore): the chosen backup's data is put back, checked as it is copied, then swapped in. */
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

export async function restoreData(run: JobRun): Promise<Said> {
  const backupId = run.journal.sourceBackupId!;
  await run.deps.backups.restore(backupId, run.source(), (p) =>
    run.progress(p.bytesDone, p.bytesTotal, 0, { message: p.group, detail: null }),
  );
  return installNotices.backupDataInPlace(backupId);
}
