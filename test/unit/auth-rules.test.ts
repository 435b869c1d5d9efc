import { describe, expect, it } from 'vitest';
import { recordFailure, retryAfterSeconds, scopesOfToken, sessionExpired, type ThrottlePolicy } from '../../server/domain/auth.js';

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
