/** The unattended policy: as set, what it did last, and saving a change. */
import { useMutation, useQuery } from '@urql/vue';
import { computed } from 'vue';
import type { UnattendedKind } from '../graphql/generated/graphql';
import { SetUnattendedPolicyMutation, UnattendedPolicyQuery } from '../graphql/operations';

/** The server's typed refusal (NO_MAINTENANCE_WINDOW), or no answer at all (NETWORK). */
export interface UnattendedRefusal {
  code: string;
  message: string;
}

export function useUnattended() {
  const query = useQuery({ query: UnattendedPolicyQuery, requestPolicy: 'network-only' });
  const saving = useMutation(SetUnattendedPolicyMutation);

  async function save(enabled: boolean, kind: UnattendedKind): Promise<{ ok: true } | { ok: false; refusal: UnattendedRefusal }> {
    const result = await saving.executeMutation({ input: { enabled, kind } });
    const outcome = result.data?.setUnattendedPolicy;
    if (!outcome) return { ok: false, refusal: { code: 'NETWORK', message: result.error?.message ?? '' } };
    if (outcome.__typename !== 'UnattendedPolicy') return { ok: false, refusal: { code: outcome.code, message: outcome.message } };
    await query.executeQuery({ requestPolicy: 'network-only' });
    return { ok: true };
  }

  return { policy: computed(() => query.data.value?.unattendedPolicy ?? null), saving: saving.fetching, save };
}
