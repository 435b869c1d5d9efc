/** MIGRATE: the new release's migrations bring the data to its schema (the first step that changes the data). */
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

export async function migrate(run: JobRun): Promise<Said> {
  const outcome = await run.deps.migrations.run(run.deps.layout.releaseDir(run.journal.targetVersion));
  return installNotices.migrated(outcome.ran);
}
