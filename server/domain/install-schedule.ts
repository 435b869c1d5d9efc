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
}

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

/** The plan as stored. */
export function installPlan(when: ScheduledWhen, time: PlannedTime, drain: DrainPolicy | null, scheduledBy: string): InstallPlan {
  return {
    when,
    plannedAt: time.plannedAt.toISOString(),
    windowEnd: time.windowEnd?.toISOString() ?? null,
    drain,
    scheduledBy,
  };
}
