/** Update jobs: the list (with the active download and the running installation), scheduling a download, cancelling, live progress. */
import { useMutation, useQuery, useSubscription } from '@urql/vue';
import { computed, type Ref } from 'vue';
import type { ScheduleDownloadInput, UpdateJobState } from '../graphql/generated/graphql';
import { CancelJobMutation, ScheduleDownloadMutation, UpdateJobsQuery, UpdateProgressSubscription } from '../graphql/operations';
import type { Refusal } from './use-installation';

/** A download (or its planned installation) that holds the one active slot (the server's job states, typed by the schema's enum). */
const ACTIVE: readonly UpdateJobState[] = ['SCHEDULED', 'DOWNLOADING', 'DOWNLOADED', 'STAGED', 'INSTALL_SCHEDULED'];
/** An installation or a restore is running: the appliance is stopped or about to be. */
export const INSTALLATION_STATES: readonly UpdateJobState[] = ['INSTALLING', 'RESTORING'];

export function useJobs() {
  const query = useQuery({ query: UpdateJobsQuery, variables: { first: 50 }, requestPolicy: 'network-only' });
  const scheduling = useMutation(ScheduleDownloadMutation);
  const cancelling = useMutation(CancelJobMutation);
  const refresh = () => query.executeQuery({ requestPolicy: 'network-only' });
  const jobs = computed(() => query.data.value?.updateJobs ?? []);

  async function schedule(input: ScheduleDownloadInput): Promise<{ ok: true } | ({ ok: false } & Refusal)> {
    const result = await scheduling.executeMutation({ input });
    const outcome = result.data?.scheduleDownload;
    await refresh();
    if (!outcome) return { ok: false, code: 'NETWORK', message: result.error?.message ?? '' };
    if (outcome.__typename === 'ScheduleDownloadSuccess') return { ok: true };
    if (outcome.__typename === 'InsufficientDiskError') {
      return { ok: false, code: outcome.code, message: outcome.message, neededBytes: outcome.neededBytes, freeBytes: outcome.freeBytes };
    }
    return { ok: false, code: outcome.code, message: outcome.message };
  }

  async function cancel(id: string) {
    await cancelling.executeMutation({ id });
    await refresh();
  }

  return {
    jobs,
    active: computed(() => jobs.value.find((j) => ACTIVE.includes(j.state)) ?? null),
    installing: computed(() => jobs.value.find((j) => INSTALLATION_STATES.includes(j.state)) ?? null),
    scheduling: scheduling.fetching,
    schedule,
    cancel,
    refresh,
  };
}

export function useJobProgress(jobId: Ref<string>) {
  const sub = useSubscription({ query: UpdateProgressSubscription, variables: computed(() => ({ jobId: jobId.value })) });
  return computed(() => sub.data.value?.updateProgress ?? null);
}
