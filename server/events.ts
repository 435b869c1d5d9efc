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
}

/**
 * The in-process bus: a map from topic to its subscribers, and a publish that hands the one
 * payload object to each of them. It replaces graphql-yoga's pub/sub, which added one EventTarget
 * listener per subscriber, so that Node warned of a leak (MaxListenersExceededWarning) from the
 * eleventh follower of one job on. A subscriber registers on its first `next` (a stream never
 * read holds nothing) and is gone at `return`; a topic without subscribers is gone too.
 */
export function createEventBus(): EventBus {
  const topics = new Map<string, Set<Subscriber>>();
  const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

  function iterate(topic: string): AsyncIterator<never> {
    let subscriber: Subscriber | null = null;
    let left = false;
    const leave = (): IteratorReturnResult<undefined> => {
      left = true;
      if (!subscriber) return DONE;
      const subscribers = topics.get(topic);
      subscribers?.delete(subscriber);
      if (subscribers?.size === 0) topics.delete(topic);
      subscriber.queue.length = 0;
      subscriber.waiting?.(DONE);
      subscriber = null;
      return DONE;
    };
    return {
      next() {
        if (left) return Promise.resolve(DONE);
        if (!subscriber) {
          subscriber = { queue: [], waiting: null };
          let subscribers = topics.get(topic);
          if (!subscribers) topics.set(topic, (subscribers = new Set()));
          subscribers.add(subscriber);
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

  return {
    publish(topic, ...[payload]) {
      const subscribers = topics.get(topic);
      if (!subscribers) return;
      for (const subscriber of subscribers) {
        if (subscriber.waiting) subscriber.waiting({ done: false, value: payload });
        else subscriber.queue.push(payload);
      }
    },
    subscribe: (topic) => ({ [Symbol.asyncIterator]: () => iterate(topic) }),
    listenerCount(topic) {
      if (topic !== undefined) return topics.get(topic)?.size ?? 0;
      let count = 0;
      for (const subscribers of topics.values()) count += subscribers.size;
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
