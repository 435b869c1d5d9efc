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
  /** A lock: no attempt before this time. For the per-user pacing: no delayed attempt starts before it. */
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

/**
 * Login throttling (the README's security model says why this shape):
 * - a user name tried from one address: 5 failures lock that pair, whatever the password;
 * - an address: 20 failures (any user names) lock the address;
 * - a user name from everywhere: never refused; past 10 failures, attempts from addresses that have
 *   failed for it are spaced out with doubling delays, so many addresses together guess slowly too.
 *   An address that has not failed for the user is never delayed: the admin's own login passes.
 * Each attempt is counted before its password is checked and withdrawn when it is not a failure.
 */
export interface LoginPolicy {
  userAtAddress: ThrottlePolicy;
  address: ThrottlePolicy;
  userPacing: PacingPolicy;
  passwordChecks: PasswordCheckPolicy;
}

export interface PacingPolicy {
  /** Failures of a user (from all addresses) within the window before its attempts are spaced out. */
  freeFailures: number;
  windowMs: number;
  /** Spacing after the first paced attempt; doubles with each further one, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** How many password checks run at once and wait; past that a login is refused at once (no memory grows). */
export interface PasswordCheckPolicy {
  maxRunning: number;
  maxWaiting: number;
  /** What a refusal for a full queue tells the client to wait. */
  busyRetryAfterSeconds: number;
}

export const LOGIN_POLICY: LoginPolicy = {
  userAtAddress: { maxFailures: 5, windowMs: 15 * 60_000, baseLockMs: 60_000, maxLockMs: 60 * 60_000 },
  address: { maxFailures: 20, windowMs: 15 * 60_000, baseLockMs: 60_000, maxLockMs: 60 * 60_000 },
  userPacing: { freeFailures: 10, windowMs: 15 * 60_000, baseDelayMs: 1000, maxDelayMs: 30_000 },
  // One scrypt check holds 128 MiB and one of libuv's four threads for ~0.6 s: one at a time, four
  // waiting, which is also room for every attempt a pair may make before its lock.
  passwordChecks: { maxRunning: 1, maxWaiting: 4, busyRetryAfterSeconds: 2 },
};

/** The throttle rows of one login attempt. User names are compared case-insensitively, as at login. */
export interface ThrottleKeys {
  userAtAddress: string;
  address: string | null;
  user: string;
}

export function throttleKeys(username: string, address: string | null): ThrottleKeys {
  const user = username.toLowerCase();
  return {
    userAtAddress: `pair:${user}|${address ?? '-'}`,
    address: address ? `addr:${address}` : null,
    user: `pace:${user}`,
  };
}

/** Whether an unlock for this user and/or address (none: everything) clears the row under `key`. */
export function throttleKeyMatches(key: string, filter: { username?: string; address?: string }): boolean {
  const user = filter.username?.toLowerCase();
  const [kind, rest = ''] = splitOnce(key, ':');
  const [pairUser, pairAddress] = kind === 'pair' ? splitOnce(rest, '|') : [null, null];
  const userMatches = user === undefined || (kind === 'pace' ? rest === user : pairUser === user);
  const addressMatches = filter.address === undefined || (kind === 'addr' ? rest === filter.address : pairAddress === filter.address);
  return userMatches && addressMatches;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + sep.length)];
}

/** Seconds until a login may be tried again under this state, or 0 when it may be tried now. */
export function retryAfterSeconds(state: ThrottleState | null, now: Date): number {
  if (!state?.lockedUntil) return 0;
  const ms = state.lockedUntil.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** Whether this state holds failures within its window (an address that "has failed"). */
export function hasRecentFailures(state: ThrottleState | null, now: Date, windowMs: number): boolean {
  return !!state && state.failures > 0 && now.getTime() - state.windowStartedAt.getTime() <= windowMs;
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

/**
 * Takes back an attempt counted by `recordFailure` that turned out not to be a failure (the password
 * was right, or it was never checked). A lock that only this attempt caused goes with it.
 */
export function withdrawFailure(state: ThrottleState, policy: ThrottlePolicy): ThrottleState {
  const failures = Math.max(0, state.failures - 1);
  return { ...state, failures, lockedUntil: failures < policy.maxFailures ? null : state.lockedUntil };
}

/**
 * One more attempt on a user: counted as a failure until withdrawn, and when its password check may
 * start. Past the free failures, an attempt from an address that has failed for the user takes the
 * next slot of the user's spaced-out attempts; one from an address that has not failed starts now.
 */
export function paceAttempt(
  state: ThrottleState | null,
  now: Date,
  policy: PacingPolicy,
  addressHasFailed: boolean,
): { startAt: Date; state: ThrottleState } {
  const fresh = !state || now.getTime() - state.windowStartedAt.getTime() > policy.windowMs;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  const nextSlot = fresh ? null : state.lockedUntil;
  if (!addressHasFailed || failures <= policy.freeFailures) {
    return { startAt: now, state: { failures, windowStartedAt, lockedUntil: nextSlot } };
  }
  const over = failures - policy.freeFailures - 1;
  const spacingMs = Math.min(policy.baseDelayMs * 2 ** Math.min(over, 20), policy.maxDelayMs);
  const startAt = nextSlot && nextSlot > now ? nextSlot : now;
  return { startAt, state: { failures, windowStartedAt, lockedUntil: new Date(startAt.getTime() + spacingMs) } };
}

/** Takes back an attempt counted by `paceAttempt` that was not a failure; its slot stays taken. */
export function withdrawAttempt(state: ThrottleState): ThrottleState {
  return { ...state, failures: Math.max(0, state.failures - 1) };
}

/** Passwords an admin may set: long enough to resist guessing, short enough to hash. */
export const PASSWORD_LENGTH = { min: 12, max: 1024 } as const;
