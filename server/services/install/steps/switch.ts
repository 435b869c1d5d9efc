/** SWITCH: `current` points at the target release (one atomic rename of a link). */
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

export async function switchRelease(run: JobRun): Promise<Said> {
  await run.deps.layout.switchCurrent(run.journal.targetVersion);
  return installNotices.switched(run.journal.targetVersion);
}
