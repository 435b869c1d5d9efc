/**
 * The system as a ref: the query's answer or the latest `systemState` event, whichever is newer.
 * While the socket is down the events are lost, so the query is asked again every few seconds.
 */
import { computed, onUnmounted, type Ref } from 'vue';
import { useQuery, useSubscription } from '@urql/vue';
import type { SystemFieldsFragment } from '../graphql/generated/graphql';
import { liveState } from '../graphql/client';
import { SystemQuery, SystemStateSubscription } from '../graphql/operations';

const OFFLINE_POLL_MS = 3000;

export function useSystem(): { system: Ref<SystemFieldsFragment | null>; fetching: Ref<boolean>; failed: Ref<boolean> } {
  const query = useQuery({ query: SystemQuery });
  const live = useSubscription({ query: SystemStateSubscription });
  const system = computed(() => {
    const fromEvent = live.data.value?.systemState ?? null;
    const fromQuery = query.data.value?.system ?? null;
    if (!fromEvent || !fromQuery) return fromEvent ?? fromQuery;
    return Date.parse(fromQuery.stateSince) > Date.parse(fromEvent.stateSince) ? fromQuery : fromEvent;
  });
  const timer = setInterval(() => {
    if (liveState.value === 'reconnecting') query.executeQuery({ requestPolicy: 'network-only' });
  }, OFFLINE_POLL_MS);
  onUnmounted(() => clearInterval(timer));
  return {
    system,
    fetching: computed(() => query.fetching.value && !system.value),
    failed: computed(() => !!query.error.value && !system.value),
  };
}
