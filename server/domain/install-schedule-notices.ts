/**
 * What scheduling an installation tells the admin (the job's events), each as a notice the SPA
 * words with its English message for logs and integrators. Instants are ISO 8601 TEXT parameters.
 * Pure.
 */
import type { PlannedTime } from './install-schedule.js';
import { type Notice, notice, text, version } from './notice.js';

/** Every code below: the SPA has words for each (a test checks it). */
export const INSTALL_SCHEDULE_NOTICE_CODES = [
  'INSTALL_SCHEDULED_NEXT_WINDOW',
  'INSTALL_SCHEDULED_AT',
  'INSTALL_SCHEDULE_CANCELLED',
  'INSTALL_WINDOW_MISSED',
  'INSTALL_WINDOW_MISSED_NO_WINDOW',
  'INSTALL_TIME_MISSED',
  'INSTALL_SCHEDULE_REFUSED',
] as const;
export type InstallScheduleNoticeCode = (typeof INSTALL_SCHEDULE_NOTICE_CODES)[number];

/** The job event types these notices come with. */
export type InstallScheduleEvent =
  'INSTALL_SCHEDULED' | 'INSTALL_SCHEDULE_CANCELLED' | 'INSTALL_WINDOW_MISSED' | 'INSTALL_TIME_MISSED' | 'INSTALL_SCHEDULE_REFUSED';

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
  refused(code: string, message: string): Said {
    return said(
      'INSTALL_SCHEDULE_REFUSED',
      { code: text(code) },
      `The planned installation could not start: ${message} The job is staged again.`,
    );
  },
};

/** A job event of scheduling: its type and what it says. */
export interface InstallEventSaid {
  type: InstallScheduleEvent;
  said: Said;
}
