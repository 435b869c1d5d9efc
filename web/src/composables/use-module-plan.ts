/** The module plan for the chosen version, with the admin's checkbox choices on top of it. */
import { useQuery } from '@urql/vue';
import { computed, reactive, watch, type Ref } from 'vue';
import { ModuleUpdatesQuery } from '../graphql/operations';

export function useModulePlan(targetVersion: Ref<string>) {
  const query = useQuery({
    query: ModuleUpdatesQuery,
    variables: computed(() => ({ targetVersion: targetVersion.value })),
    requestPolicy: 'network-only',
  });
  const plan = computed(() => {
    const r = query.data.value?.moduleUpdates;
    return r?.__typename === 'ModulePlan' ? r : null;
  });
  /** moduleId → checked; starts from the plan's pre-selection each time the plan changes. */
  const checked = reactive<Record<string, boolean>>({});
  watch(plan, (p) => {
    for (const key of Object.keys(checked)) delete checked[key];
    for (const m of p?.modules ?? []) checked[m.moduleId] = m.selected;
  });
  return { plan, checked, loading: query.fetching };
}
