/**
 * Scheduled installations: the next maintenance window (for the choice "In the next window"), and
 * the admin's say over a planned one: another time (`rescheduleInstall`) or calling it off
 * (`cancelJob`: the job is STAGED again). Refusals come back typed, by code.
 */
import { useMutation, useQuery } from '@urql/vue';
import { computed } from 'vue';
import type { ScheduledWhen } from '../graphql/generated/graphql';
import { CancelJobMutation, NextMaintenanceWindowQuery, RescheduleInstallMutation } from '../graphql/operations';
import type { Refusal } from './use-installation';

/** When a staged job is to be installed: now, in the next window, or at an instant. */
export type InstallTime = { when: 'NOW' } | { when: ScheduledWhen; at: string | null };

/** The next occurrence of a maintenance window, in the zone the windows are set in. */
export interface NextWindow {
  start: string;
  end: string;
  timeZone: string;
}

export function useNextWindow() {
  const query = useQuery({ query: NextMaintenanceWindowQuery, requestPolicy: 'network-only' });
  const next = computed<NextWindow | null>(() => {
    const n = query.data.value?.nextMaintenanceWindows;
    if (n?.__typename !== 'NextMaintenanceWindows') return null;
    const first = n.occurrences[0];
    return first ? { start: String(first.start), end: String(first.end), timeZone: n.timeZone } : null;
  });
  return {
    next,
    /** The zone the windows are set in (the appliance's own unless changed), once known. */
    timeZone: computed(() => {
      const n = query.data.value?.nextMaintenanceWindows;
      return n?.__typename === 'NextMaintenanceWindows' ? n.timeZone : null;
    }),
    loading: query.fetching,
    refresh: () => query.executeQuery({ requestPolicy: 'network-only' }),
  };
}

export function useScheduleControl() {
  const rescheduling = useMutation(RescheduleInstallMutation);
  const cancelling = useMutation(CancelJobMutation);

  async function reschedule(jobId: string, time: { when: ScheduledWhen; at: string | null }): Promise<Refusal | null> {
    const result = await rescheduling.executeMutation({ jobId, when: time.when, at: time.at });
    const o = result.data?.rescheduleInstall;
    if (!o) return { code: 'NETWORK', message: result.error?.message ?? '' };
    if (o.__typename === 'RescheduleInstallSuccess') return null;
    return { code: o.code, message: o.message, field: o.__typename === 'InvalidInputError' ? o.field : null };
  }

  async function cancel(jobId: string): Promise<Refusal | null> {
    const result = await cancelling.executeMutation({ id: jobId });
    const o = result.data?.cancelJob;
    if (!o) return { code: 'NETWORK', message: result.error?.message ?? '' };
    return o.__typename === 'CancelJobSuccess' ? null : { code: o.code, message: o.message };
  }

  return { reschedule, cancel, busy: computed(() => rescheduling.fetching.value || cancelling.fetching.value) };
}
