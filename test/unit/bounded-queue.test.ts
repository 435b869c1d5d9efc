import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../server/services/bounded-queue.js';

/** A task that runs until released, recording how many run at once. */
function gate() {
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const task = () =>
    new Promise<void>((resolve) => {
      running += 1;
      peak = Math.max(peak, running);
      releases.push(() => {
        running -= 1;
        resolve();
      });
    });
  return { task, releases, peak: () => peak, running: () => running };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('BoundedQueue', () => {
  describe('tryRun', () => {
    it('runs up to the running bound at once, queues up to the waiting bound, and refuses the rest at once', async () => {
      const sut = new BoundedQueue({ maxRunning: 2, maxWaiting: 3 });
      const g = gate();
      const runs = Array.from({ length: 8 }, () => sut.tryRun(g.task));
      expect(runs.filter((r) => r === null)).toHaveLength(3);
      await settle();
      expect(g.running()).toBe(2);
      while (g.releases.length) {
        g.releases.shift()!();
        await settle();
      }
      await Promise.all(runs);
      expect(g.peak()).toBe(2);
    });

    it('never runs more than the bound, also when newcomers arrive while places pass on', async () => {
      const sut = new BoundedQueue({ maxRunning: 1, maxWaiting: 1 });
      const g = gate();
      const runs = [sut.tryRun(g.task), sut.tryRun(g.task)];
      for (let i = 0; i < 6; i++) {
        await settle();
        g.releases.shift()?.();
        // Newcomers at every step of the hand-over, before and after the microtasks run.
        runs.push(sut.tryRun(g.task));
        await Promise.resolve();
        runs.push(sut.tryRun(g.task));
      }
      for (await settle(); g.releases.length; await settle()) g.releases.shift()!();
      await Promise.all(runs);
      expect(g.peak()).toBe(1);
      expect(runs.filter((r) => r !== null).length).toBeGreaterThan(2);
    });

    it('frees the place of a task that failed', async () => {
      const sut = new BoundedQueue({ maxRunning: 1, maxWaiting: 0 });
      await expect(sut.tryRun(() => Promise.reject(new Error('scrypt failed')))).rejects.toThrow('scrypt failed');
      await expect(sut.tryRun(async () => 'next')).resolves.toBe('next');
    });
  });
});
