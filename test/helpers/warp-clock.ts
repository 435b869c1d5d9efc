/**
 * A clock that runs in real time and can jump ahead: `warp(ms)` moves `now` forward and fires at
 * once every timer that the jump made due (the others keep their remaining time). For an app under
 * test whose expiries are hours away: an hour passes in a call.
 */
import type { Clock } from '../../server/adapters/clock.js';

export interface WarpClock {
  clock: Clock;
  warp(ms: number): void;
}

export function warpClock(): WarpClock {
  let offsetMs = 0;
  let nextHandle = 1;
  const timers = new Map<number, { due: number; fn: () => void; real: NodeJS.Timeout | null }>();
  const now = () => Date.now() + offsetMs;
  const arm = (handle: number) => {
    const timer = timers.get(handle)!;
    if (timer.real) clearTimeout(timer.real);
    timer.real = setTimeout(
      () => {
        timers.delete(handle);
        timer.fn();
      },
      Math.max(0, timer.due - now()),
    );
  };
  return {
    clock: {
      now: () => new Date(now()),
      setTimeout(fn, ms) {
        const handle = nextHandle++;
        timers.set(handle, { due: now() + ms, fn, real: null });
        arm(handle);
        return handle;
      },
      clearTimeout(handle) {
        const timer = timers.get(handle as number);
        if (timer?.real) clearTimeout(timer.real);
        timers.delete(handle as number);
      },
    },
    warp(ms) {
      offsetMs += ms;
      for (const handle of timers.keys()) arm(handle);
    },
  };
}
