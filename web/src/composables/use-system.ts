/** The system as a ref: the query's answer, replaced by each `systemState` event. */
import { computed, type Ref } from 'vue';
import { useQuery, useSubscription } from '@urql/vue';
import type { SystemFieldsFragment } from '../graphql/generated/graphql';
import { SystemQuery, SystemStateSubscription } from '../graphql/operations';

export function useSystem(): { system: Ref<SystemFieldsFragment | null>; fetching: Ref<boolean>; failed: Ref<boolean> } {
  const query = useQuery({ query: SystemQuery });
  const live = useSubscription({ query: SystemStateSubscription });
  const system = computed(() => live.data.value?.systemState ?? query.data.value?.system ?? null);
  return {
    system,
    fetching: computed(() => query.fetching.value && !system.value),
    failed: computed(() => !!query.error.value && !system.value),
  };
}
