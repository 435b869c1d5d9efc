/**
 * Waiting for calls to end before the appliance stops (the DRAIN step): the admin's limit and what
 * happens when it is reached (or, for an installation in a maintenance window, when the window
 * closes), the validation of both, and the decision taken at each look at the active calls. Pure:
 * the step that drains and polls lives in services/install/steps/drain.ts.
 */
import { InvalidInputError } from './errors/index.js';

/**
 * POSTPONE_TO_NEXT_WINDOW: undrain and plan the installation for the next maintenance window. It
 * needs a window, so only an installation planned NEXT_WINDOW may choose it (a request for NOW or
 * AT, and the admin's defaults, which also serve those, are refused with `InvalidInputError`).
 */
export const DRAIN_ON_TIMEOUT = ['INSTALL_ANYWAY', 'CANCEL', 'POSTPONE_TO_NEXT_WINDOW'] as const;
export type DrainOnTimeout = (typeof DRAIN_ON_TIMEOUT)[number];

/** How long to wait for the active calls to end, and what to do when some are still active then. */
export interface DrainPolicy {
  maxWaitMinutes: number;
  onTimeout: DrainOnTimeout;
}

export const MIN_DRAIN_WAIT_MINUTES = 1;
export const MAX_DRAIN_WAIT_MINUTES = 240;

/** Until the admin says otherwise: ten minutes, and no call is cut (the installation is called off). */
export const DEFAULT_DRAIN_POLICY: DrainPolicy = { maxWaitMinutes: 10, onTimeout: 'CANCEL' };

/** The validated policy, or an `InvalidInputError` naming the field. */
export function drainPolicy(input: { maxWaitMinutes: number; onTimeout: DrainOnTimeout }, field = 'drain'): DrainPolicy {
  const m = input.maxWaitMinutes;
  if (!Number.isInteger(m) || m < MIN_DRAIN_WAIT_MINUTES || m > MAX_DRAIN_WAIT_MINUTES) {
    throw new InvalidInputError(
      `Wait from ${MIN_DRAIN_WAIT_MINUTES} to ${MAX_DRAIN_WAIT_MINUTES} minutes (whole minutes) for the calls to end.`,
      `${field}.maxWaitMinutes`,
    );
  }
  if (!DRAIN_ON_TIMEOUT.includes(input.onTimeout)) {
    throw new InvalidInputError('At the limit, INSTALL_ANYWAY, CANCEL or POSTPONE_TO_NEXT_WINDOW.', `${field}.onTimeout`);
  }
  return { maxWaitMinutes: m, onTimeout: input.onTimeout };
}

/**
 * Refuses POSTPONE_TO_NEXT_WINDOW where there is no window to postpone to: an installation now or
 * at an instant, and the defaults (which serve those too, and restores).
 */
export function refusePostponeWithoutWindow(policy: DrainPolicy | null, field = 'drain'): void {
  if (policy?.onTimeout === 'POSTPONE_TO_NEXT_WINDOW') {
    throw new InvalidInputError(
      'POSTPONE_TO_NEXT_WINDOW needs a maintenance window: choose it for an installation in the next window (when: NEXT_WINDOW).',
      `${field}.onTimeout`,
    );
  }
}

/**
 * What an installation request says about the wait, before the defaults: absent (the admin's
 * defaults), `null` or `wait: false` (no drain at all: the appliance stops at once, as before
 * draining existed), or its own limit and choice, each part falling back to the defaults.
 */
export interface DrainArgs {
  wait?: boolean | null;
  maxWaitMinutes?: number | null;
  onTimeout?: DrainOnTimeout | null;
}

export function resolveDrainPolicy(args: DrainArgs | null | undefined, defaults: DrainPolicy): DrainPolicy | null {
  if (args === undefined) return defaults;
  if (args === null || args.wait === false) return null;
  return drainPolicy({
    maxWaitMinutes: args.maxWaitMinutes ?? defaults.maxWaitMinutes,
    onTimeout: args.onTimeout ?? defaults.onTimeout,
  });
}

/** What the admin asked while the wait runs: stop now anyway, or call the installation off. */
export type DrainOrder = 'INSTALL_NOW' | 'CANCEL';

/**
 * Why the wait ended. CALLS_ENDED: no call was active. LIMIT_REACHED: the limit passed with calls
 * still active. WINDOW_CLOSED: the maintenance window of a scheduled installation closed with calls
 * still active. INSTALL_NOW / CANCELLED: the admin's order.
 */
export const DRAIN_END_VALUES = ['CALLS_ENDED', 'LIMIT_REACHED', 'WINDOW_CLOSED', 'INSTALL_NOW', 'CANCELLED'] as const;
export type DrainEnd = (typeof DRAIN_END_VALUES)[number];

/** The ends that go on to the stop. */
export type DrainProceedEnd = Exclude<DrainEnd, 'CANCELLED'>;

/** The ends at which the admin's choice (`onTimeout`) applies. */
export type DrainTimeoutEnd = 'LIMIT_REACHED' | 'WINDOW_CLOSED';

export type DrainDecision =
  | { action: 'WAIT' }
  | { action: 'PROCEED'; end: DrainProceedEnd }
  | { action: 'CANCEL'; end: 'CANCELLED' | DrainTimeoutEnd }
  | { action: 'POSTPONE'; end: DrainTimeoutEnd };

export interface DrainSample {
  activeCalls: number;
  waitedMs: number;
  /** The admin's order, if one came since the last look. */
  order: DrainOrder | null;
  /**
   * A scheduled installation in a maintenance window: how long the window is still open (0 or
   * less: closed). Null: no window (now, at an instant).
   */
  windowLeftMs?: number | null;
}

/**
 * The decision at one look at the calls. The count is taken as it is now: one that goes up again
 * (a call that slipped in before the drain took effect) keeps the wait going, and only the limit
 * (or the window's end) ends a call that never ends. There the admin's choice applies; a
 * POSTPONE_TO_NEXT_WINDOW without a window (refused when asked, see `refusePostponeWithoutWindow`)
 * would cut no call either: it cancels.
 */
export function drainDecision(policy: DrainPolicy, sample: DrainSample): DrainDecision {
  if (sample.order === 'CANCEL') return { action: 'CANCEL', end: 'CANCELLED' };
  if (sample.order === 'INSTALL_NOW') return { action: 'PROCEED', end: 'INSTALL_NOW' };
  if (sample.activeCalls <= 0) return { action: 'PROCEED', end: 'CALLS_ENDED' };
  const windowLeftMs = sample.windowLeftMs ?? null;
  const end: DrainTimeoutEnd | null =
    windowLeftMs !== null && windowLeftMs <= 0
      ? 'WINDOW_CLOSED'
      : sample.waitedMs >= policy.maxWaitMinutes * 60_000
        ? 'LIMIT_REACHED'
        : null;
  if (end === null) return { action: 'WAIT' };
  switch (policy.onTimeout) {
    case 'INSTALL_ANYWAY':
      return { action: 'PROCEED', end };
    case 'POSTPONE_TO_NEXT_WINDOW':
      return windowLeftMs === null ? { action: 'CANCEL', end } : { action: 'POSTPONE', end };
    case 'CANCEL':
      return { action: 'CANCEL', end };
  }
}

/** How often the active calls are looked at while waiting. */
export const DRAIN_POLL_MS = 1000;

/** What the progress of a waiting installation carries. */
export interface DrainProgress {
  activeCalls: number;
  waitedMs: number;
  /** When the wait ends at the latest: the limit, or the window's end when that comes first. */
  deadline: Date;
}

/** What the job's record keeps of a wait that ended: how long, how many calls at its end, why. */
export interface DrainRecord {
  end: DrainEnd;
  waitedMs: number;
  activeCallsAtEnd: number;
}
