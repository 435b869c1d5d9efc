/** Backups: the stored ones, one made now while the appliance runs, and putting one back (a RESTORE job). */
import { useMutation, useQuery } from '@urql/vue';
import { computed } from 'vue';
import { BackupsQuery, CreateBackupMutation, RestoreBackupMutation } from '../graphql/operations';
import type { Refusal } from './use-installation';

export function useBackups() {
  const query = useQuery({ query: BackupsQuery, requestPolicy: 'network-only' });
  const creating = useMutation(CreateBackupMutation);
  const restoring = useMutation(RestoreBackupMutation);
  const refresh = () => query.executeQuery({ requestPolicy: 'network-only' });

  async function create(): Promise<{ ok: true; id: string } | ({ ok: false } & Refusal)> {
    const result = await creating.executeMutation({});
    const outcome = result.data?.createBackup;
    await refresh();
    if (!outcome) return { ok: false, code: 'NETWORK', message: result.error?.message ?? '' };
    if (outcome.__typename === 'CreateBackupSuccess') return { ok: true, id: outcome.backup.id };
    if (outcome.__typename === 'InsufficientDiskError') {
      return { ok: false, code: outcome.code, message: outcome.message, neededBytes: outcome.neededBytes, freeBytes: outcome.freeBytes };
    }
    return { ok: false, code: outcome.code, message: outcome.message };
  }

  /** Starts the restore; the returned job is followed on the Updates page. */
  async function restore(id: string): Promise<{ ok: true; jobId: string } | ({ ok: false } & Refusal)> {
    const result = await restoring.executeMutation({ id });
    const outcome = result.data?.restoreBackup;
    if (!outcome) return { ok: false, code: 'NETWORK', message: result.error?.message ?? '' };
    if (outcome.__typename === 'RestoreBackupSuccess') return { ok: true, jobId: outcome.job.id };
    if (outcome.__typename === 'InsufficientDiskError') {
      return { ok: false, code: outcome.code, message: outcome.message, neededBytes: outcome.neededBytes, freeBytes: outcome.freeBytes };
    }
    return { ok: false, code: outcome.code, message: outcome.message };
  }

  return {
    backups: computed(() => query.data.value?.backups ?? []),
    loading: query.fetching,
    creating: creating.fetching,
    restoring: restoring.fetching,
    create,
    restore,
  };
}
