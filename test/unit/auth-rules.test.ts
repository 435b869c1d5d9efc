import { describe, expect, it } from 'vitest';
import {
  hasRecentFailures,
  type PacingPolicy,
  paceAttempt,
  recordFailure,
  retryAfterSeconds,
  scopesOfToken,
  sessionExpired,
  throttleKeyMatches,
  throttleKeys,
  type ThrottlePolicy,
  withdrawAttempt,
  withdrawFailure,
} from '../../server/domain/auth.js';

const policy: ThrottlePolicy = { maxFailures: 3, windowMs: 60_000, baseLockMs: 10_000, maxLockMs: 40_000 };
const t0 = new Date('2026-11-24T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('recordFailure', () => {
  it('does not lock below the limit', () => {
    let sut = recordFailure(null, t0, policy);
    sut = recordFailure(sut, at(1000), policy);
    expect(sut).toEqual({ failures: 2, windowStartedAt: t0, lockedUntil: null });
  });

  it('locks at the limit for the base duration', () => {
    let sut = null;
    for (let i = 0; i < 3; i++) sut = recordFailure(sut, at(i * 1000), policy);
    expect(sut!.lockedUntil).toEqual(at(2000 + 10_000));
  });

  it('doubles the lock for each failure over the limit, up to the maximum', () => {
    let sut = null;
    for (let i = 0; i < 6; i++) sut = recordFailure(sut, at(i), policy);
    expect(sut!.lockedUntil).toEqual(at(5 + 40_000));
  });

  it('starts a new window once the old one has passed', () => {
    const old = recordFailure(recordFailure(null, t0, policy), at(1), policy);
    expect(recordFailure(old, at(60_001), policy)).toEqual({ failures: 1, windowStartedAt: at(60_001), lockedUntil: null });
  });
});

describe('withdrawFailure', () => {
  it('takes back one failure', () => {
    const sut = withdrawFailure({ failures: 2, windowStartedAt: t0, lockedUntil: null }, policy);
    expect(sut).toEqual({ failures: 1, windowStartedAt: t0, lockedUntil: null });
  });

  it('lifts the lock that only the withdrawn attempt caused', () => {
    const locked = recordFailure(recordFailure(recordFailure(null, t0, policy), t0, policy), t0, policy);
    expect(locked.lockedUntil).not.toBeNull();
    expect(withdrawFailure(locked, policy)).toEqual({ failures: 2, windowStartedAt: t0, lockedUntil: null });
  });

  it('keeps a lock that earlier failures caused', () => {
    const sut = withdrawFailure({ failures: 4, windowStartedAt: t0, lockedUntil: at(20_000) }, policy);
    expect(sut.lockedUntil).toEqual(at(20_000));
  });
});

describe('paceAttempt', () => {
  const pacing: PacingPolicy = { freeFailures: 2, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 4000 };
  const after = (n: number, addressHasFailed: boolean) => {
    let state = null;
    let startAt = t0;
    for (let i = 0; i < n; i++) ({ state, startAt } = paceAttempt(state, t0, pacing, addressHasFailed));
    return { state: state!, startAt };
  };

  it('starts the free attempts at once', () => {
    expect(after(2, true)).toEqual({ startAt: t0, state: { failures: 2, windowStartedAt: t0, lockedUntil: null } });
  });

  it('spaces out the attempts past the free ones, with doubling gaps up to the maximum', () => {
    const starts = [3, 4, 5, 6].map((n) => after(n, true).startAt.getTime() - t0.getTime());
    // The first paced attempt starts now and holds the next slot 1 s later; the gaps then double to 4 s.
    expect(starts).toEqual([0, 1000, 3000, 7000]);
  });

  it('never delays an attempt from an address that has not failed, however many failures the user has', () => {
    const busy = after(6, true).state;
    const sut = paceAttempt(busy, t0, pacing, false);
    expect(sut.startAt).toEqual(t0);
    expect(sut.state).toEqual({ ...busy, failures: 7 });
  });

  it('forgets the spacing once the window has passed', () => {
    const busy = after(6, true).state;
    expect(paceAttempt(busy, at(60_001), pacing, true)).toEqual({
      startAt: at(60_001),
      state: { failures: 1, windowStartedAt: at(60_001), lockedUntil: null },
    });
  });
});

describe('withdrawAttempt', () => {
  it('takes back one attempt and keeps the slot it took', () => {
    expect(withdrawAttempt({ failures: 3, windowStartedAt: t0, lockedUntil: at(1000) })).toEqual({
      failures: 2,
      windowStartedAt: t0,
      lockedUntil: at(1000),
    });
  });
});

describe('hasRecentFailures', () => {
  it('holds for failures within the window only', () => {
    const state = { failures: 1, windowStartedAt: t0, lockedUntil: null };
    expect(hasRecentFailures(state, at(60_000), 60_000)).toBe(true);
    expect(hasRecentFailures(state, at(60_001), 60_000)).toBe(false);
    expect(hasRecentFailures({ ...state, failures: 0 }, t0, 60_000)).toBe(false);
    expect(hasRecentFailures(null, t0, 60_000)).toBe(false);
  });
});

describe('throttleKeys', () => {
  it('keys a user name case-insensitively, alone and at its address, and the address alone', () => {
    expect(throttleKeys('Admin', '10.0.0.7')).toEqual({
      userAtAddress: 'pair:admin|10.0.0.7',
      address: 'addr:10.0.0.7',
      user: 'pace:admin',
    });
  });

  it('has no address row without an address', () => {
    expect(throttleKeys('admin', null)).toEqual({ userAtAddress: 'pair:admin|-', address: null, user: 'pace:admin' });
  });
});

describe('throttleKeyMatches', () => {
  const keys = ['pair:admin|10.0.0.7', 'pair:admin|10.0.0.8', 'pair:bob|10.0.0.7', 'addr:10.0.0.7', 'pace:admin', 'pace:bob'];
  const matching = (filter: { username?: string; address?: string }) => keys.filter((k) => throttleKeyMatches(k, filter));

  it('matches everything without a filter', () => {
    expect(matching({})).toEqual(keys);
  });

  it('matches a user name at every address and its spacing', () => {
    expect(matching({ username: 'ADMIN' })).toEqual(['pair:admin|10.0.0.7', 'pair:admin|10.0.0.8', 'pace:admin']);
  });

  it('matches an address for every user name and alone', () => {
    expect(matching({ address: '10.0.0.7' })).toEqual(['pair:admin|10.0.0.7', 'pair:bob|10.0.0.7', 'addr:10.0.0.7']);
  });

  it('matches a user name at one address only', () => {
    expect(matching({ username: 'admin', address: '10.0.0.7' })).toEqual(['pair:admin|10.0.0.7']);
  });

  it('keeps an IPv6 address whole', () => {
    expect(throttleKeyMatches(throttleKeys('admin', '::ffff:10.0.0.7').userAtAddress, { address: '::ffff:10.0.0.7' })).toBe(true);
  });
});

describe('retryAfterSeconds', () => {
  it('is zero without a lock and after it', () => {
    expect(retryAfterSeconds(null, t0)).toBe(0);
    expect(retryAfterSeconds({ failures: 3, windowStartedAt: t0, lockedUntil: at(5000) }, at(5000))).toBe(0);
  });

  it('rounds the remaining lock up to whole seconds', () => {
    expect(retryAfterSeconds({ failures: 3, windowStartedAt: t0, lockedUntil: at(5000) }, at(3999))).toBe(2);
  });
});

describe('sessionExpired', () => {
  const session = { createdAt: t0, lastSeenAt: at(60_000), expiresAt: at(3_600_000) };

  it('keeps a session used within the idle time', () => {
    expect(sessionExpired(session, at(60_000 + 29_999), 30_000)).toBe(false);
  });

  it('ends a session idle for the idle time', () => {
    expect(sessionExpired(session, at(60_000 + 30_000), 30_000)).toBe(true);
  });

  it('ends a busy session at its absolute expiry', () => {
    expect(sessionExpired({ ...session, lastSeenAt: at(3_599_999) }, at(3_600_000), 30_000)).toBe(true);
  });
});

describe('scopesOfToken', () => {
  it('lets an operate token read too', () => {
    expect(scopesOfToken(['operate'])).toEqual(['read', 'operate']);
    expect(scopesOfToken(['read'])).toEqual(['read']);
  });
});
