/** DOWNLOAD (one go): the bundles are fetched, verified against their signed hashes, and unpacked. */
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

export async function download(run: JobRun): Promise<Said> {
  const job = run.job();
  await run.deps.bundles.fetch(job, run.signal, (done, rate) => run.progress(done, job.bytesTotal, rate));
  run.deps.jobs.update(job.id, { bytesDone: job.bytesTotal });
  await run.deps.bundles.stage(job);
  return installNotices.downloaded(job.bytesTotal);
}
