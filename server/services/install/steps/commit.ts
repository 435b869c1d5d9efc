/**
 * COMMIT: removes what the installation no longer needs (its downloads and staging, releases beyond
 * those kept for going back, backups beyond the retention); safe to repeat.
 */
import type { JobRun } from '../job-run.js';
import { compareVersionsDesc } from '../releases.js';

/** Old releases kept besides the current one, unless configured. */
const DEFAULT_KEEP_RELEASES = 2;

export async function commit(run: JobRun): Promise<null> {
  const { layout, bundles, backups, logger, options } = run.deps;
  const j = run.journal;
  await bundles.discard(run.job());
  const current = await layout.currentVersion();
  const keep = options?.keepReleases ?? DEFAULT_KEEP_RELEASES;
  const others = (await layout.listReleases()).filter((v) => v !== current).sort(compareVersionsDesc);
  for (const v of others.slice(keep)) await layout.removeRelease(v);
  const protect = [j.backupId, j.sourceBackupId].filter((id): id is string => !!id);
  try {
    await backups.prune(run.deps.keepBackups(), protect);
  } catch (err) {
    // The installation is done; backups beyond the retention go at the next prune.
    logger.warn('pruning backups failed', { err });
  }
  return null;
}
