/**
 * What a job that did not succeed leaves behind, removed at each of its final outcomes (also when
 * the way back failed): its downloads and staging, the release it added (unless it is the current
 * one, which a failed way back can leave), and the module versions it added that are not in use.
 * A removal that fails does not change the outcome: it is logged and recorded in the job's events.
 */
import { installNotices } from '../../domain/install-notices.js';
import type { JobRun } from './job-run.js';

export async function removeLeftovers(run: JobRun): Promise<void> {
  const { layout, bundles, jobs, clock, logger } = run.deps;
  const j = run.journal;
  const failed: string[] = [];
  const attempt = async (what: string, remove: () => Promise<void>) => {
    try {
      await remove();
    } catch (err) {
      logger.warn('could not remove what a failed installation left', { jobId: j.jobId, what, err });
      failed.push(what);
    }
  };
  await attempt(`downloads and staging of job ${j.jobId}`, () => bundles.discard(run.job()));
  if (j.mode !== 'RESTORE' && j.targetVersion !== j.fromVersion) {
    await attempt(`releases/${j.targetVersion}`, async () => {
      if ((await layout.currentVersion()) !== j.targetVersion) await layout.removeRelease(j.targetVersion);
    });
  }
  await attempt('module versions', async () => {
    const inUse = new Set((await layout.readModules()).map((m) => `${m.id}/${m.version}`));
    for (const m of j.modules) {
      if (!inUse.has(`${m.moduleId}/${m.version}`)) await layout.removeModuleVersion(m.moduleId, m.version);
    }
  });
  if (failed.length) {
    const said = installNotices.cleanupIncomplete(failed);
    jobs.addEvent(j.jobId, clock.now(), 'CLEANUP_INCOMPLETE', said.message, said.detail);
  }
}
