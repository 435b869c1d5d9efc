/**
 * The automatic search: runs when the configured interval has passed since the last check (of any
 * kind), records its outcome like "Search now" does, and never throws into the void.
 */
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { UpdatesService } from '../services/updates.service.js';
import type { JobOutcome } from './housekeeping.job.js';

/** Wakes at least this often, so a changed interval takes effect without a restart. */
const MAX_SLEEP_MS = 15 * 60_000;

export async function runScheduledCheck(
  updates: Pick<UpdatesService, 'check' | 'nextScheduledCheck'>,
  clock: Clock,
): Promise<JobOutcome | { status: 'skipped'; reason: string }> {
  if (updates.nextScheduledCheck() > clock.now()) return { status: 'skipped', reason: 'not due' };
  const check = await updates.check('SCHEDULED');
  return check.outcome === 'SUCCEEDED'
    ? { status: 'done', detail: `${check.versionsFound ?? 0} newer versions` }
    : { status: 'failed', reason: `${check.errorCode}: ${check.errorMessage}` };
}

export function scheduleUpdateChecks(
  updates: Pick<UpdatesService, 'check' | 'nextScheduledCheck'>,
  clock: Clock,
  logger: Logger,
): () => void {
  let timer: unknown = null;
  let stopped = false;
  const tick = async () => {
    try {
      const outcome = await runScheduledCheck(updates, clock);
      if (outcome.status !== 'skipped') logger.info('scheduled update check', { ...outcome });
    } catch (err) {
      logger.error('scheduled update check crashed', { err });
    }
    if (stopped) return;
    const wait = Math.min(Math.max(updates.nextScheduledCheck().getTime() - clock.now().getTime(), 1000), MAX_SLEEP_MS);
    timer = clock.setTimeout(() => void tick(), wait);
  };
  timer = clock.setTimeout(() => void tick(), 0);
  return () => {
    stopped = true;
    if (timer) clock.clearTimeout(timer);
  };
}
