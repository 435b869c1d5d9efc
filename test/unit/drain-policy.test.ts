/**
 * The wait for calls before the stop, as pure rules: the admin's limit and its validation, the
 * defaults an installation request falls back to, and the decision at each look at the calls.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRAIN_POLICY,
  type DrainDecision,
  drainDecision,
  drainPolicy,
  type DrainPolicy,
  type DrainSample,
  refusePostponeWithoutWindow,
  resolveDrainPolicy,
} from '../../server/domain/drain.js';
import { InvalidInputError } from '../../server/domain/errors/index.js';

const MINUTE = 60_000;
const HOUR_MS = 60 * MINUTE;

/** The decisions over a series of looks, one every `everyMs`, up to the first that is not WAIT. */
function decide(policy: DrainPolicy, counts: readonly number[], everyMs = 1000, orders: Record<number, DrainSample['order']> = {}) {
  const decisions: DrainDecision[] = [];
  for (let i = 0; i < counts.length; i++) {
    const d = drainDecision(policy, { activeCalls: counts[i]!, waitedMs: i * everyMs, order: orders[i] ?? null });
    decisions.push(d);
    if (d.action !== 'WAIT') break;
  }
  return decisions;
}

describe('drainDecision', () => {
  const sut = drainDecision;
  const policy: DrainPolicy = { maxWaitMinutes: 2, onTimeout: 'CANCEL' };

  it('proceeds at once when no call is active', () => {
    expect(sut(policy, { activeCalls: 0, waitedMs: 0, order: null })).toEqual({ action: 'PROCEED', end: 'CALLS_ENDED' });
  });

  it('waits while calls are active and proceeds when the last one ends', () => {
    expect(decide(policy, [3, 2, 1, 0]).map((d) => d.action)).toEqual(['WAIT', 'WAIT', 'WAIT', 'PROCEED']);
  });

  it('keeps waiting when the count goes up again (a call slipped in before the drain took effect)', () => {
    const decisions = decide(policy, [1, 2, 3, 1, 0]);
    expect(decisions.map((d) => d.action)).toEqual(['WAIT', 'WAIT', 'WAIT', 'WAIT', 'PROCEED']);
    expect(decisions.at(-1)).toEqual({ action: 'PROCEED', end: 'CALLS_ENDED' });
  });

  it('cancels at the limit when a call never ends and CANCEL was chosen', () => {
    const decisions = decide(policy, new Array(200).fill(1));
    expect(decisions).toHaveLength(121);
    expect(decisions.at(-1)).toEqual({ action: 'CANCEL', end: 'LIMIT_REACHED' });
  });

  it('proceeds at the limit when a call never ends and INSTALL_ANYWAY was chosen', () => {
    expect(sut({ ...policy, onTimeout: 'INSTALL_ANYWAY' }, { activeCalls: 4, waitedMs: 2 * MINUTE, order: null })).toEqual({
      action: 'PROCEED',
      end: 'LIMIT_REACHED',
    });
  });

  it('still waits a moment before the limit', () => {
    expect(sut(policy, { activeCalls: 1, waitedMs: 2 * MINUTE - 1, order: null })).toEqual({ action: 'WAIT' });
  });

  it("follows the admin's order before anything else", () => {
    expect(sut(policy, { activeCalls: 5, waitedMs: 1000, order: 'INSTALL_NOW' })).toEqual({ action: 'PROCEED', end: 'INSTALL_NOW' });
    expect(sut(policy, { activeCalls: 0, waitedMs: 0, order: 'CANCEL' })).toEqual({ action: 'CANCEL', end: 'CANCELLED' });
    expect(decide(policy, [2, 2, 2, 2], 1000, { 2: 'CANCEL' }).map((d) => d.action)).toEqual(['WAIT', 'WAIT', 'CANCEL']);
  });
});

describe('drainDecision in a maintenance window', () => {
  const sut = drainDecision;
  const look = (windowLeftMs: number | null, waitedMs = 1000, activeCalls = 2): DrainSample => ({
    activeCalls,
    waitedMs,
    order: null,
    windowLeftMs,
  });

  it('waits while the window is open and the limit not reached', () => {
    expect(sut({ maxWaitMinutes: 10, onTimeout: 'POSTPONE_TO_NEXT_WINDOW' }, look(1))).toEqual({ action: 'WAIT' });
  });

  it.each([
    ['INSTALL_ANYWAY', { action: 'PROCEED', end: 'WINDOW_CLOSED' }],
    ['CANCEL', { action: 'CANCEL', end: 'WINDOW_CLOSED' }],
    ['POSTPONE_TO_NEXT_WINDOW', { action: 'POSTPONE', end: 'WINDOW_CLOSED' }],
  ] as const)('when the window closes before the limit with calls active, follows %s', (onTimeout, decision) => {
    expect(sut({ maxWaitMinutes: 240, onTimeout }, look(0))).toEqual(decision);
    expect(sut({ maxWaitMinutes: 240, onTimeout }, look(-5000))).toEqual(decision);
  });

  it('postpones at the limit too, while the window is still open', () => {
    expect(sut({ maxWaitMinutes: 2, onTimeout: 'POSTPONE_TO_NEXT_WINDOW' }, look(HOUR_MS, 2 * MINUTE))).toEqual({
      action: 'POSTPONE',
      end: 'LIMIT_REACHED',
    });
  });

  it('proceeds once the calls ended, even after the window closed', () => {
    expect(sut({ maxWaitMinutes: 2, onTimeout: 'POSTPONE_TO_NEXT_WINDOW' }, look(-1, 1000, 0))).toEqual({
      action: 'PROCEED',
      end: 'CALLS_ENDED',
    });
  });

  it('cancels rather than postpone without a window (cutting no call)', () => {
    expect(sut({ maxWaitMinutes: 2, onTimeout: 'POSTPONE_TO_NEXT_WINDOW' }, look(null, 2 * MINUTE))).toEqual({
      action: 'CANCEL',
      end: 'LIMIT_REACHED',
    });
  });
});

describe('refusePostponeWithoutWindow', () => {
  const sut = refusePostponeWithoutWindow;

  it('refuses POSTPONE_TO_NEXT_WINDOW as INVALID_INPUT naming the field', () => {
    expect(() => sut({ maxWaitMinutes: 5, onTimeout: 'POSTPONE_TO_NEXT_WINDOW' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'drain.onTimeout' }),
    );
  });

  it('lets the other choices and no drain at all pass', () => {
    expect(() => sut({ maxWaitMinutes: 5, onTimeout: 'CANCEL' })).not.toThrow();
    expect(() => sut({ maxWaitMinutes: 5, onTimeout: 'INSTALL_ANYWAY' })).not.toThrow();
    expect(() => sut(null)).not.toThrow();
  });
});

describe('drainPolicy', () => {
  const sut = drainPolicy;

  it('takes whole minutes from 1 to 240', () => {
    expect(sut({ maxWaitMinutes: 1, onTimeout: 'CANCEL' })).toEqual({ maxWaitMinutes: 1, onTimeout: 'CANCEL' });
    expect(sut({ maxWaitMinutes: 240, onTimeout: 'INSTALL_ANYWAY' })).toEqual({ maxWaitMinutes: 240, onTimeout: 'INSTALL_ANYWAY' });
  });

  for (const minutes of [0, -5, 241, 1e9, 2.5, Number.NaN]) {
    it(`refuses ${minutes} minutes as INVALID_INPUT naming the field`, () => {
      const err = (() => {
        try {
          sut({ maxWaitMinutes: minutes, onTimeout: 'CANCEL' });
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err).toMatchObject({ code: 'INVALID_INPUT', field: 'drain.maxWaitMinutes' });
    });
  }
});

describe('resolveDrainPolicy', () => {
  const sut = resolveDrainPolicy;
  const defaults: DrainPolicy = { maxWaitMinutes: 30, onTimeout: 'INSTALL_ANYWAY' };

  it("takes the admin's defaults when the request says nothing", () => {
    expect(sut(undefined, defaults)).toEqual(defaults);
  });

  it('does not wait at all for null or wait: false', () => {
    expect(sut(null, defaults)).toBeNull();
    expect(sut({ wait: false, maxWaitMinutes: 5 }, defaults)).toBeNull();
  });

  it('fills what the request leaves out from the defaults', () => {
    expect(sut({ maxWaitMinutes: 5 }, defaults)).toEqual({ maxWaitMinutes: 5, onTimeout: 'INSTALL_ANYWAY' });
    expect(sut({ wait: true, onTimeout: 'CANCEL' }, defaults)).toEqual({ maxWaitMinutes: 30, onTimeout: 'CANCEL' });
  });

  it('validates what the request gives', () => {
    expect(() => sut({ maxWaitMinutes: 0 }, defaults)).toThrow(InvalidInputError);
  });

  it('defaults to ten minutes and cancelling, so that no call is cut unless the admin says so', () => {
    expect(DEFAULT_DRAIN_POLICY).toEqual({ maxWaitMinutes: 10, onTimeout: 'CANCEL' });
  });
});
