/** Available versions (in the UI language), the last search, and "Search now". */
import { useMutation, useQuery } from '@urql/vue';
import { computed, ref } from 'vue';
import type { UpdateCheckFieldsFragment } from '../graphql/generated/graphql';
import { AvailableVersionsQuery, CheckForUpdatesMutation } from '../graphql/operations';
import { useI18n } from './use-i18n';

export interface FeedProblem {
  code: string;
  message: string;
  host?: string | null;
  port?: number | null;
  cause?: string | null;
  role?: string | null;
  file?: string | null;
}

export function useUpdates() {
  const { locale } = useI18n();
  const query = useQuery({ query: AvailableVersionsQuery, variables: computed(() => ({ locale: locale.value })) });
  const search = useMutation(CheckForUpdatesMutation);
  const searchFailure = ref<FeedProblem | null>(null);

  async function searchNow() {
    searchFailure.value = null;
    const result = await search.executeMutation({});
    const outcome = result.data?.checkForUpdates;
    if (outcome?.__typename === 'FeedError') searchFailure.value = outcome;
    await query.executeQuery({ requestPolicy: 'network-only' });
  }

  const lastCheck = computed<UpdateCheckFieldsFragment | null>(() => query.data.value?.lastUpdateCheck ?? null);
  return {
    versions: computed(() => query.data.value?.availableVersions ?? []),
    lastCheck,
    /** The failure to show: the one just returned, or the one recorded by the last check. */
    failure: computed<FeedProblem | null>(
      () => searchFailure.value ?? (lastCheck.value?.outcome === 'FAILED' ? (lastCheck.value.error ?? null) : null),
    ),
    searching: search.fetching,
    loading: query.fetching,
    searchNow,
    /** Reads the versions again (after an installation, the installed version changed). */
    refresh: () => query.executeQuery({ requestPolicy: 'network-only' }),
  };
}
