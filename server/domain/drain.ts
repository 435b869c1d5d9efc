/**
 * Waiting for calls to end before the appliance stops (the DRAIN step): the admin's limit and what
 * happens when it is reached, the validation of both, and the decision taken at each look at the
 * active calls. Pure: the step that drains and polls lives in services/install/steps/drain.ts.
 */
import { InvalidInputError } from './errors/index.js';

export const DRAIN_ON_TIMEOUT = ['INSTALL_ANYWAY', 'CANCEL'] as const;
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
    throw new InvalidInputError('At the limit, either INSTALL_ANYWAY or CANCEL.', `${field}.onTimeout`);
  }
  return { maxWaitMinutes: m, onTimeout: input.onTimeout };
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
 * still active. INSTALL_NOW / CANCELLED: the admin's order.
 */
export type DrainEnd = 'CALLS_ENDED' | 'LIMIT_REACHED' | 'INSTALL_NOW' | 'CANCELLED';

/** The ends that go on to the stop. */
export type DrainProceedEnd = Exclude<DrainEnd, 'CANCELLED'>;

export type DrainDecision =
  { action: 'WAIT' } | { action: 'PROCEED'; end: DrainProceedEnd } | { action: 'CANCEL'; end: 'CANCELLED' | 'LIMIT_REACHED' };

export interface DrainSample {
  activeCalls: number;
  waitedMs: number;
  /** The admin's order, if one came since the last look. */
  order: DrainOrder | null;
}

/**
 * The decision at one look at the calls. The count is taken as it is now: one that goes up again
 * (a call that slipped in before the drain took effect) keeps the wait going, and only the limit
 * ends a call that never ends.
 */
export function drainDecision(policy: DrainPolicy, sample: DrainSample): DrainDecision {
  if (sample.order === 'CANCEL') return { action: 'CANCEL', end: 'CANCELLED' };
  if (sample.order === 'INSTALL_NOW') return { action: 'PROCEED', end: 'INSTALL_NOW' };
  if (sample.activeCalls <= 0) return { action: 'PROCEED', end: 'CALLS_ENDED' };
  if (sample.waitedMs >= policy.maxWaitMinutes * 60_000) {
    return policy.onTimeout === 'CANCEL' ? { action: 'CANCEL', end: 'LIMIT_REACHED' } : { action: 'PROCEED', end: 'LIMIT_REACHED' };
  }
  return { action: 'WAIT' };
}

/** How often the active calls are looked at while waiting. */
export const DRAIN_POLL_MS = 1000;

/** What the progress of a waiting installation carries. */
export interface DrainProgress {
  activeCalls: number;
  waitedMs: number;
  /** When the limit is reached. */
  deadline: Date;
}

/** What the job's record keeps of a wait that ended: how long, how many calls at its end, why. */
export interface DrainRecord {
  end: DrainEnd;
  waitedMs: number;
  activeCallsAtEnd: number;
}
