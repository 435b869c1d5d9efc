/**
 * What the installation engine tells the admin, each as a notice (a code and typed parameters the
 * SPA words in the admin's language) with its English message for logs and integrators: the step
 * details, the job events, the restore events and the progress texts. Pure.
 */
import { DRAIN_END_VALUES, type DrainEnd, type DrainProceedEnd, type DrainRecord } from './drain.js';
import type { InstallStep, JournalStep, RecoveryAction, RollbackStep } from './install.js';
import type { ModuleChange } from './module-plan.js';
import { type Notice, bytes, count, millis, notice, text, version } from './notice.js';

/** Every code below: the SPA has words for each (a test checks it). */
export const INSTALL_NOTICE_CODES = [
  'INSTALL_RUNNING_PREFLIGHT',
  'INSTALL_RUNNING_DRAIN',
  'INSTALL_RUNNING_STOP',
  'INSTALL_RUNNING_DOWNLOAD',
  'INSTALL_RUNNING_BACKUP',
  'INSTALL_RUNNING_APPLY',
  'INSTALL_RUNNING_MIGRATE',
  'INSTALL_RUNNING_RESTORE_DATA',
  'INSTALL_RUNNING_SWITCH',
  'INSTALL_RUNNING_MODULES',
  'INSTALL_RUNNING_START',
  'INSTALL_RUNNING_HEALTHCHECK',
  'INSTALL_RUNNING_COMMIT',
  'INSTALL_RUNNING_ROLLBACK_STOP',
  'INSTALL_RUNNING_ROLLBACK_DATA',
  'INSTALL_RUNNING_ROLLBACK_SWITCH',
  'INSTALL_RUNNING_ROLLBACK_START',
  'INSTALL_RUNNING_ROLLBACK_HEALTHCHECK',
  'INSTALL_REQUESTED',
  'INSTALL_REQUESTED_ONE_GO',
  'INSTALL_RESTORE_REQUESTED',
  'INSTALL_READY',
  'INSTALL_APPLIANCE_STOPPED',
  'INSTALL_DOWNLOADED',
  'INSTALL_BACKUP_DONE',
  'INSTALL_RELEASE_IN_PLACE',
  'INSTALL_DATA_MIGRATED',
  'INSTALL_NO_MIGRATION',
  'INSTALL_BACKUP_DATA_IN_PLACE',
  'INSTALL_SWITCHED',
  'INSTALL_MODULES_UPDATED',
  'INSTALL_MODULES_DISABLED',
  'INSTALL_MODULES_UPDATED_AND_DISABLED',
  'INSTALL_NO_MODULE_CHANGES',
  'INSTALL_HEALTHY',
  'INSTALL_SUCCEEDED',
  'INSTALL_SUCCEEDED_UNTIMED',
  'INSTALL_RESTORE_SUCCEEDED',
  'INSTALL_CLEANUP_INCOMPLETE',
  'INSTALL_STEP_INTERRUPTED',
  'INSTALL_RECOVERY_ROLL_BACK',
  'INSTALL_RECOVERY_RESUME',
  'INSTALL_RECOVERY_COMPLETE',
  'INSTALL_RECOVERY_UNDRAIN',
  'INSTALL_RECOVERY_PLAN_AGAIN',
  'INSTALL_DRAIN_WAITING',
  'INSTALL_DRAIN_CALLS_ENDED',
  'INSTALL_DRAIN_LIMIT_PROCEEDED',
  'INSTALL_DRAIN_INSTALL_NOW',
  'INSTALL_DRAIN_CANCELLED_LIMIT',
  'INSTALL_DRAIN_CANCELLED_BY',
  'INSTALL_DRAIN_WINDOW_CLOSED_PROCEEDED',
  'INSTALL_DRAIN_CANCELLED_WINDOW_CLOSED',
  'INSTALL_DRAIN_POSTPONED',
  'INSTALL_DRAIN_SKIPPED',
  'INSTALL_DRAIN_UNSUPPORTED',
  'INSTALL_UNDRAINED',
  'INSTALL_UNDRAIN_FAILED',
  'ROLLBACK_STARTED_RESTORING',
  'ROLLBACK_STARTED_UNCHANGED',
  'ROLLBACK_COPYING_DATABASE',
  'ROLLBACK_COPYING_FILES',
  'ROLLBACK_COPYING_MODULES',
  'ROLLBACK_COPIED_DATABASE',
  'ROLLBACK_COPIED_FILES',
  'ROLLBACK_COPIED_MODULES',
  'ROLLBACK_SWITCHED_BACK',
  'ROLLBACK_HEALTHY',
  'ROLLBACK_FINISHED_RESTORED',
  'ROLLBACK_FINISHED_UNCHANGED',
  'ROLLBACK_FAILED_AT',
] as const;
export type InstallNoticeCode = (typeof INSTALL_NOTICE_CODES)[number];

/** A sentence for the admin: the notice the SPA words, and the same in English. */
export interface Said {
  message: string;
  detail: Notice<InstallNoticeCode>;
}

function said(code: InstallNoticeCode, params: Parameters<typeof notice>[1], message: string): Said {
  return { message, detail: notice(code, params) };
}

const RUNNING: Record<JournalStep, [InstallNoticeCode, string]> = {
  PREFLIGHT: ['INSTALL_RUNNING_PREFLIGHT', 'Checking disk space, licences and the appliance'],
  DRAIN: ['INSTALL_RUNNING_DRAIN', 'Refusing new calls and waiting for the active ones to end'],
  STOP: ['INSTALL_RUNNING_STOP', 'Stopping the appliance'],
  DOWNLOAD: ['INSTALL_RUNNING_DOWNLOAD', 'Downloading and verifying the bundles'],
  BACKUP: ['INSTALL_RUNNING_BACKUP', 'Backing up the data'],
  APPLY: ['INSTALL_RUNNING_APPLY', 'Putting the new release in place'],
  MIGRATE: ['INSTALL_RUNNING_MIGRATE', 'Migrating the data'],
  RESTORE_DATA: ['INSTALL_RUNNING_RESTORE_DATA', 'Restoring the chosen backup'],
  SWITCH: ['INSTALL_RUNNING_SWITCH', 'Switching to the new release'],
  MODULES: ['INSTALL_RUNNING_MODULES', 'Updating the modules'],
  START: ['INSTALL_RUNNING_START', 'Starting the appliance'],
  HEALTHCHECK: ['INSTALL_RUNNING_HEALTHCHECK', 'Waiting for the appliance to be healthy'],
  COMMIT: ['INSTALL_RUNNING_COMMIT', 'Finishing'],
  ROLLBACK_STOP: ['INSTALL_RUNNING_ROLLBACK_STOP', 'Stopping the appliance'],
  ROLLBACK_DATA: ['INSTALL_RUNNING_ROLLBACK_DATA', 'Restoring the data from the backup'],
  ROLLBACK_SWITCH: ['INSTALL_RUNNING_ROLLBACK_SWITCH', 'Switching back to the previous release'],
  ROLLBACK_START: ['INSTALL_RUNNING_ROLLBACK_START', 'Starting the previous release'],
  ROLLBACK_HEALTHCHECK: ['INSTALL_RUNNING_ROLLBACK_HEALTHCHECK', 'Waiting for the previous release to be healthy'],
};

type GroupKind = 'DATABASE' | 'FILES' | 'MODULES';
const groupKind = (group: string): GroupKind => (group === 'files' ? 'FILES' : group === 'modules' ? 'MODULES' : 'DATABASE');
const GROUP_LABEL: Record<GroupKind, (group: string) => string> = {
  DATABASE: (group) => `database ${group}`,
  FILES: () => 'configuration files',
  MODULES: () => 'module state',
};
const COPYING: Record<GroupKind, InstallNoticeCode> = {
  DATABASE: 'ROLLBACK_COPYING_DATABASE',
  FILES: 'ROLLBACK_COPYING_FILES',
  MODULES: 'ROLLBACK_COPYING_MODULES',
};
const COPIED: Record<GroupKind, InstallNoticeCode> = {
  DATABASE: 'ROLLBACK_COPIED_DATABASE',
  FILES: 'ROLLBACK_COPIED_FILES',
  MODULES: 'ROLLBACK_COPIED_MODULES',
};

const RECOVERY: Record<Exclude<RecoveryAction, 'NONE'>, [InstallNoticeCode, string]> = {
  ROLL_BACK: ['INSTALL_RECOVERY_ROLL_BACK', 'restoring the previous state'],
  RESUME: ['INSTALL_RECOVERY_RESUME', 'starting the new release again and checking its health'],
  COMPLETE: ['INSTALL_RECOVERY_COMPLETE', 'completing the installation (starting the new release again first)'],
  UNDRAIN: ['INSTALL_RECOVERY_UNDRAIN', 'nothing was changed; the appliance accepts calls again and the installation ends'],
  PLAN_AGAIN: [
    'INSTALL_RECOVERY_PLAN_AGAIN',
    'nothing was changed; the appliance accepts calls again and the scheduled installation is planned again',
  ],
};

/** How a wait for the calls ended: the step's detail (what History shows) and its English words. */
const DRAIN_ENDS: Record<DrainProceedEnd, { code: InstallNoticeCode; words: (r: DrainRecord) => string }> = {
  CALLS_ENDED: { code: 'INSTALL_DRAIN_CALLS_ENDED', words: (r) => `No call is active any more after ${seconds(r.waitedMs)}: stopping.` },
  LIMIT_REACHED: {
    code: 'INSTALL_DRAIN_LIMIT_PROCEEDED',
    words: (r) =>
      `The limit passed after ${seconds(r.waitedMs)} with ${r.activeCallsAtEnd} call(s) active: installing anyway, they are cut.`,
  },
  WINDOW_CLOSED: {
    code: 'INSTALL_DRAIN_WINDOW_CLOSED_PROCEEDED',
    words: (r) =>
      `The maintenance window closed after ${seconds(r.waitedMs)} with ${r.activeCallsAtEnd} call(s) active: installing anyway, they are cut.`,
  },
  INSTALL_NOW: {
    code: 'INSTALL_DRAIN_INSTALL_NOW',
    words: (r) => `Installing now, as asked, after ${seconds(r.waitedMs)}; ${r.activeCallsAtEnd} call(s) were active at the stop.`,
  },
};

/** The wait as the job's record keeps it, read back from the DRAIN step's notice (History). */
export interface CallWait {
  end: DrainEnd;
  waitedMs: number;
  /** The calls active when the wait ended: at the stop, when the installation went on. */
  activeCallsAtEnd: number;
  /** Whether the installation went on to the stop (else it was called off). */
  wentOn: boolean;
}

const CALL_WAIT_OF: Partial<Record<string, Pick<CallWait, 'end' | 'wentOn'>>> = {
  INSTALL_DRAIN_CALLS_ENDED: { end: 'CALLS_ENDED', wentOn: true },
  INSTALL_DRAIN_LIMIT_PROCEEDED: { end: 'LIMIT_REACHED', wentOn: true },
  INSTALL_DRAIN_INSTALL_NOW: { end: 'INSTALL_NOW', wentOn: true },
  INSTALL_DRAIN_CANCELLED_LIMIT: { end: 'LIMIT_REACHED', wentOn: false },
  INSTALL_DRAIN_CANCELLED_BY: { end: 'CANCELLED', wentOn: false },
  INSTALL_DRAIN_WINDOW_CLOSED_PROCEEDED: { end: 'WINDOW_CLOSED', wentOn: true },
  INSTALL_DRAIN_CANCELLED_WINDOW_CLOSED: { end: 'WINDOW_CLOSED', wentOn: false },
  // Its `end` parameter says which (the limit or the window's end).
  INSTALL_DRAIN_POSTPONED: { end: 'LIMIT_REACHED', wentOn: false },
};

/** The wait for calls a DRAIN step's notice records, or null (skipped, unsupported, failed, not a wait). */
export function callWaitOf(detail: Notice | null): CallWait | null {
  const kind = detail ? CALL_WAIT_OF[detail.code] : undefined;
  if (!detail || !kind) return null;
  const param = (name: string) => detail.params.find((p) => p.name === name)?.value;
  const value = (name: string) => Number(param(name) ?? 0);
  const end = param('end');
  return {
    ...kind,
    ...((DRAIN_END_VALUES as readonly unknown[]).includes(end) ? { end: end as DrainEnd } : {}),
    waitedMs: value('waitedMs'),
    activeCallsAtEnd: value('calls'),
  };
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

const drainParams = (r: DrainRecord) => ({ waitedMs: millis(r.waitedMs), calls: count(r.activeCallsAtEnd) });

export const installNotices = {
  requested(target: string, user: string): Said {
    return said('INSTALL_REQUESTED', { version: version(target), user: text(user) }, `Installation of ${target} requested by ${user}.`);
  },
  requestedInOneGo(target: string, user: string): Said {
    return said(
      'INSTALL_REQUESTED_ONE_GO',
      { version: version(target), user: text(user) },
      `Download and installation of ${target} in one go requested by ${user}.`,
    );
  },
  restoreRequested(b: { id: string; applianceVersion: string; createdAt: string }, user: string): Said {
    return said(
      'INSTALL_RESTORE_REQUESTED',
      { backupId: text(b.id), version: version(b.applianceVersion), user: text(user) },
      `Restore of backup ${b.id} (${b.applianceVersion}, ${b.createdAt}) requested by ${user}.`,
    );
  },

  /** The progress text of a step as it begins. */
  running(step: JournalStep): Said {
    const [code, words] = RUNNING[step];
    return said(code, {}, `${words}…`);
  },

  /** The live text while waiting for the calls to end. */
  drainWaiting(activeCalls: number, msLeft: number): Said {
    return said(
      'INSTALL_DRAIN_WAITING',
      { calls: count(activeCalls), msLeft: millis(msLeft) },
      `Waiting for ${activeCalls} call(s) to end (new calls are refused); ${seconds(msLeft)} left.`,
    );
  },
  /** The wait ended and the installation goes on to the stop. */
  drained(r: DrainRecord & { end: DrainProceedEnd }): Said {
    const { code, words } = DRAIN_ENDS[r.end];
    return said(code, drainParams(r), words(r));
  },
  /** The installation was called off during the wait (the limit with CANCEL chosen, or the admin's order). */
  drainCancelled(r: DrainRecord, by: string | null): Said {
    if (by === null && r.end === 'WINDOW_CLOSED') {
      return said(
        'INSTALL_DRAIN_CANCELLED_WINDOW_CLOSED',
        drainParams(r),
        `The maintenance window closed with ${r.activeCallsAtEnd} call(s) still active after ${seconds(r.waitedMs)}: the installation is cancelled, new calls are accepted again, nothing was changed.`,
      );
    }
    return by === null
      ? said(
          'INSTALL_DRAIN_CANCELLED_LIMIT',
          drainParams(r),
          `The calls did not end in time (${r.activeCallsAtEnd} still active after ${seconds(r.waitedMs)}): the installation is cancelled, new calls are accepted again, nothing was changed.`,
        )
      : said(
          'INSTALL_DRAIN_CANCELLED_BY',
          { ...drainParams(r), user: text(by) },
          `Cancelled by ${by} while waiting for the calls to end: new calls are accepted again, nothing was changed.`,
        );
  },
  /** The limit or the window's end passed with POSTPONE_TO_NEXT_WINDOW chosen (the job's event says until when). */
  drainPostponed(r: DrainRecord): Said {
    return said(
      'INSTALL_DRAIN_POSTPONED',
      { ...drainParams(r), end: text(r.end) },
      `The calls did not end in time (${r.activeCallsAtEnd} still active after ${seconds(r.waitedMs)}): the installation is postponed to the next maintenance window, new calls are accepted again, nothing was changed.`,
    );
  },
  drainSkipped(): Said {
    return said('INSTALL_DRAIN_SKIPPED', {}, 'Not waiting for calls to end, as asked: the appliance stops at once.');
  },
  drainUnsupported(): Said {
    return said(
      'INSTALL_DRAIN_UNSUPPORTED',
      {},
      'This appliance cannot report its calls or refuse new ones: it stops at once, cutting any call in progress.',
    );
  },
  undrained(): Said {
    return said('INSTALL_UNDRAINED', {}, 'The appliance accepts new calls again.');
  },
  undrainFailed(causeCode: string, cause: string): Said {
    return said(
      'INSTALL_UNDRAIN_FAILED',
      { cause: text(causeCode) },
      `The appliance could not be told to accept new calls again (${cause}): it may still refuse them.`,
    );
  },

  ready(backupBytes: number, freeBytes: number): Said {
    return said(
      'INSTALL_READY',
      { backupBytes: bytes(backupBytes), freeBytes: bytes(freeBytes) },
      `Ready: ${backupBytes} bytes to back up, ${freeBytes} bytes free.`,
    );
  },
  stopped(): Said {
    return said('INSTALL_APPLIANCE_STOPPED', {}, 'The appliance is stopped: telephony is unavailable until the end of the installation.');
  },
  downloaded(total: number): Said {
    return said('INSTALL_DOWNLOADED', { bytes: bytes(total) }, 'Downloaded, verified against the signed hashes, and unpacked.');
  },
  backupDone(b: { id: string; totalBytes: number; copyMs: number; verifyMs: number }): Said {
    return said(
      'INSTALL_BACKUP_DONE',
      { backupId: text(b.id), bytes: bytes(b.totalBytes), copyMs: millis(b.copyMs), verifyMs: millis(b.verifyMs) },
      `Backup ${b.id}: ${b.totalBytes} bytes copied in ${b.copyMs} ms and verified in ${b.verifyMs} ms.`,
    );
  },
  releaseInPlace(target: string, from: string): Said {
    return said(
      'INSTALL_RELEASE_IN_PLACE',
      { version: version(target), fromVersion: version(from) },
      `Release ${target} is in place next to ${from}.`,
    );
  },
  migrated(ran: boolean): Said {
    return ran
      ? said('INSTALL_DATA_MIGRATED', {}, 'The data was migrated.')
      : said('INSTALL_NO_MIGRATION', {}, 'This release has no separate migration (it migrates at start).');
  },
  backupDataInPlace(backupId: string): Said {
    return said('INSTALL_BACKUP_DATA_IN_PLACE', { backupId: text(backupId) }, `The data of backup ${backupId} is back in place.`);
  },
  switched(target: string): Said {
    return said('INSTALL_SWITCHED', { version: version(target) }, `current → releases/${target}`);
  },
  modules(changes: readonly ModuleChange[]): Said {
    const updated = changes.filter((c) => !c.disabled).map((c) => `${c.name} ${c.from} → ${c.to}`);
    const disabled = changes.filter((c) => c.disabled).map((c) => `${c.name} ${c.from}`);
    const english = changes.map((c) => (c.disabled ? `${c.name} ${c.from} disabled` : `${c.name} ${c.from} → ${c.to}`));
    const message = english.length ? `Modules: ${english.join(', ')}.` : 'No module changes.';
    const params = { updated: text(updated.join(', ')), disabled: text(disabled.join(', ')), count: count(changes.length) };
    if (updated.length && disabled.length) return said('INSTALL_MODULES_UPDATED_AND_DISABLED', params, message);
    if (updated.length) return said('INSTALL_MODULES_UPDATED', params, message);
    if (disabled.length) return said('INSTALL_MODULES_DISABLED', params, message);
    return said('INSTALL_NO_MODULE_CHANGES', {}, message);
  },
  healthy(target: string): Said {
    return said('INSTALL_HEALTHY', { version: version(target) }, `${target} is healthy.`);
  },
  succeeded(target: string, unavailableMs: number | null): Said {
    if (unavailableMs === null)
      return said('INSTALL_SUCCEEDED_UNTIMED', { version: version(target) }, `${target} is installed and running.`);
    return said(
      'INSTALL_SUCCEEDED',
      { version: version(target), unavailableMs: millis(unavailableMs) },
      `${target} is installed and running; the appliance was unavailable for ${Math.round(unavailableMs / 100) / 10} s.`,
    );
  },
  restoreSucceeded(backupId: string, target: string): Said {
    return said(
      'INSTALL_RESTORE_SUCCEEDED',
      { backupId: text(backupId), version: version(target) },
      `Backup ${backupId} restored; ${target} runs.`,
    );
  },
  cleanupIncomplete(paths: readonly string[]): Said {
    return said(
      'INSTALL_CLEANUP_INCOMPLETE',
      { paths: text(paths.join(', ')), count: count(paths.length) },
      `Some files of this job could not be removed: ${paths.join(', ')}.`,
    );
  },
  stepInterrupted(): Said {
    return said('INSTALL_STEP_INTERRUPTED', {}, 'Patchbay stopped during this step.');
  },
  recovery(step: JournalStep, action: Exclude<RecoveryAction, 'NONE'>): Said {
    const [code, words] = RECOVERY[action];
    return said(code, { step: text(step) }, `Patchbay restarted during ${step}: ${words}.`);
  },

  // The way back (restore events).
  rollbackStarted(restoresData: boolean, backupId: string | null, from: string): Said {
    return restoresData
      ? said(
          'ROLLBACK_STARTED_RESTORING',
          { backupId: text(backupId ?? ''), version: version(from) },
          `Going back to the state before: restoring backup ${backupId}, then switching back to ${from} and starting it.`,
        )
      : said(
          'ROLLBACK_STARTED_UNCHANGED',
          { version: version(from) },
          `The data was not changed; switching back to ${from} and starting it.`,
        );
  },
  /** A group being copied back next to the data (it is swapped in once every group is copied). */
  groupCopying(group: string): Said {
    const kind = groupKind(group);
    return said(COPYING[kind], { name: text(group) }, `Copying back the ${GROUP_LABEL[kind](group)}…`);
  },
  groupCopied(group: string, total: number): Said {
    const kind = groupKind(group);
    return said(
      COPIED[kind],
      { name: text(group), bytes: bytes(total) },
      `The ${GROUP_LABEL[kind](group)} copied back and verified (${total} bytes); put in place once every group is.`,
    );
  },
  switchedBack(from: string): Said {
    return said('ROLLBACK_SWITCHED_BACK', { version: version(from) }, `current → releases/${from}`);
  },
  rollbackHealthy(from: string): Said {
    return said('ROLLBACK_HEALTHY', { version: version(from) }, `${from} is running and healthy.`);
  },
  rollbackFinished(restoresData: boolean, from: string): Said {
    return restoresData
      ? said(
          'ROLLBACK_FINISHED_RESTORED',
          { version: version(from) },
          `Restored: ${from} runs with the data as it was before the installation.`,
        )
      : said('ROLLBACK_FINISHED_UNCHANGED', { version: version(from) }, `${from} runs again; its data was not changed.`);
  },
  /** The way back failed at `step`; the appliance is handed back on the release `current` points at. */
  rollbackFailed(step: RollbackStep | InstallStep, cause: string, causeCode: string, current: string | null): Said {
    return said(
      'ROLLBACK_FAILED_AT',
      { step: text(step), cause: text(causeCode), current: version(current ?? '') },
      `The way back failed at ${step} (${cause}); the appliance is started on ${current ?? 'the release current points at'}.`,
    );
  },
};
