/**
 * Periodic housekeeping: forgets expired sessions. Returns an outcome instead of throwing, and the
 * runner logs it. Its timer is the injected clock's.
 */
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { AccountsService } from '../services/accounts.service.js';

export type JobOutcome = { status: 'done'; detail: string } | { status: 'failed'; reason: string };

export function purgeSessions(accounts: Pick<AccountsService, 'purgeExpiredSessions'>): JobOutcome {
  try {
    return { status: 'done', detail: `${accounts.purgeExpiredSessions()} expired sessions removed` };
  } catch (err) {
    return { status: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Runs the job every `intervalMs`; returns a function that stops it. */
export function scheduleHousekeeping(
  accounts: Pick<AccountsService, 'purgeExpiredSessions'>,
  clock: Clock,
  logger: Logger,
  intervalMs = 3_600_000,
): () => void {
  let stopped = false;
  let timer: unknown = null;
  const tick = () => {
    const outcome = purgeSessions(accounts);
    if (outcome.status === 'failed') logger.error('housekeeping failed', { reason: outcome.reason });
    else logger.debug('housekeeping', { detail: outcome.detail });
    if (!stopped) timer = clock.setTimeout(tick, intervalMs);
  };
  timer = clock.setTimeout(tick, intervalMs);
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}
