/**
 * The typed event map of the in-process pub/sub: one entry per topic, so that publishers and
 * subscribers cannot disagree on a payload's shape.
 */
import type { DrainProgress } from './domain/drain.js';
import { createPubSub } from 'graphql-yoga';
import type { Notice } from './domain/notice.js';
import type { SystemSnapshot } from './domain/system.js';

/**
 * What `updateProgress` streams: the phase of one job and, during an installation, its step; the
 * byte counts are those of the download, or of the step that copies (backup, restore).
 */
export interface ProgressEvent {
  jobId: string;
  state: string;
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

export type Topics = {
  'system/state': [SystemSnapshot];
} & Record<`job/${string}/progress`, [ProgressEvent]> &
  Record<`job/${string}/restore`, [RestoreEvent]>;

export interface EventBus {
  publish<T extends keyof Topics>(topic: T, ...payload: Topics[T]): void;
  subscribe<T extends keyof Topics>(topic: T): AsyncIterable<Topics[T][0]>;
}

/** The in-process bus (graphql-yoga's pub/sub: async iterables that end when the subscriber leaves). */
export function createEventBus(): EventBus {
  const pubsub = createPubSub<Topics>();
  return {
    publish: (topic, ...payload) => (pubsub.publish as (t: string, ...p: unknown[]) => void)(topic, ...payload),
    subscribe: (topic) => (pubsub.subscribe as unknown as (t: string) => AsyncIterable<never>)(topic),
  };
}

/**
 * What is known now, then the live events, without a gap: the live stream is listened to before
 * `now` is read (a pub/sub subscription registers on its first `next`). A synchronous `now` is
 * read in the same synchronous stretch, so nothing can be published in between; events published
 * while an asynchronous one is read follow it. `fresh` drops a live event that `now` already
 * covered, given the last event yielded.
 */
export async function* nowThenFollow<T>(
  now: () => readonly T[] | Promise<readonly T[]>,
  live: AsyncIterable<T>,
  fresh: (event: T, last: T | null) => boolean = () => true,
): AsyncGenerator<T> {
  const iterator = live[Symbol.asyncIterator]();
  let pending = iterator.next();
  let last: T | null = null;
  try {
    for (const event of await now()) {
      last = event;
      yield event;
    }
    for (;;) {
      const next = await pending;
      if (next.done) return;
      if (fresh(next.value, last)) {
        last = next.value;
        yield next.value;
      }
      pending = iterator.next();
    }
  } finally {
    await iterator.return?.();
  }
}
