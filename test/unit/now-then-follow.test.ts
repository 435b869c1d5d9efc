import { describe, expect, it } from 'vitest';
import { createEventBus, type JobEvent, nowThenFollow, type ProgressEvent, type RestoreEventType } from '../../server/events.js';
import type { JobState } from '../../server/domain/jobs.js';

const figures = (state: JobState): ProgressEvent => ({
  jobId: 'j',
  state,
  step: null,
  bytesDone: 0,
  bytesTotal: 0,
  bytesPerSecond: 0,
  secondsLeft: null,
  message: null,
  detail: null,
});
const progress = (state: JobState): JobEvent => ({ kind: 'progress', progress: figures(state) });
const restore = (seq: number, type: RestoreEventType): JobEvent => ({
  kind: 'restore',
  restore: { jobId: 'j', seq, at: new Date(0), type, group: null, bytesDone: 0, bytesTotal: 0, message: '', detail: null },
});
const stateOf = (event: JobEvent) => (event.kind === 'progress' ? event.progress.state : null);
const isEnd = (event: JobEvent) => stateOf(event) === 'SUCCEEDED';
const pick = (event: JobEvent): ProgressEvent | null => (event.kind === 'progress' ? event.progress : null);

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

/** A live source that never yields, and says whether it was told to stop. */
function silentSource() {
  const source = { returned: false };
  const live: AsyncIterable<JobEvent> = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<JobEvent>>(() => {}),
      return: () => {
        source.returned = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
  return { source, live };
}

describe('nowThenFollow', () => {
  it('yields what is known, then the live events it picks, and ends after the one that ends it', async () => {
    const bus = createEventBus();
    const sut = await nowThenFollow({
      now: () => ({ events: [figures('INSTALLING')], ended: false }),
      live: bus.subscribe('job/j'),
      pick,
      ends: isEnd,
    });
    const drained = drain(sut);
    bus.publish('job/j', restore(1, 'STARTED'));
    bus.publish('job/j', progress('RESTORING'));
    bus.publish('job/j', progress('SUCCEEDED'));
    bus.publish('job/j', progress('FAILED'));
    expect((await drained).map((p) => p.state)).toEqual(['INSTALLING', 'RESTORING', 'SUCCEEDED']);
  });

  it('ends after what is known when that is already the end, without waiting for a live event', async () => {
    const { source, live } = silentSource();
    const sut = await nowThenFollow({ now: () => ({ events: [figures('SUCCEEDED')], ended: true }), live, pick });
    expect((await drain(sut)).map((p) => p.state)).toEqual(['SUCCEEDED']);
    expect(source.returned).toBe(true);
  });

  it('sees an end published between its subscription and the reading of what is known', async () => {
    const bus = createEventBus();
    const sut = await nowThenFollow({
      now: () => {
        // The job ends right after the subscription, before its state is read.
        bus.publish('job/j', progress('SUCCEEDED'));
        return { events: [figures('INSTALLING')], ended: false };
      },
      live: bus.subscribe('job/j'),
      pick,
      ends: isEnd,
    });
    expect((await drain(sut)).map((p) => p.state)).toEqual(['INSTALLING', 'SUCCEEDED']);
  });

  it('refuses at its start when what is known cannot be read, and stops listening', async () => {
    const { source, live } = silentSource();
    const refused = nowThenFollow({
      now: () => {
        throw new Error('no such job');
      },
      live,
      pick,
    });
    await expect(refused).rejects.toThrow('no such job');
    expect(source.returned).toBe(true);
  });

  it('stops listening when returned before its first event is asked for', async () => {
    const { source, live } = silentSource();
    const sut = await nowThenFollow({ now: () => ({ events: [], ended: false }), live, pick });
    await sut.return!();
    expect(source.returned).toBe(true);
    expect(await sut.next()).toEqual({ done: true, value: undefined });
  });

  it('drops what `pick` does not want, given the last event it yielded', async () => {
    const bus = createEventBus();
    const sut = await nowThenFollow({
      now: () => ({ events: [1, 2], ended: false }),
      live: bus.subscribe('job/j'),
      pick: (event, last) => {
        const n = event.kind === 'restore' ? event.restore.seq : null;
        return n !== null && n > (last ?? 0) ? n : null;
      },
      ends: (event) => event.kind === 'restore' && event.restore.seq === 3,
    });
    const drained = drain(sut);
    bus.publish('job/j', restore(2, 'GROUP_PROGRESS'));
    bus.publish('job/j', restore(3, 'GROUP_PROGRESS'));
    expect(await drained).toEqual([1, 2, 3]);
  });
});
