/** Maintenance windows: the zone and weekly windows as set, their next three occurrences, and saving new ones. */
import { useMutation, useQuery } from '@urql/vue';
import { computed } from 'vue';
import type { MaintenanceWindowInput, SetMaintenanceWindowsMutation as SetResult } from '../graphql/generated/graphql';
import { MaintenanceQuery, SetMaintenanceWindowsMutation } from '../graphql/operations';

/** The server's typed refusal, or no answer at all. */
export type MaintenanceRefusal =
  Extract<SetResult['setMaintenanceWindows'], { __typename: 'MaintenanceWindowError' }> | { code: 'NETWORK'; message: string };

export function useMaintenance() {
  const query = useQuery({ query: MaintenanceQuery, requestPolicy: 'network-only' });
  const saving = useMutation(SetMaintenanceWindowsMutation);

  async function save(
    timeZone: string,
    windows: MaintenanceWindowInput[],
  ): Promise<{ ok: true } | { ok: false; refusal: MaintenanceRefusal }> {
    const result = await saving.executeMutation({ input: { timeZone, windows } });
    const outcome = result.data?.setMaintenanceWindows;
    if (!outcome) return { ok: false, refusal: { code: 'NETWORK', message: result.error?.message ?? '' } };
    if (outcome.__typename === 'MaintenanceWindowError') return { ok: false, refusal: outcome };
    await query.executeQuery({ requestPolicy: 'network-only' });
    return { ok: true };
  }

  const next = computed(() => {
    const n = query.data.value?.nextMaintenanceWindows;
    return n?.__typename === 'NextMaintenanceWindows' ? n : null;
  });
  return {
    setting: computed(() => query.data.value?.maintenanceWindows ?? null),
    next,
    saving: saving.fetching,
    save,
  };
}
