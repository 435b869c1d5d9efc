import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus, type EventBus, type JobEvent, nowThenFollow } from '../../server/events.js';

const event = (bytesDone: number): JobEvent => ({
  kind: 'progress',
  progress: {
    jobId: 'j',
    state: 'DOWNLOADING',
    step: null,
    bytesDone,
    bytesTotal: 100,
    bytesPerSecond: 1,
    secondsLeft: null,
    message: null,
    detail: null,
  },
});

/** Node's warnings while a case runs (a MaxListenersExceededWarning among them, if the bus leaked). */
function recordWarnings() {
  const warnings: Error[] = [];
  const record = (w: Error) => warnings.push(w);
  return {
    warnings,
    start: () => process.on('warning', record),
    stop: () => process.off('warning', record),
  };
}

/** Lets Node emit what it defers (warnings are emitted on the next tick). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createEventBus', () => {
  let sut: EventBus;
  const recorder = recordWarnings();
  beforeEach(() => {
    sut = createEventBus();
    recorder.warnings.length = 0;
    recorder.start();
  });
  afterEach(() => recorder.stop());

  describe('subscribe', () => {
    it('holds no listener after 10 000 subscribers came and went, one after another, and warns of nothing', async () => {
      for (let i = 0; i < 10_000; i++) {
        const iterator = sut.subscribe('job/j')[Symbol.asyncIterator]();
        const next = iterator.next();
        expect(sut.listenerCount('job/j')).toBe(1);
        sut.publish('job/j', event(i));
        expect((await next).value).toEqual(event(i));
        await iterator.return!();
      }
      await settle();
      expect(sut.listenerCount()).toBe(0);
      expect(recorder.warnings).toEqual([]);
    });

    it('holds no listener after 10 000 followers of one job that were all open at once have left, and warns of nothing', async () => {
      const streams = await Promise.all(
        Array.from({ length: 10_000 }, () =>
          nowThenFollow({ now: () => ({ events: [], ended: false }), live: sut.subscribe('job/j'), pick: (e: JobEvent) => e }),
        ),
      );
      expect(sut.listenerCount('job/j')).toBe(10_000);
      const firsts = streams.map((s) => s.next());
      sut.publish('job/j', event(1));
      expect(new Set((await Promise.all(firsts)).map((r) => r.value)).size).toBe(1);
      await Promise.all(streams.map((s) => s.return!()));
      await settle();
      expect(sut.listenerCount()).toBe(0);
      expect(recorder.warnings).toEqual([]);
    });

    it('registers a subscriber at its first next only: a stream never read holds nothing', async () => {
      const iterable = sut.subscribe('job/j');
      const iterator = iterable[Symbol.asyncIterator]();
      expect(sut.listenerCount('job/j')).toBe(0);
      await iterator.return!();
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
      expect(sut.listenerCount()).toBe(0);
    });

    it('keeps the events published between two reads, in order, and ends a waiting read at return', async () => {
      const iterator = sut.subscribe('job/j')[Symbol.asyncIterator]();
      const first = iterator.next();
      sut.publish('job/j', event(1));
      sut.publish('job/j', event(2));
      sut.publish('job/j', event(3));
      expect([(await first).value, (await iterator.next()).value, (await iterator.next()).value]).toEqual([event(1), event(2), event(3)]);
      const waiting = iterator.next();
      await iterator.return!();
      expect(await waiting).toEqual({ done: true, value: undefined });
      expect(sut.listenerCount()).toBe(0);
    });
  });

  describe('publish', () => {
    it('hands the one payload object to every subscriber of the topic, and none to another topic', async () => {
      const a = sut.subscribe('job/a')[Symbol.asyncIterator]();
      const b = sut.subscribe('job/a')[Symbol.asyncIterator]();
      const other = sut.subscribe('job/b')[Symbol.asyncIterator]();
      const [nextA, nextB, nextOther] = [a.next(), b.next(), other.next()];
      const payload = event(7);
      sut.publish('job/a', payload);
      expect((await nextA).value).toBe(payload);
      expect((await nextB).value).toBe(payload);
      await other.return!();
      expect(await nextOther).toEqual({ done: true, value: undefined });
      await Promise.all([a.return!(), b.return!()]);
    });
  });

  describe('publish to more subscribers than a slice', () => {
    /** The deferred slices, run when the case says so. */
    const deferred: (() => void)[] = [];
    const runDeferred = () => {
      while (deferred.length) deferred.shift()!();
    };
    beforeEach(() => {
      deferred.length = 0;
      sut = createEventBus({ sliceSize: 3, defer: (next) => deferred.push(next) });
    });

    const follow = (n: number) => {
      const got: number[][] = Array.from({ length: n }, () => []);
      const iterators = got.map(() => sut.subscribe('job/j')[Symbol.asyncIterator]());
      const reading = iterators.map(async (iterator, i) => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next())
          got[i]!.push((r.value as JobEvent & { kind: 'progress' }).progress.bytesDone);
      });
      return { got, iterators, reading };
    };

    it('hands the first slice at once and the rest only when the deferred slices run', async () => {
      const { got, iterators, reading } = follow(7);
      sut.publish('job/j', event(1));
      await settle();
      expect(got.map((g) => g.length)).toEqual([1, 1, 1, 0, 0, 0, 0]);
      runDeferred();
      await settle();
      expect(got).toEqual(Array.from({ length: 7 }, () => [1]));
      await Promise.all(iterators.map((it) => it.return!()));
      await Promise.all(reading);
    });

    it('gives every subscriber every event in the order published, however the slices interleave', async () => {
      const { got, iterators, reading } = follow(8);
      for (let e = 1; e <= 5; e++) sut.publish('job/j', event(e));
      runDeferred();
      await settle();
      expect(got).toEqual(Array.from({ length: 8 }, () => [1, 2, 3, 4, 5]));
      await Promise.all(iterators.map((it) => it.return!()));
      await Promise.all(reading);
      expect(sut.listenerCount()).toBe(0);
    });

    it('skips a subscriber that left before its turn, and gives none to one that came after the event', async () => {
      const { got, iterators, reading } = follow(7);
      sut.publish('job/j', event(1));
      await iterators[6]!.return!();
      const late = sut.subscribe('job/j')[Symbol.asyncIterator]();
      const lateNext = late.next();
      runDeferred();
      await settle();
      expect(got.map((g) => g.length)).toEqual([1, 1, 1, 1, 1, 1, 0]);
      sut.publish('job/j', event(2));
      runDeferred();
      expect((await lateNext).value).toEqual(event(2));
      await Promise.all([...iterators.map((it) => it.return!()), late.return!()]);
      await Promise.all(reading);
      expect(sut.listenerCount()).toBe(0);
    });
  });
});
