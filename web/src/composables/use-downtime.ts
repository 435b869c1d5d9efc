/** The recorded windows in which the appliance was unavailable, newest first. */
import { useQuery } from '@urql/vue';
import { computed } from 'vue';
import { DowntimeWindowsQuery } from '../graphql/operations';

export function useDowntime(first = 50) {
  const query = useQuery({ query: DowntimeWindowsQuery, variables: { first }, requestPolicy: 'network-only' });
  return { windows: computed(() => query.data.value?.downtimeWindows ?? []), loading: query.fetching };
}
