/**
 * The admin's say over a running wait for calls (`installNow`, `cancelJob`): an order the DRAIN
 * step takes at its next look at the calls, and the pause between two looks, which the order or
 * the engine's stop cuts short.
 */
import type { Clock } from '../../adapters/clock.js';
import type { DrainOrder } from '../../domain/drain.js';

export interface GivenOrder {
  order: DrainOrder;
  /** Who gave it. */
  by: string;
}

export class DrainWait {
  private waiting = false;
  private given: GivenOrder | null = null;
  private wake: (() => void) | null = null;

  /** The step waits for calls from now on (orders are taken) until `end`. */
  begin(): void {
    this.waiting = true;
  }

  end(): void {
    this.waiting = false;
    this.given = null;
  }

  /** Gives an order to the running wait; false when no wait runs (the first order stands). */
  give(order: DrainOrder, by: string): boolean {
    if (!this.waiting) return false;
    this.given ??= { order, by };
    this.wake?.();
    return true;
  }

  /** The order given since the last look, if any. */
  take(): GivenOrder | null {
    const given = this.given;
    this.given = null;
    return given;
  }

  /** Pauses `ms` on the clock, or less when an order comes or `signal` aborts. */
  pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
    if (this.given || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clock.clearTimeout(handle);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const handle = clock.setTimeout(done, ms);
      signal.addEventListener('abort', done);
      this.wake = done;
    });
  }
}
