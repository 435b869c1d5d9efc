/**
 * The typed event map of the in-process pub/sub: one entry per topic, so that publishers and
 * subscribers cannot disagree on a payload's shape; the bus that fans each event out to the
 * topic's subscribers; and `nowThenFollow`, how a stream starts.
 */
import type { DrainProgress } from './domain/drain.js';
import type { InstallPlan } from './domain/install-schedule.js';
import type { JobState } from './domain/jobs.js';
import type { Notice } from './domain/notice.js';
import type { SystemSnapshot } from './domain/system.js';

/**
 * What `updateProgress` streams: the phase of one job and, during an installation, its step; the
 * byte counts are those of the download, or of the step that copies (backup, restore).
 */
export interface ProgressEvent {
  jobId: string;
  state: JobState;
  step: string | null;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  secondsLeft: number | null;
  message: string | null;
  /** The message as a notice, for the SPA to word. */
  detail: Notice | null;
  /** While the installation waits for calls to end (the DRAIN step): the live count and the limit. */
  drain?: DrainProgress | null;
  /** While INSTALL_SCHEDULED: when its installation is planned. */
  installPlan?: InstallPlan | null;
}

export const RESTORE_EVENT_TYPES = [
  'STARTED',
  'GROUP_PROGRESS',
  'GROUP_RESTORED',
  'SWITCHED_BACK',
  'APPLIANCE_HEALTHY',
  'FINISHED',
  'FAILED',
] as const;
export type RestoreEventType = (typeof RESTORE_EVENT_TYPES)[number];

/** The job event type under which each restore milestone is kept in the job's event log (progress is not kept). */
export const RESTORE_JOB_EVENT = {
  STARTED: 'RESTORE_STARTED',
  GROUP_RESTORED: 'RESTORE_GROUP_RESTORED',
  SWITCHED_BACK: 'RESTORE_SWITCHED_BACK',
  APPLIANCE_HEALTHY: 'RESTORE_APPLIANCE_HEALTHY',
  FINISHED: 'RESTORE_FINISHED',
  FAILED: 'RESTORE_FAILED',
} as const satisfies Record<Exclude<RestoreEventType, 'GROUP_PROGRESS'>, string>;
export type RestoreMilestone = keyof typeof RESTORE_JOB_EVENT;

/** What `restoreEvents` streams while a failed installation is undone. */
export interface RestoreEvent {
  jobId: string;
  /** Increases by one per event of a job: a late subscriber replays, then follows, without duplicates. */
  seq: number;
  at: Date;
  type: RestoreEventType;
  /**
   * The database or file group being restored (`calls.db`, `files`, `modules`). GROUP_RESTORED: its
   * copy is written and verified next to the data; every group is swapped in at once after the last.
   */
  group: string | null;
  bytesDone: number;
  bytesTotal: number;
  message: string;
  detail: Notice | null;
}

/**
 * A credential that ended: every stream opened with it is closed at once. `user`: every session of
 * that user (a password reset); the user's API tokens end one by one, by their own event.
 */
export type CredentialEnded =
  | { kind: 'session'; sessionId: string; reason: 'logout' | 'replaced' | 'expired' }
  | { kind: 'token'; tokenId: string; reason: 'revoked' | 'expired' }
  | { kind: 'user'; userId: string; reason: 'password-reset' };

/**
 * Everything one job publishes, on one topic in the order it happens: a stream that ends with the
 * job's final progress event has seen every restore event published before it.
 */
export type JobEvent = { kind: 'progress'; progress: ProgressEvent } | { kind: 'restore'; restore: RestoreEvent };

export type Topics = {
  'system/state': [SystemSnapshot];
  'credential/ended': [CredentialEnded];
} & Record<`job/${string}`, [JobEvent]>;

export interface EventBus {
  /** Hands the payload to every subscriber of the topic; a published payload is never changed afterwards. */
  publish<T extends keyof Topics>(topic: T, ...payload: Topics[T]): void;
  /** The topic's events from the first `next` on, until `return` (the subscriber leaves). */
  subscribe<T extends keyof Topics>(topic: T): AsyncIterable<Topics[T][0]>;
  /** How many subscribers listen to the topic now (to every topic, without one). */
  listenerCount(topic?: keyof Topics): number;
}

/** One subscriber's place on a topic: the events not taken yet, or the `next` that waits for one. */
interface Subscriber {
  queue: unknown[];
  waiting: ((result: IteratorResult<unknown>) => void) | null;
  left: boolean;
}

/** A topic: its subscribers, and the events still being handed out, oldest first. */
interface Topic {
  subscribers: Set<Subscriber>;
  deliveries: Delivery[];
}

/** One published event on its way to the subscribers the topic had when it was published. */
interface Delivery {
  payload: unknown;
  to: Subscriber[];
  next: number;
}

export interface EventBusOptions {
  /**
   * How many subscribers one event is handed to in one go. Each subscriber's share of an event
   * (its stream's layers, its socket's write) runs when it is handed over: a thousand at once
   * would hold the event loop for tens of milliseconds, so a large fan-out goes out in slices.
   */
  sliceSize?: number;
  /** Runs the next slice after what is waiting in the event loop (I/O, timers): setImmediate. */
  defer?: (next: () => void) => void;
}

/**
 * The in-process bus: a map from topic to its subscribers, and a publish that hands the one
 * payload object to each of them. It replaces graphql-yoga's pub/sub, which added one EventTarget
 * listener per subscriber, so that Node warned of a leak (MaxListenersExceededWarning) from the
 * eleventh follower of one job on. A subscriber registers on its first `next` (a stream never
 * read holds nothing) and is gone at `return`; a topic without subscribers is gone too.
 *
 * An event reaches the subscribers the topic has when it is published (one who leaves before
 * their turn is skipped), `sliceSize` at a time: the first slice at once, the next ones deferred,
 * so that other work runs between them. Each subscriber gets a topic's events in the order they
 * were published: a later event waits until the earlier ones are handed out.
 */
export function createEventBus({ sliceSize = 100, defer = setImmediate }: EventBusOptions = {}): EventBus {
  const topics = new Map<string, Topic>();
  const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

  function iterate(topic: string): AsyncIterator<never> {
    let subscriber: Subscriber | null = null;
    let left = false;
    const leave = (): IteratorReturnResult<undefined> => {
      left = true;
      if (!subscriber) return DONE;
      const entry = topics.get(topic);
      entry?.subscribers.delete(subscriber);
      if (entry?.subscribers.size === 0 && entry.deliveries.length === 0) topics.delete(topic);
      subscriber.left = true;
      subscriber.queue.length = 0;
      subscriber.waiting?.(DONE);
      subscriber = null;
      return DONE;
    };
    return {
      next() {
        if (left) return Promise.resolve(DONE);
        if (!subscriber) {
          subscriber = { queue: [], waiting: null, left: false };
          let entry = topics.get(topic);
          if (!entry) topics.set(topic, (entry = { subscribers: new Set(), deliveries: [] }));
          entry.subscribers.add(subscriber);
        }
        if (subscriber.queue.length > 0) return Promise.resolve({ done: false, value: subscriber.queue.shift() as never });
        const own = subscriber;
        return new Promise((resolve) => {
          own.waiting = (result) => {
            own.waiting = null;
            resolve(result as IteratorResult<never>);
          };
        });
      },
      return: () => Promise.resolve(leave()),
      throw: (err: unknown) => {
        leave();
        return Promise.reject(err);
      },
    };
  }

  const hand = (subscriber: Subscriber, payload: unknown) => {
    if (subscriber.left) return;
    if (subscriber.waiting) subscriber.waiting({ done: false, value: payload });
    else subscriber.queue.push(payload);
  };

  /** Hands out one slice of the oldest delivery; defers the rest. */
  function deliverSlice(topic: string, entry: Topic): void {
    const delivery = entry.deliveries[0]!;
    const end = Math.min(delivery.next + sliceSize, delivery.to.length);
    for (; delivery.next < end; delivery.next++) hand(delivery.to[delivery.next]!, delivery.payload);
    if (delivery.next === delivery.to.length) entry.deliveries.shift();
    if (entry.deliveries.length > 0) defer(() => deliverSlice(topic, entry));
    else if (entry.subscribers.size === 0 && topics.get(topic) === entry) topics.delete(topic);
  }

  return {
    publish(topic, ...[payload]) {
      const entry = topics.get(topic);
      if (!entry || entry.subscribers.size === 0) return;
      entry.deliveries.push({ payload, to: [...entry.subscribers], next: 0 });
      // A slice under way defers the next one itself.
      if (entry.deliveries.length === 1) deliverSlice(topic, entry);
    },
    subscribe: (topic) => ({ [Symbol.asyncIterator]: () => iterate(topic) }),
    listenerCount(topic) {
      if (topic !== undefined) return topics.get(topic)?.subscribers.size ?? 0;
      let count = 0;
      for (const { subscribers } of topics.values()) count += subscribers.size;
      return count;
    },
  };
}

/** Where a stream starts: what is known now, and whether that is already its end. */
export interface Known<T> {
  events: readonly T[];
  /** Nothing more will come: the stream completes after `events`. */
  ended: boolean;
}

export interface Following<E, T> {
  /** What is known now, read once the live events are listened to; throws to refuse the stream. */
  now: () => Known<T> | Promise<Known<T>>;
  live: AsyncIterable<E>;
  /** What a live event adds to the stream, given the last one yielded: null for nothing (another kind, or one `now` covered). */
  pick: (event: E, last: T | null) => T | null;
  /** Whether the stream is over after this live event (and what it added). */
  ends?: (event: E) => boolean;
}

/**
 * What is known now, then the live events, without a gap, until the last: the live stream is
 * listened to before `now` is read (a pub/sub subscription registers on its first `next`). A
 * synchronous `now` is read in the same synchronous stretch, so nothing can be published in
 * between; events published while an asynchronous one is read follow it. So an end that happens
 * between the two is seen either in `now` or live, and the stream cannot stay open after it.
 *
 * Resolves once `now` is read: a stream that `now` refuses (an unknown id) fails at its
 * subscription, before any event, and listens to nothing afterwards.
 */
export async function nowThenFollow<E, T>({ now, live, pick, ends = () => false }: Following<E, T>): Promise<AsyncIterableIterator<T>> {
  const source = live[Symbol.asyncIterator]();
  const first = source.next();
  let known: Known<T>;
  try {
    known = await now();
  } catch (err) {
    await source.return?.();
    throw err;
  }
  const stream = (async function* (): AsyncGenerator<T> {
    let last: T | null = null;
    try {
      for (const event of known.events) {
        last = event;
        yield event;
      }
      if (known.ended) return;
      for (let next = await first; !next.done; next = await source.next()) {
        const event = pick(next.value, last);
        if (event !== null) {
          last = event;
          yield event;
        }
        if (ends(next.value)) return;
      }
    } finally {
      await source.return?.();
    }
  })();
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => stream.next(),
    // Also before the first `next`, where a generator would skip its `finally`: the listener goes.
    async return() {
      await source.return?.();
      return stream.return(undefined);
    },
  };
  return iterator;
}
