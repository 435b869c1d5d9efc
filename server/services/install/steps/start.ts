/** START and HEALTHCHECK: the new release is launched (still in maintenance), then must answer healthy in time. */
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

/** How long a started release may take to be healthy, unless configured. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export async function start(run: JobRun): Promise<null> {
  await run.deps.supervisor.launch(`starting ${run.journal.targetVersion}`);
  return null;
}

export async function healthcheck(run: JobRun): Promise<Said> {
  await run.deps.supervisor.awaitHealthy(run.deps.options?.healthCheckTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
  return installNotices.healthy(run.journal.targetVersion);
}
