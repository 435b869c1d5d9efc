/**
 * Who may do what: scopes, principals and the login-throttling rule. Pure: no clock, no storage.
 */
export const API_SCOPES = ['read', 'operate'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * `read` sees everything, `operate` changes the appliance (search, download, install…), `admin`
 * manages accounts and tokens and is held by interactive admin sessions only, never by a token.
 */
export type Scope = ApiScope | 'admin';

export type Principal =
  | { kind: 'session'; userId: string; username: string; sessionId: string; scopes: readonly Scope[] }
  | { kind: 'token'; userId: string; username: string; tokenId: string; scopes: readonly Scope[] };

export const SESSION_SCOPES: readonly Scope[] = ['read', 'operate', 'admin'];

/** A token with `operate` can also read: an integrator that installs must see what it installs. */
export function scopesOfToken(granted: readonly ApiScope[]): Scope[] {
  return granted.includes('operate') ? ['read', 'operate'] : ['read'];
}

export interface ThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

export interface ThrottlePolicy {
  /** Failures allowed within the window before a lock. */
  maxFailures: number;
  windowMs: number;
  /** First lock duration; each further failure while over the limit doubles it, up to maxLockMs. */
  baseLockMs: number;
  maxLockMs: number;
}

export const USER_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, baseLockMs: 60_000, maxLockMs: 60 * 60_000 };
export const ADDRESS_THROTTLE: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * 60_000, baseLockMs: 60_000, maxLockMs: 60 * 60_000 };

/** Seconds until a login may be tried again under this state, or 0 when it may be tried now. */
export function retryAfterSeconds(state: ThrottleState | null, now: Date): number {
  if (!state?.lockedUntil) return 0;
  const ms = state.lockedUntil.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** The state after one more failed login at `now`. */
export function recordFailure(state: ThrottleState | null, now: Date, policy: ThrottlePolicy): ThrottleState {
  const fresh = !state || now.getTime() - state.windowStartedAt.getTime() > policy.windowMs;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  if (failures < policy.maxFailures) return { failures, windowStartedAt, lockedUntil: null };
  const over = failures - policy.maxFailures;
  const lockMs = Math.min(policy.baseLockMs * 2 ** Math.min(over, 20), policy.maxLockMs);
  return { failures, windowStartedAt, lockedUntil: new Date(now.getTime() + lockMs) };
}

/** When a session ends unless it is used before: the idle timeout slides with use, the absolute limit never moves. */
export function sessionEndsAt(session: { lastSeenAt: Date; expiresAt: Date }, idleMs: number): Date {
  return new Date(Math.min(session.expiresAt.getTime(), session.lastSeenAt.getTime() + idleMs));
}

export function sessionExpired(session: { lastSeenAt: Date; expiresAt: Date }, now: Date, idleMs: number): boolean {
  return now >= sessionEndsAt(session, idleMs);
}
