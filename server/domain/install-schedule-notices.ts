/**
 * What scheduling an installation tells the admin (the job's events), each as a notice the SPA
 * words with its English message for logs and integrators. Instants are ISO 8601 TEXT parameters.
 * Pure.
 */
import type { PlannedTime } from './install-schedule.js';
import { type Notice, count, notice, text, version } from './notice.js';

/** Every code below: the SPA has words for each (a test checks it). */
export const INSTALL_SCHEDULE_NOTICE_CODES = [
  'INSTALL_SCHEDULED_NEXT_WINDOW',
  'INSTALL_SCHEDULED_AT',
  'INSTALL_SCHEDULE_CANCELLED',
  'INSTALL_SCHEDULE_CANCELLED_DOWNLOADING',
  'INSTALL_WINDOW_MISSED',
  'INSTALL_WINDOW_MISSED_DOWNLOADING',
  'INSTALL_WINDOW_MISSED_NO_WINDOW',
  'INSTALL_TIME_MISSED',
  'INSTALL_TIME_MISSED_DOWNLOADING',
  'INSTALL_SCHEDULE_REFUSED',
  'INSTALL_POSTPONED',
  'INSTALL_POSTPONED_NO_WINDOW',
  'INSTALL_PLANNED_AGAIN_AFTER_RESTART',
] as const;
export type InstallScheduleNoticeCode = (typeof INSTALL_SCHEDULE_NOTICE_CODES)[number];

/** The job event types these notices come with. */
export type InstallScheduleEvent =
  | 'INSTALL_SCHEDULED'
  | 'INSTALL_SCHEDULE_CANCELLED'
  | 'INSTALL_WINDOW_MISSED'
  | 'INSTALL_TIME_MISSED'
  | 'INSTALL_SCHEDULE_REFUSED'
  | 'INSTALL_POSTPONED'
  | 'INSTALL_PLANNED_AGAIN';

/** A sentence for the admin: the notice the SPA words, and the same in English. */
export interface Said {
  message: string;
  detail: Notice<InstallScheduleNoticeCode>;
}

function said(code: InstallScheduleNoticeCode, params: Parameters<typeof notice>[1], message: string): Said {
  return { message, detail: notice(code, params) };
}

const iso = (d: Date) => d.toISOString();

export const scheduleNotices = {
  scheduledInWindow(target: string, user: string, time: PlannedTime): Said {
    return said(
      'INSTALL_SCHEDULED_NEXT_WINDOW',
      { version: version(target), user: text(user), plannedAt: text(iso(time.plannedAt)), windowEnd: text(iso(time.windowEnd!)) },
      `Installation of ${target} planned by ${user} in the maintenance window ${iso(time.plannedAt)} to ${iso(time.windowEnd!)}.`,
    );
  },
  scheduledAt(target: string, user: string, time: PlannedTime): Said {
    return said(
      'INSTALL_SCHEDULED_AT',
      { version: version(target), user: text(user), plannedAt: text(iso(time.plannedAt)) },
      `Installation of ${target} planned by ${user} at ${iso(time.plannedAt)}.`,
    );
  },
  cancelled(user: string): Said {
    return said(
      'INSTALL_SCHEDULE_CANCELLED',
      { user: text(user) },
      `The planned installation was cancelled by ${user}: the job is staged.`,
    );
  },
  /** Cancelled while the job still downloads: the download goes on, and the job is STAGED once it ends. */
  cancelledWhileDownloading(user: string): Said {
    return said(
      'INSTALL_SCHEDULE_CANCELLED_DOWNLOADING',
      { user: text(user) },
      `The planned installation was cancelled by ${user}: the download goes on, and the job will be staged.`,
    );
  },
  /** The download ended after the window it was planned for (`windowEnd`): the next window instead. */
  windowMissedDownloading(plannedAt: string, windowEnd: string, next: PlannedTime): Said {
    return said(
      'INSTALL_WINDOW_MISSED_DOWNLOADING',
      { plannedAt: text(plannedAt), windowEnd: text(windowEnd), nextAt: text(iso(next.plannedAt)) },
      `The download was not finished by the end of the maintenance window ${plannedAt} to ${windowEnd}: planned for the next one at ${iso(next.plannedAt)}.`,
    );
  },
  windowMissed(plannedAt: string, next: PlannedTime): Said {
    return said(
      'INSTALL_WINDOW_MISSED',
      { plannedAt: text(plannedAt), nextAt: text(iso(next.plannedAt)) },
      `The maintenance window of ${plannedAt} passed while Patchbay was not running (or is no longer set): not installing outside a window; planned for the next one at ${iso(next.plannedAt)}.`,
    );
  },
  windowMissedNoWindow(plannedAt: string): Said {
    return said(
      'INSTALL_WINDOW_MISSED_NO_WINDOW',
      { plannedAt: text(plannedAt) },
      `The maintenance window of ${plannedAt} passed and no maintenance window is set any more: the job is staged again.`,
    );
  },
  timeMissed(plannedAt: string): Said {
    return said(
      'INSTALL_TIME_MISSED',
      { plannedAt: text(plannedAt) },
      `The installation time ${plannedAt} passed while Patchbay was not running: not installing late; the job is staged again, waiting for you.`,
    );
  },
  /** The download ended after the AT time and its grace: not installed late, as for a time missed while Patchbay was down. */
  timeMissedDownloading(plannedAt: string): Said {
    return said(
      'INSTALL_TIME_MISSED_DOWNLOADING',
      { plannedAt: text(plannedAt) },
      `The download was not finished by the installation time ${plannedAt}: not installing late; the job is staged, waiting for you.`,
    );
  },
  refused(code: string, message: string): Said {
    return said(
      'INSTALL_SCHEDULE_REFUSED',
      { code: text(code) },
      `The planned installation could not start: ${message} The job is staged again.`,
    );
  },
  /** The wait for calls outlasted the window (or its limit): the `count`-th postponement of at most `max`. */
  postponed(next: PlannedTime, postponements: number, max: number): Said {
    return said(
      'INSTALL_POSTPONED',
      { plannedAt: text(iso(next.plannedAt)), windowEnd: text(iso(next.windowEnd!)), count: count(postponements), max: count(max) },
      `The calls did not end in time: the installation is postponed to the next maintenance window, ${iso(next.plannedAt)} to ${iso(next.windowEnd!)} (postponement ${postponements} of at most ${max}).`,
    );
  },
  postponedNoWindow(): Said {
    return said(
      'INSTALL_POSTPONED_NO_WINDOW',
      {},
      'The calls did not end in time and no maintenance window is set any more to postpone to: the job is staged again.',
    );
  },
  /** Patchbay stopped while the scheduled installation waited for calls: planned again, never installed at boot outside a window. */
  plannedAgainAfterRestart(plannedAt: string): Said {
    return said(
      'INSTALL_PLANNED_AGAIN_AFTER_RESTART',
      { plannedAt: text(plannedAt) },
      `Patchbay stopped while the installation planned for ${plannedAt} waited for calls to end; nothing was changed and calls are accepted again. It is planned again: it goes on only inside its maintenance window (or its time's grace).`,
    );
  },
};

/** A job event of scheduling: its type and what it says. */
export interface InstallEventSaid {
  type: InstallScheduleEvent;
  said: Said;
}
