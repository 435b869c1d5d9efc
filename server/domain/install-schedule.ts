/**
 * Scheduled installation: when a staged job may be installed (now, in the next maintenance window,
 * at a chosen instant), the plan a job keeps while it is INSTALL_SCHEDULED, and the rule the
 * scheduler applies each time it looks at a plan. Pure: `now` and the windows are parameters.
 *
 * The rule never installs outside a time the admin allowed:
 * - NEXT_WINDOW: asked while a window is open, the plan is that window (it starts at once); else the
 *   next occurrence. When the time comes the windows are read again (`windowAt(now)`): inside one it
 *   installs; outside (Patchbay was down when the window came, or the windows changed) it does not,
 *   and the plan moves to the next window, the move recorded (INSTALL_WINDOW_MISSED).
 * - AT: it installs from the chosen instant up to a grace of AT_GRACE_MS after it. Later (Patchbay
 *   was down), the time counts as missed: the job goes back to STAGED with the reason recorded, and
 *   waits for the admin to say when instead.
 *
 * A plan may be made while the job still downloads: it is kept with the job, and the rule applies
 * once the download is staged. A download that finished after the window's end (or past the AT
 * grace) missed its time as above; `finishedTooLate` tells that case apart for the record.
 *
 * A wait for calls still running when the window closes (or at its limit) may postpone the
 * installation to the next window (`postponement`), at most MAX_INSTALL_POSTPONEMENTS times: then
 * the job fails (POSTPONED_TOO_OFTEN) rather than waiting for ever.
 */
import type { DrainPolicy } from './drain.js';
import { InvalidInputError, NoMaintenanceWindowError } from './errors/index.js';
import { type MaintenanceWindowsSetting, nextOccurrences, windowAt } from './maintenance-windows.js';

export const INSTALL_WHEN = ['NOW', 'NEXT_WINDOW', 'AT'] as const;
export type InstallWhen = (typeof INSTALL_WHEN)[number];
export type ScheduledWhen = Exclude<InstallWhen, 'NOW'>;

/** How late an AT installation may still start (a slow start of Patchbay, a busy machine). */
export const AT_GRACE_MS = 5 * 60_000;
/** How far ahead an AT installation may be planned (as for a download's start). */
export const MAX_AT_AHEAD_MS = 90 * 86_400_000;

/** The instant an installation is planned for, and for NEXT_WINDOW the end of that window. */
export interface PlannedTime {
  plannedAt: Date;
  windowEnd: Date | null;
}

/** What an INSTALL_SCHEDULED job keeps (stored as JSON with the job: it survives restarts). */
export interface InstallPlan {
  when: ScheduledWhen;
  /** ISO 8601 instants. */
  plannedAt: string;
  windowEnd: string | null;
  /** The wait for calls resolved when it was scheduled; null: no drain. */
  drain: DrainPolicy | null;
  /** Who asked for it: the installation is recorded as theirs. */
  scheduledBy: string;
  /** How many times a wait for calls that outlasted its window postponed it (absent: none). */
  postponements?: number;
}

/** How many times an installation may be postponed to the next window before it fails. */
export const MAX_INSTALL_POSTPONEMENTS = 3;

/**
 * The planned time of a request, or a typed refusal: NoMaintenanceWindowError when NEXT_WINDOW finds
 * no window, InvalidInputError (field `at`) for a missing, past or too distant AT.
 */
export function planTime(when: ScheduledWhen, at: Date | null | undefined, windows: MaintenanceWindowsSetting, now: Date): PlannedTime {
  if (when === 'NEXT_WINDOW') {
    const next = nextWindow(windows, now);
    if (!next) throw new NoMaintenanceWindowError();
    return next;
  }
  if (!at || Number.isNaN(at.getTime())) throw new InvalidInputError('Give the instant `at` to install at.', 'at');
  if (at.getTime() <= now.getTime()) throw new InvalidInputError(`The instant ${at.toISOString()} is in the past.`, 'at');
  if (at.getTime() > now.getTime() + MAX_AT_AHEAD_MS) throw new InvalidInputError('The instant is more than 90 days ahead.', 'at');
  return { plannedAt: at, windowEnd: null };
}

/** The window open at `now` (starting now), else the next one; null when no window is set. */
export function nextWindow(windows: MaintenanceWindowsSetting, now: Date): PlannedTime | null {
  const openUntil = windowAt(windows, now);
  if (openUntil) return { plannedAt: now, windowEnd: openUntil };
  const next = nextOccurrences(windows, now, 1)[0];
  if (!next) return null;
  // Overlapping or touching windows are one span: the installation may run to the end of all of them.
  return { plannedAt: next.start, windowEnd: windowAt(windows, next.start) ?? next.end };
}

/**
 * What the scheduler does with a plan at `now`. WAIT: look again at `until`. INSTALL: start it now
 * (`windowEnd`: until when the window is open, for NEXT_WINDOW). WINDOW_MISSED: outside every window
 * after the planned time: plan `next` instead (null: no window is set any more). AT_MISSED: the
 * instant passed more than the grace ago.
 */
export type ScheduleDecision =
  | { kind: 'WAIT'; until: Date }
  | { kind: 'INSTALL'; windowEnd: Date | null }
  | { kind: 'WINDOW_MISSED'; next: PlannedTime | null }
  | { kind: 'AT_MISSED' };

export function scheduleDecision(
  plan: Pick<InstallPlan, 'when' | 'plannedAt'>,
  windows: MaintenanceWindowsSetting,
  now: Date,
): ScheduleDecision {
  const plannedAt = new Date(plan.plannedAt);
  if (now.getTime() < plannedAt.getTime()) return { kind: 'WAIT', until: plannedAt };
  if (plan.when === 'AT') {
    return now.getTime() - plannedAt.getTime() <= AT_GRACE_MS ? { kind: 'INSTALL', windowEnd: null } : { kind: 'AT_MISSED' };
  }
  const openUntil = windowAt(windows, now);
  if (openUntil) return { kind: 'INSTALL', windowEnd: openUntil };
  return { kind: 'WINDOW_MISSED', next: nextWindow(windows, now) };
}

/**
 * True when a job's download finished (at `downloadedAt`) after the time its plan allowed: the end
 * of the window for NEXT_WINDOW, the instant and its grace for AT. A plan made once the job was
 * staged is always later than the download's end: false.
 */
export function finishedTooLate(plan: Pick<InstallPlan, 'when' | 'plannedAt' | 'windowEnd'>, downloadedAt: Date | null): boolean {
  if (!downloadedAt) return false;
  const limit =
    plan.when === 'AT' ? new Date(plan.plannedAt).getTime() + AT_GRACE_MS : plan.windowEnd && new Date(plan.windowEnd).getTime();
  return typeof limit === 'number' && downloadedAt.getTime() > limit;
}

/** The plan as stored. */
export function installPlan(
  when: ScheduledWhen,
  time: PlannedTime,
  drain: DrainPolicy | null,
  scheduledBy: string,
  postponements = 0,
): InstallPlan {
  return {
    when,
    plannedAt: time.plannedAt.toISOString(),
    windowEnd: time.windowEnd?.toISOString() ?? null,
    drain,
    scheduledBy,
    ...(postponements > 0 ? { postponements } : {}),
  };
}

/**
 * A postponement of `plan` whose wait for calls outlasted its window (ending at `windowEnd`) or its
 * limit: POSTPONE to the first window after this one, with the count raised; TOO_OFTEN when the
 * cap is reached (`count`: the postponements already made); NO_WINDOW when none is set any more.
 */
export type PostponeDecision =
  { kind: 'POSTPONE'; plan: InstallPlan; next: PlannedTime } | { kind: 'TOO_OFTEN'; count: number } | { kind: 'NO_WINDOW' };

export function postponement(plan: InstallPlan, windowEnd: Date | null, windows: MaintenanceWindowsSetting, now: Date): PostponeDecision {
  const count = plan.postponements ?? 0;
  if (count >= MAX_INSTALL_POSTPONEMENTS) return { kind: 'TOO_OFTEN', count };
  // At the limit the window may still be open: the next one is the first after it.
  const after = windowEnd && windowEnd.getTime() > now.getTime() ? windowEnd : now;
  const next = nextWindow(windows, after);
  if (!next) return { kind: 'NO_WINDOW' };
  return { kind: 'POSTPONE', next, plan: installPlan('NEXT_WINDOW', next, plan.drain, plan.scheduledBy, count + 1) };
}
