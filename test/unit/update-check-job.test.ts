import { describe, expect, it } from 'vitest';
import { systemClock } from '../../server/adapters/clock.js';
import { runScheduledCheck } from '../../server/jobs/update-check.job.js';
import type { UpdateCheckRow } from '../../server/repositories/updates.repository.js';

const now = new Date('2026-11-24T12:00:00Z');
const clock = { ...systemClock, now: () => now };
const row = (outcome: 'SUCCEEDED' | 'FAILED'): UpdateCheckRow => ({
  id: 1,
  trigger: 'SCHEDULED',
  startedAt: now,
  finishedAt: now,
  outcome,
  errorCode: outcome === 'FAILED' ? 'FEED_UNREACHABLE' : null,
  errorMessage: outcome === 'FAILED' ? 'down' : null,
  errorDetails: null,
  versionsFound: outcome === 'SUCCEEDED' ? 2 : null,
});

describe('runScheduledCheck', () => {
  it('skips when the next check is not due', async () => {
    let checks = 0;
    const sut = await runScheduledCheck(
      { nextScheduledCheck: () => new Date(now.getTime() + 1), check: async () => (checks++, row('SUCCEEDED')) },
      clock,
    );
    expect(sut).toEqual({ status: 'skipped', reason: 'not due' });
    expect(checks).toBe(0);
  });

  it('checks when due and reports what it found', async () => {
    const sut = await runScheduledCheck(
      { nextScheduledCheck: () => now, check: async (trigger) => (expect(trigger).toBe('SCHEDULED'), row('SUCCEEDED')) },
      clock,
    );
    expect(sut).toEqual({ status: 'done', detail: '2 newer versions' });
  });

  it('reports a failed check as an outcome instead of throwing', async () => {
    const sut = await runScheduledCheck({ nextScheduledCheck: () => now, check: async () => row('FAILED') }, clock);
    expect(sut).toEqual({ status: 'failed', reason: 'FEED_UNREACHABLE: down' });
  });
});
