/** The connectivity panel: last results per endpoint, and a new check on demand. */
import { useMutation, useQuery } from '@urql/vue';
import { computed, ref } from 'vue';
import type { ConnectivityFieldsFragment } from '../graphql/generated/graphql';
import { ConnectivityQuery, RunConnectivityCheckMutation } from '../graphql/operations';

export function useConnectivity() {
  const query = useQuery({ query: ConnectivityQuery });
  const run = useMutation(RunConnectivityCheckMutation);
  const fresh = ref<ConnectivityFieldsFragment[] | null>(null);
  async function check() {
    const result = await run.executeMutation({});
    if (result.data) fresh.value = result.data.runConnectivityCheck;
  }
  return {
    endpoints: computed(() => fresh.value ?? query.data.value?.connectivity ?? []),
    checking: run.fetching,
    check,
  };
}
