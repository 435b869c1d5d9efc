/**
 * A PBX's call control in memory, for unit tests of the DRAIN step: the active-call count each
 * look returns is scripted (`scripted([3, 2, 0])`: three calls, then two, then none, the last
 * value repeated), or a function of the look that may throw (fault injection). `drain`/`undrain`
 * are written to a log that the test can share with the supervisor's, to see their order.
 */
import type { CallControl } from '../../server/adapters/appliance/appliance-runtime.js';

export class FakeCallControl implements CallControl {
  readonly supported = true;
  draining = false;
  /** How many times the active calls were read. */
  looks = 0;

  /** Where `drain` and `undrain` are written (a test may share the supervisor's log). */
  log: string[] = [];

  constructor(private readonly countAt: (look: number) => number | Promise<number>) {}

  async activeCalls(): Promise<number> {
    this.looks += 1;
    return this.countAt(this.looks);
  }
  async drain(): Promise<void> {
    this.log.push('drain');
    this.draining = true;
  }
  async undrain(): Promise<void> {
    this.log.push('undrain');
    this.draining = false;
  }
}

/** The count at each look: the values in turn, then the last one for ever. */
export function scripted(counts: readonly number[]): (look: number) => number {
  return (look) => counts[Math.min(look, counts.length) - 1]!;
}

/** A moment a test waits for (a crash, a look at the calls): `fired` resolves once `fire` is called. */
export function moment(): { fired: Promise<void>; fire: () => void } {
  let fire: () => void = () => {};
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fired, fire };
}
