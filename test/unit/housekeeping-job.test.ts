import { describe, expect, it } from 'vitest';
import type { Clock } from '../../server/adapters/clock.js';
import { createLogger } from '../../server/adapters/logger.js';
import { scheduleHousekeeping } from '../../server/jobs/housekeeping.job.js';

/** A clock whose timers run only when the test says so. */
function manualClock() {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const clock: Clock = {
    now: () => new Date('2026-11-24T12:00:00Z'),
    setTimeout: (fn, ms) => (timers.set(next, { fn, ms }), next++),
    clearTimeout: (handle) => void timers.delete(handle as number),
  };
  const fire = () => {
    const [id, timer] = [...timers.entries()][0]!;
    timers.delete(id);
    timer.fn();
  };
  return { clock, timers, fire };
}

describe('scheduleHousekeeping', () => {
  it('purges expired sessions once per interval, on the injected clock', () => {
    const { clock, timers, fire } = manualClock();
    let purges = 0;
    const stop = scheduleHousekeeping(
      { purgeExpiredSessions: () => (purges++, 3) },
      clock,
      createLogger('error', () => {}),
      1000,
    );
    expect(purges).toBe(0);
    expect([...timers.values()].map((t) => t.ms)).toEqual([1000]);
    fire();
    fire();
    expect(purges).toBe(2);
    stop();
    expect(timers.size).toBe(0);
  });

  it('logs a failed run and keeps running', () => {
    const { clock, timers, fire } = manualClock();
    const lines: string[] = [];
    const stop = scheduleHousekeeping(
      {
        purgeExpiredSessions: () => {
          throw new Error('database is locked');
        },
      },
      clock,
      createLogger('error', (line) => lines.push(line)),
      1000,
    );
    fire();
    expect(lines.map((l) => JSON.parse(l) as { msg: string; reason: string })).toEqual([
      expect.objectContaining({ msg: 'housekeeping failed', reason: 'database is locked' }),
    ]);
    expect(timers.size).toBe(1);
    stop();
  });
});
