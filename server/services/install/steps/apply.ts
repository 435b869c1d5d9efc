/** APPLY: the staged release is moved into `releases/<version>` next to the running one. */
import { InstallStepError } from '../../../domain/errors/index.js';
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';
import { releasePresent } from '../releases.js';

export async function apply(run: JobRun): Promise<Said> {
  const { staging, layout } = run.deps;
  const j = run.journal;
  const staged = staging.releaseDir(j.jobId);
  if (await staging.manifest(staged)) {
    await layout.applyRelease(staged, j.targetVersion);
  } else if (!(await releasePresent(layout, j.targetVersion))) {
    // Neither staged nor already moved in place by an earlier, interrupted run.
    throw new InstallStepError({ code: 'STAGED_RELEASE_MISSING', version: j.targetVersion, release: true, modules: [] });
  }
  return installNotices.releaseInPlace(j.targetVersion, j.fromVersion);
}
