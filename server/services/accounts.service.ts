/**
 * Accounts and access: the admin user, login with throttling, browser sessions, API tokens, and
 * turning a presented credential (cookie or bearer token) into a Principal. It announces on the
 * event bus when a credential ends (logout, revocation, expiry), so that open streams end with it.
 */
import crypto from 'node:crypto';
import type { Clock } from '../adapters/clock.js';
import type { IdGenerator } from '../adapters/ids.js';
import type { Logger } from '../adapters/logger.js';
import type { PasswordHasher } from '../adapters/password-hasher.js';
import {
  API_SCOPES,
  type ApiScope,
  hasRecentFailures,
  LOGIN_POLICY,
  type LoginPolicy,
  paceAttempt,
  PASSWORD_LENGTH,
  type Principal,
  recordFailure,
  retryAfterSeconds,
  SESSION_SCOPES,
  scopesOfToken,
  sessionEndsAt,
  sessionExpired,
  type ThrottleKeys,
  throttleKeyMatches,
  throttleKeys,
  type ThrottleState,
  withdrawAttempt,
  withdrawFailure,
} from '../domain/auth.js';
import type { AccountsRepository, ApiTokenRow, UserRow } from '../repositories/accounts.repository.js';
import type { CredentialEnded, EventBus } from '../events.js';
import { InvalidCredentialsError, InvalidInputError, LoginThrottledError, NotFoundError } from '../domain/errors/index.js';
import { firstDuplicate, unsafeCharacter } from '../domain/input-rules.js';
import { BoundedQueue } from './bounded-queue.js';

export const ADMIN_USERNAME = 'admin';
const TOKEN_PREFIX = 'pbt_';
/** lastSeenAt is written at most this often, so that every request does not cost a write. */
const TOUCH_INTERVAL_MS = 60_000;
/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days); a later expiry is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export interface LoginOutcome {
  user: UserRow;
  /** The new session's principal: what the next request with its cookie will be. */
  principal: Principal;
  expiresAt: Date;
}

/** The session cookie of an HTTP request (a WebSocket cannot carry one back). */
export interface SessionCookie {
  /** The cookie presented with the request, if any. */
  current: string | null;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

/** Which login throttling an unlock clears: a user name, an address, both, or (neither) all of it. */
export interface UnlockFilter {
  username?: string;
  address?: string;
}

export interface PasswordReset {
  /** The new password when it was generated: shown once, only its hash is kept. */
  generatedPassword: string | null;
  endedSessions: number;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const generatePassword = () => crypto.randomBytes(15).toString('base64url');

export class AccountsService {
  /**
   * A hash of a random password: verifying against it costs as much as a real check. A failed
   * attempt is not kept: the next login of an unknown user tries again.
   */
  private dummyHash: Promise<string> | null = null;
  /** Bounds the scrypt checks running and waiting at once: each holds 128 MiB while it runs. */
  private readonly passwordChecks: BoundedQueue;

  constructor(
    private readonly repo: AccountsRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
    private readonly logger: Logger,
    private readonly newId: IdGenerator,
    private readonly events: Pick<EventBus, 'publish'>,
    private readonly loginPolicy: LoginPolicy = LOGIN_POLICY,
  ) {
    this.passwordChecks = new BoundedQueue(loginPolicy.passwordChecks);
  }

  /**
   * Creates user `admin` when missing. Returns the generated password when none was given, so that
   * the caller prints it once; only its hash is kept.
   */
  async ensureAdmin(initialPassword: string | null): Promise<{ created: boolean; generatedPassword: string | null }> {
    // Made now, off the request path, so that even the first unknown user name costs what a real check costs.
    this.getDummyHash().catch((err: unknown) =>
      this.logger.error('the dummy password hash failed; the next unknown-user login tries again', { err }),
    );
    if (this.repo.findUserByName(ADMIN_USERNAME)) return { created: false, generatedPassword: null };
    const generatedPassword = initialPassword ? null : generatePassword();
    const now = this.clock.now();
    this.repo.insertUser({
      id: this.newId(),
      username: ADMIN_USERNAME,
      passwordHash: await this.hasher.hash(initialPassword ?? generatedPassword!),
      createdAt: now,
      passwordChangedAt: now,
    });
    this.logger.info('admin user created', { passwordSource: initialPassword ? 'PATCHBAY_ADMIN_PASSWORD' : 'generated' });
    return { created: true, generatedPassword };
  }

  /**
   * Checks the password, opens a new session and sets its cookie. A session presented with the
   * request is ended: the session id always changes on login (no fixation).
   */
  async login(username: string, password: string, client: ClientInfo, cookie: SessionCookie | null): Promise<LoginOutcome> {
    if (!cookie) throw new InvalidInputError('Log in over HTTP; a WebSocket cannot carry the session cookie back.');
    if (!username || username.length > 128) throw new InvalidInputError('Enter a user name.', 'username');
    if (!password || password.length > PASSWORD_LENGTH.max) throw new InvalidInputError('Enter a password.', 'password');
    const keys = throttleKeys(username, client.address);
    const startAt = this.reserveAttempt(keys, username, client.address);
    let user: UserRow | undefined;
    let ok: boolean;
    try {
      const delayMs = startAt.getTime() - this.clock.now().getTime();
      if (delayMs > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, delayMs));
      user = this.repo.findUserByName(username);
      ok = await this.checkPassword(user, password, username, client.address);
    } catch (err) {
      // Not checked (busy) or the check itself failed: not a failed guess.
      this.withdrawAttempt(keys);
      throw err;
    }
    if (!user || !ok) {
      this.logger.warn('login failed', { username, address: client.address, reason: user ? 'wrong password' : 'unknown user' });
      throw new InvalidCredentialsError();
    }
    this.repo.atomically(() => {
      // This client's failures are forgiven; the user's count from everywhere keeps the others' failures.
      this.repo.deleteThrottles([keys.userAtAddress, ...(keys.address ? [keys.address] : [])]);
      this.updateThrottle(keys.user, withdrawAttempt);
    });
    const now = this.clock.now();
    if (cookie.current) {
      const replaced = sha256(cookie.current);
      this.repo.deleteSession(replaced);
      this.announceEnded({ kind: 'session', sessionId: replaced, reason: 'replaced' });
    }
    const sessionToken = crypto.randomBytes(32).toString('base64url');
    const sessionId = sha256(sessionToken);
    const expiresAt = new Date(now.getTime() + this.policy.absoluteMs);
    this.repo.insertSession({
      id: sessionId,
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      address: client.address,
      userAgent: client.userAgent?.slice(0, 256) ?? null,
    });
    cookie.set(sessionToken, expiresAt);
    this.logger.info('login', { username, address: client.address });
    return { user, principal: sessionPrincipal(user, sessionId), expiresAt };
  }

  /**
   * Clears the login throttling of a user name, an address, both, or (without either) all of it:
   * the local way back in (`npm run admin -- unlock`). Returns how many throttle rows were cleared.
   */
  unlockLogins(filter: UnlockFilter): number {
    const cleared = this.repo.atomically(() =>
      this.repo.deleteThrottles(this.repo.listThrottleKeys().filter((key) => throttleKeyMatches(key, filter))),
    );
    this.logger.info('login throttling cleared', { username: filter.username ?? null, address: filter.address ?? null, cleared });
    return cleared;
  }

  /**
   * Sets a new password for a user (generated when none is given) and ends every session of that
   * user (`npm run admin -- reset-password`). API tokens stay: they do not depend on the password.
   */
  async resetPassword(username: string, password: string | null): Promise<PasswordReset> {
    if (password !== null && (password.length < PASSWORD_LENGTH.min || password.length > PASSWORD_LENGTH.max))
      throw new InvalidInputError(`The password must have ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters.`, 'password');
    const user = this.repo.findUserByName(username);
    if (!user) throw new NotFoundError('user', username);
    const generatedPassword = password === null ? generatePassword() : null;
    const passwordHash = await this.hasher.hash(password ?? generatedPassword!);
    const endedSessions = this.repo.atomically(() => {
      this.repo.setPassword(user.id, passwordHash, this.clock.now());
      return this.repo.deleteSessionsOfUser(user.id);
    });
    this.logger.info('password reset', { username, passwordSource: generatedPassword ? 'generated' : 'given', endedSessions });
    // In this process; a server running beside the CLI ends those streams at their idle or absolute expiry timer.
    this.announceEnded({ kind: 'user', userId: user.id, reason: 'password-reset' });
    return { generatedPassword, endedSessions };
  }

  /** Ends the session behind this principal and clears its cookie. */
  logout(principal: Principal, cookie: Pick<SessionCookie, 'clear'> | null): void {
    if (principal.kind !== 'session') throw new InvalidInputError('Only a browser session can log out; revoke a token instead.');
    this.repo.deleteSession(principal.sessionId);
    cookie?.clear();
    this.logger.info('logout', { username: principal.username });
    this.announceEnded({ kind: 'session', sessionId: principal.sessionId, reason: 'logout' });
  }

  /** The principal behind a session cookie, or null when it is unknown, idle too long or past its absolute expiry. */
  authenticateSession(sessionToken: string): Principal | null {
    const id = sha256(sessionToken);
    const session = this.repo.findSession(id);
    if (!session) return null;
    const now = this.clock.now();
    if (sessionExpired(session, now, this.policy.idleMs)) {
      this.repo.deleteSession(id);
      return null;
    }
    const user = this.repo.findUserById(session.userId);
    if (!user) return null;
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) this.repo.touchSession(id, now);
    return sessionPrincipal(user, id);
  }

  /** The principal behind a bearer token, or null when it is unknown, revoked or expired. */
  authenticateToken(secret: string): Principal | null {
    if (!secret.startsWith(TOKEN_PREFIX)) return null;
    const row = this.repo.findApiTokenBySecretHash(sha256(secret));
    const now = this.clock.now();
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
    const user = this.repo.findUserById(row.createdBy);
    if (!user) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) this.repo.markApiTokenUsed(row.id, now);
    return {
      kind: 'token',
      userId: user.id,
      username: user.username,
      tokenId: row.id,
      scopes: scopesOfToken(row.scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s))),
    };
  }

  findUser(id: string): UserRow | undefined {
    return this.repo.findUserById(id);
  }

  createApiToken(principal: Principal, name: string, scopes: ApiScope[], expiresAt: Date | null): { token: ApiTokenRow; secret: string } {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw new InvalidInputError('Give the token a name of 1 to 100 characters.', 'name');
    const unsafe = unsafeCharacter(trimmed);
    if (unsafe) throw new InvalidInputError(`A token name must not contain control or direction characters (${unsafe}).`, 'name');
    if (scopes.length === 0) throw new InvalidInputError('Choose at least one scope.', 'scopes');
    const twice = firstDuplicate(scopes);
    if (twice) throw new InvalidInputError(`Scope ${twice} is listed twice; choose each scope once.`, 'scopes');
    const now = this.clock.now();
    if (expiresAt && expiresAt <= now) throw new InvalidInputError('The expiry date must be in the future.', 'expiresAt');
    const secret = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
    const token: ApiTokenRow = {
      id: this.newId(),
      name: trimmed,
      prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
      secretHash: sha256(secret),
      scopes,
      createdBy: principal.userId,
      createdAt: now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    };
    this.repo.insertApiToken(token);
    this.logger.info('api token created', { tokenId: token.id, name: token.name, scopes: token.scopes, by: principal.username });
    return { token, secret };
  }

  listApiTokens(): ApiTokenRow[] {
    return this.repo.listApiTokens();
  }

  revokeApiToken(principal: Principal, id: string): ApiTokenRow {
    const token = this.repo.revokeApiToken(id, this.clock.now());
    if (!token) throw new NotFoundError('API token', id);
    this.logger.info('api token revoked', { tokenId: id, by: principal.username });
    this.announceEnded({ kind: 'token', tokenId: id, reason: 'revoked' });
    return token;
  }

  /**
   * Announces the expiry of this principal's credential at the moment it happens, for as long as
   * something (an open stream) follows it; returns the function that stops following. A session
   * ends at its absolute expiry or after the idle timeout, which slides with requests and
   * operations but not with an open stream: a browser left open on a page is idle. When the timer
   * fires early because the session was used meanwhile, it is set again for the new end.
   */
  followCredential(principal: Principal): () => void {
    let timer: unknown = null;
    const check = () => {
      timer = null;
      const now = this.clock.now();
      const endsAt = this.credentialEndsAt(principal, now);
      if (endsAt === null) return;
      if (endsAt <= now) {
        if (principal.kind === 'session') {
          this.repo.deleteSession(principal.sessionId);
          this.announceEnded({ kind: 'session', sessionId: principal.sessionId, reason: 'expired' });
        } else {
          this.announceEnded({ kind: 'token', tokenId: principal.tokenId, reason: 'expired' });
        }
        return;
      }
      timer = this.clock.setTimeout(check, Math.min(endsAt.getTime() - now.getTime(), MAX_TIMER_MS));
    };
    check();
    return () => {
      if (timer !== null) this.clock.clearTimeout(timer);
      timer = null;
    };
  }

  /** Housekeeping, run periodically: forget expired sessions. */
  purgeExpiredSessions(): number {
    const now = this.clock.now();
    return this.repo.deleteExpiredSessions(now, new Date(now.getTime() - this.policy.idleMs));
  }

  /** When the credential ends (`now` or earlier: it has ended), or null for a token without expiry. */
  private credentialEndsAt(principal: Principal, now: Date): Date | null {
    if (principal.kind === 'session') {
      const session = this.repo.findSession(principal.sessionId);
      return session ? sessionEndsAt(session, this.policy.idleMs) : now;
    }
    const token = this.repo.findApiToken(principal.tokenId);
    if (!token || token.revokedAt) return now;
    return token.expiresAt;
  }

  /** Tells every open stream of this credential to end (`user`: every session of the user). */
  private announceEnded(ended: CredentialEnded): void {
    this.events.publish('credential/ended', ended);
  }

  /**
   * Counts the attempt against its pair, its address and its user in one transaction, before any
   * await: concurrent attempts cannot all pass a limit read before their checks. Refuses at once
   * when the pair or the address is locked; otherwise returns when the password check may start.
   */
  private reserveAttempt(keys: ThrottleKeys, username: string, address: string | null): Date {
    const { userAtAddress, address: addressPolicy, userPacing } = this.loginPolicy;
    const now = this.clock.now();
    // The seconds to wait when refused, or when the check may start.
    const outcome = this.repo.atomically((): number | Date => {
      const pair = this.repo.getThrottle(keys.userAtAddress);
      const byAddress = keys.address ? this.repo.getThrottle(keys.address) : null;
      const wait = Math.max(retryAfterSeconds(pair, now), retryAfterSeconds(byAddress, now));
      if (wait > 0) return wait;
      this.repo.putThrottle(keys.userAtAddress, recordFailure(pair, now, userAtAddress));
      if (keys.address) this.repo.putThrottle(keys.address, recordFailure(byAddress, now, addressPolicy));
      const paced = paceAttempt(this.repo.getThrottle(keys.user), now, userPacing, hasRecentFailures(pair, now, userAtAddress.windowMs));
      this.repo.putThrottle(keys.user, paced.state);
      return paced.startAt;
    });
    if (typeof outcome === 'number') {
      this.logger.warn('login refused: throttled', { username, address, retryAfterSeconds: outcome });
      throw new LoginThrottledError(outcome);
    }
    if (outcome > now) this.logger.warn('login delayed: many failures for this user', { username, address, startAt: outcome });
    return outcome;
  }

  /** Takes back an attempt counted by reserveAttempt that was not a failed guess. */
  private withdrawAttempt(keys: ThrottleKeys): void {
    this.repo.atomically(() => {
      this.updateThrottle(keys.userAtAddress, (s) => withdrawFailure(s, this.loginPolicy.userAtAddress));
      if (keys.address) this.updateThrottle(keys.address, (s) => withdrawFailure(s, this.loginPolicy.address));
      this.updateThrottle(keys.user, withdrawAttempt);
    });
  }

  /** A row that an unlock removed meanwhile stays removed. */
  private updateThrottle(key: string, change: (state: ThrottleState) => ThrottleState): void {
    const state = this.repo.getThrottle(key);
    if (state) this.repo.putThrottle(key, change(state));
  }

  /** The scrypt check in the bounded queue; an unknown user costs the same against the dummy hash. */
  private async checkPassword(user: UserRow | undefined, password: string, username: string, address: string | null): Promise<boolean> {
    const check = this.passwordChecks.tryRun(async () =>
      user ? this.hasher.verify(password, user.passwordHash) : (await this.hasher.verify(password, await this.getDummyHash()), false),
    );
    if (!check) {
      const retry = this.loginPolicy.passwordChecks.busyRetryAfterSeconds;
      this.logger.warn('login refused: too many password checks at once', { username, address, retryAfterSeconds: retry });
      throw new LoginThrottledError(retry, 'BUSY');
    }
    return check;
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(crypto.randomBytes(16).toString('hex')).catch((err: unknown) => {
      this.dummyHash = null;
      throw err;
    });
    return this.dummyHash;
  }
}

function sessionPrincipal(user: UserRow, sessionId: string): Principal {
  return { kind: 'session', userId: user.id, username: user.username, sessionId, scopes: SESSION_SCOPES };
}
