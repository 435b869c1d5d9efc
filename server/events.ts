/**
 * The typed event map of the in-process pub/sub: one entry per topic, so that publishers and
 * subscribers cannot disagree on a payload's shape.
 */
import { createPubSub } from 'graphql-yoga';
import type { SystemSnapshot } from './domain/system.js';

/** What `updateProgress` streams: the phase and the byte counts of one job. */
export interface ProgressEvent {
  jobId: string;
  state: string;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  secondsLeft: number | null;
  message: string | null;
}

export type Topics = {
  'system/state': [SystemSnapshot];
} & Record<`job/${string}/progress`, [ProgressEvent]>;

export interface EventBus {
  publish<T extends keyof Topics>(topic: T, ...payload: Topics[T]): void;
  subscribe<T extends keyof Topics>(topic: T): AsyncIterable<Topics[T][0]>;
}

/** The in-process bus (graphql-yoga's pub/sub: async iterables that end when the subscriber leaves). */
export function createEventBus(): EventBus {
  const pubsub = createPubSub<Topics>();
  return {
    publish: (topic, ...payload) => (pubsub.publish as (t: string, ...p: unknown[]) => void)(topic, ...payload),
    subscribe: (topic) => (pubsub.subscribe as (t: string) => AsyncIterable<never>)(topic),
  };
}
