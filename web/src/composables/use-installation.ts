/**
 * Installing: the foreseen unavailable time, the `install` mutation with its typed refusals, and one
 * installation (or restore) followed live: the job with its steps, the running step's bytes, the
 * restore events. The job is read again at each new step and once the socket is back, because the
 * progress events sent while it was down are lost.
 */
import { useMutation, useQuery, useSubscription } from '@urql/vue';
import { computed, onUnmounted, ref, watch, type Ref } from 'vue';
import type { DrainOnTimeout, InstallInput, RestoreEventsSubscription as RestoreEventsData } from '../graphql/generated/graphql';
import { liveState } from '../graphql/client';
import {
  CancelJobMutation,
  InstallEstimateQuery,
  InstallMutation,
  InstallNowMutation,
  RestoreEventsSubscription,
  UpdateJobQuery,
  UpdateProgressSubscription,
} from '../graphql/operations';
import { INSTALLATION_STATES } from './use-jobs';

/** An expected refusal of a mutation, by code (the UI words it; the message is the fallback). */
export interface Refusal {
  code: string;
  message: string;
  neededBytes?: number;
  freeBytes?: number;
  /** INVALID_INPUT: the argument at fault (e.g. `at`), for words of its own. */
  field?: string | null;
}

/** The confirmation's choice about the wait for calls before the stop. */
export interface DrainChoice {
  wait: boolean;
  maxWaitMinutes: number;
  onTimeout: DrainOnTimeout;
}

/** What an estimate is for: a staged job, a version in one go, or the restore of a backup. */
export type InstallTarget = { jobId: string } | { version: string } | { backupId: string };
export type RestoreEvent = RestoreEventsData['restoreEvents'];

export function useInstallEstimate(target: Ref<InstallTarget | null>) {
  const query = useQuery({
    query: InstallEstimateQuery,
    variables: computed(() => {
      const t = target.value;
      if (t && 'jobId' in t) return { jobId: t.jobId };
      if (t && 'backupId' in t) return { backupId: t.backupId };
      return { version: t?.version ?? null };
    }),
    pause: computed(() => !target.value),
    requestPolicy: 'network-only',
  });
  // Nothing while a new estimate is on its way: an older one may be for another target.
  const result = computed(() => (query.fetching.value ? null : (query.data.value?.installEstimate ?? null)));
  return {
    estimate: computed(() => (result.value?.__typename === 'InstallEstimate' ? result.value : null)),
    failed: computed(
      () => !query.fetching.value && (!!query.error.value || (!!result.value && result.value.__typename !== 'InstallEstimate')),
    ),
  };
}

export function useInstall() {
  const mutation = useMutation(InstallMutation);
  async function install(input: InstallInput): Promise<{ ok: true; jobId: string } | ({ ok: false } & Refusal)> {
    const result = await mutation.executeMutation({ input });
    const outcome = result.data?.install;
    if (!outcome) return { ok: false, code: 'NETWORK', message: result.error?.message ?? '' };
    if (outcome.__typename === 'InstallSuccess') return { ok: true, jobId: outcome.job.id };
    if (outcome.__typename === 'InsufficientDiskError') {
      return { ok: false, code: outcome.code, message: outcome.message, neededBytes: outcome.neededBytes, freeBytes: outcome.freeBytes };
    }
    if (outcome.__typename === 'InvalidInputError')
      return { ok: false, code: outcome.code, message: outcome.message, field: outcome.field };
    return { ok: false, code: outcome.code, message: outcome.message };
  }
  return { install, busy: mutation.fetching };
}

/**
 * The admin's say over an installation waiting for its calls to end: install now anyway, or
 * cancel (the appliance accepts calls again); a refusal (the wait ended meanwhile) by its code.
 */
export function useDrainControl() {
  const installing = useMutation(InstallNowMutation);
  const cancelling = useMutation(CancelJobMutation);
  const refusal = ref<Refusal | null>(null);
  function outcome(o: { __typename: string; code?: string; message?: string } | undefined, error: string | undefined, success: string) {
    if (!o) refusal.value = { code: 'NETWORK', message: error ?? '' };
    else refusal.value = o.__typename === success ? null : { code: o.code ?? 'UNKNOWN', message: o.message ?? '' };
  }
  async function installNow(jobId: string) {
    const result = await installing.executeMutation({ jobId });
    outcome(result.data?.installNow, result.error?.message, 'InstallNowSuccess');
  }
  async function cancel(jobId: string) {
    const result = await cancelling.executeMutation({ id: jobId });
    outcome(result.data?.cancelJob, result.error?.message, 'CancelJobSuccess');
  }
  return { installNow, cancel, refusal, busy: computed(() => installing.fetching.value || cancelling.fetching.value) };
}

/**
 * Restore events in order, once each (a resubscription replays the past ones); of the many
 * progress events of a group only the newest is kept.
 */
function addRestoreEvent(list: RestoreEvent[], event: RestoreEvent): RestoreEvent[] {
  if (list.some((e) => e.jobId === event.jobId && e.seq === event.seq)) return list;
  if (event.type === 'GROUP_PROGRESS') {
    const older = list.find((e) => e.jobId === event.jobId && e.type === 'GROUP_PROGRESS' && e.group === event.group);
    if (older && older.seq > event.seq) return list;
    list = list.filter((e) => e !== older);
  }
  return [...list, event].sort((a, b) => a.seq - b.seq);
}

export function useInstallation(jobId: Ref<string | null>) {
  const paused = computed(() => !jobId.value);
  const query = useQuery({
    query: UpdateJobQuery,
    variables: computed(() => ({ id: jobId.value ?? '' })),
    pause: paused,
    requestPolicy: 'network-only',
  });
  const job = computed(() => {
    const j = query.data.value?.updateJob;
    return j && j.id === jobId.value ? j : null;
  });
  const active = computed(() => !!job.value && INSTALLATION_STATES.includes(job.value.state));
  function refresh() {
    if (jobId.value) query.executeQuery({ requestPolicy: 'network-only' });
  }

  const jobVariables = computed(() => ({ jobId: jobId.value ?? '' }));
  const progressSub = useSubscription({ query: UpdateProgressSubscription, variables: jobVariables, pause: paused });
  const progress = computed(() => {
    const p = progressSub.data.value?.updateProgress;
    return p && p.jobId === jobId.value ? p : null;
  });
  // A step is recorded when it ends; the event says which one runs now: read the job again.
  watch(
    () => (progress.value ? `${progress.value.state}:${progress.value.step ?? ''}` : null),
    (key, before) => {
      if (key && key !== before) refresh();
    },
  );
  watch(liveState, (now, before) => {
    if (now === 'connected' && before === 'reconnecting') refresh();
  });

  const restoreSub = useSubscription(
    { query: RestoreEventsSubscription, variables: jobVariables, pause: paused },
    (list: RestoreEvent[] | undefined, data: RestoreEventsData) => addRestoreEvent(list ?? [], data.restoreEvents),
  );
  const restoreEvents = computed(() => (restoreSub.data.value ?? []).filter((e) => e.jobId === jobId.value));

  // The job's end is announced a moment before its last step is recorded as done: an ended job
  // that still shows a running step is read again, a few times at most.
  const unsettled = computed(() => !!job.value && !active.value && job.value.steps.some((s) => s.outcome === 'RUNNING'));

  // A clock for the running step's elapsed time, and a slow re-read as a safety net while it runs.
  const now = ref(Date.now());
  let ticks = 0;
  let settleReads = 0;
  const timer = setInterval(() => {
    if (active.value) {
      now.value = Date.now();
      settleReads = 0;
      if (++ticks % 3 === 0) refresh();
    } else if (unsettled.value && settleReads++ < 10) {
      refresh();
    }
  }, 1000);
  onUnmounted(() => clearInterval(timer));

  return { job, active, progress, restoreEvents, now, refresh, loading: query.fetching };
}
