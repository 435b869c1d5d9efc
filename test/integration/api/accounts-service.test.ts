/**
 * AccountsService against a real SQLite file with the real migrations: a failed dummy password
 * hash is not kept (every later unknown-user login would fail), login sets its own cookie, login
 * throttling counts before the hash and never locks out an address that has not failed, the local
 * way back in (unlock, password reset), and the end of a credential (logout, revocation, expiry on
 * a manual clock) is announced on the event bus.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clock, systemClock } from '../../../server/adapters/clock.js';
import { randomIds } from '../../../server/adapters/ids.js';
import { createLogger } from '../../../server/adapters/logger.js';
import { createScryptHasher, type PasswordHasher } from '../../../server/adapters/password-hasher.js';
import { type Db, openDatabase } from '../../../server/db/client.js';
import { LOGIN_POLICY, type LoginPolicy } from '../../../server/domain/auth.js';
import { InvalidCredentialsError, InvalidInputError, LoginThrottledError, NotFoundError } from '../../../server/domain/errors/index.js';
import { type CredentialEnded, createEventBus, type EventBus } from '../../../server/events.js';
import { AccountsRepository } from '../../../server/repositories/accounts.repository.js';
import { AccountsService, type SessionCookie } from '../../../server/services/accounts.service.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

const PASSWORD = 'correct horse battery staple';
const client = { address: '127.0.0.1', userAgent: 'test' };
const from = (address: string) => ({ address, userAgent: 'test' });
const cheap = createScryptHasher({ logN: 4, r: 8, p: 1 });

/** A cookie jar for one request. */
function cookieJar(current: string | null = null): SessionCookie & { value: string | null } {
  return {
    current,
    value: current,
    set(token) {
      this.value = token;
    },
    clear() {
      this.value = null;
    },
  };
}

/** A clock that moves only when told to, firing the timers that fall due on the way. */
function manualClock(start = new Date('2026-12-01T12:00:00Z')) {
  let now = start.getTime();
  let nextHandle = 1;
  const timers = new Map<number, { due: number; fn: () => void }>();
  const clock: Clock = {
    now: () => new Date(now),
    setTimeout: (fn, ms) => (timers.set(nextHandle, { due: now + ms, fn }), nextHandle++),
    clearTimeout: (handle) => void timers.delete(handle as number),
  };
  const advance = (ms: number) => {
    const target = now + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.due <= target).sort(([, a], [, b]) => a.due - b.due)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].due;
      due[1].fn();
    }
    now = target;
  };
  return { clock, advance, pending: () => timers.size };
}

/** What the bus carries on `credential/ended`, read the way the open-streams registry reads it. */
function announcements(bus: EventBus) {
  const seen: CredentialEnded[] = [];
  const iterator = bus.subscribe('credential/ended')[Symbol.asyncIterator]();
  void (async () => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(next.value);
  })();
  return {
    async read(): Promise<CredentialEnded[]> {
      await new Promise((resolve) => setImmediate(resolve));
      return seen;
    },
    stop: () => iterator.return?.(),
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('AccountsService', () => {
  let dir: string;
  let db: Db;
  let logLines: string[];
  let bus: EventBus;
  let ended: ReturnType<typeof announcements>;

  beforeEach(() => {
    dir = tmpDir('accounts');
    db = openDatabase(path.join(dir, 'patchbay.db'));
    logLines = [];
    bus = createEventBus();
    ended = announcements(bus);
  });
  afterEach(async () => {
    await ended.stop();
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const service = (hasher: PasswordHasher, { policy = LOGIN_POLICY, clock = systemClock }: { policy?: LoginPolicy; clock?: Clock } = {}) =>
    new AccountsService(
      new AccountsRepository(db),
      hasher,
      clock,
      { idleMs: HOUR, absoluteMs: 24 * HOUR },
      createLogger('debug', (line) => logLines.push(line)),
      randomIds,
      bus,
      policy,
    );

  /** The service (cheap hasher) with user admin and its password. */
  const withAdmin = async () => {
    const sut = service(cheap);
    await sut.ensureAdmin(PASSWORD);
    return sut;
  };

  /** The outcome of a login as its error code, or 'OK'. */
  const attempt = (p: Promise<unknown>) =>
    p.then(
      () => 'OK',
      (err: unknown) => {
        if (err instanceof InvalidCredentialsError || err instanceof LoginThrottledError) return err.code;
        throw err;
      },
    );

  describe('login of an unknown user', () => {
    it('tries the dummy hash again after it failed once, and says "invalid credentials", not an error', async () => {
      let calls = 0;
      const flaky: PasswordHasher = {
        hash: async (password) => {
          calls += 1;
          if (calls === 1) throw new Error('scrypt: memory limit exceeded');
          return cheap.hash(password);
        },
        verify: (password, encoded) => cheap.verify(password, encoded),
      };
      const sut = service(flaky);
      // The first hash, made at start-up off the request path, is the dummy one: it fails.
      await sut.ensureAdmin(PASSWORD);
      await expect(sut.login('mallory', 'guess', client, cookieJar())).rejects.toBeInstanceOf(InvalidCredentialsError);
      await expect(sut.login('mallory', 'guess', client, cookieJar())).rejects.toBeInstanceOf(InvalidCredentialsError);
      // Start-up, the admin, the retried dummy: the retry is kept, not made at every login.
      expect(calls).toBe(3);
      const logged = logLines.map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(logged).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringMatching(/dummy password hash failed/) }));
    });
  });

  describe('login', () => {
    it('sets the new session cookie and returns its principal; the previous session ends', async () => {
      const sut = await withAdmin();
      const first = cookieJar();
      await sut.login('admin', PASSWORD, client, first);
      const second = cookieJar(first.value);
      const outcome = await sut.login('admin', PASSWORD, client, second);
      expect(second.value).not.toBe(first.value);
      expect(outcome.principal).toEqual(sut.authenticateSession(second.value!));
      expect(outcome.principal).toMatchObject({ kind: 'session', username: 'admin' });
      expect(sut.authenticateSession(first.value!)).toBeNull();
    });

    it('announces the end of the session it replaces', async () => {
      const sut = service(cheap);
      await sut.ensureAdmin(PASSWORD);
      const first = cookieJar();
      const { principal } = await sut.login('admin', PASSWORD, client, first);
      await sut.login('admin', PASSWORD, client, cookieJar(first.value));
      expect(await ended.read()).toEqual([
        { kind: 'session', sessionId: (principal as { sessionId: string }).sessionId, reason: 'replaced' },
      ]);
    });

    it('refuses a login without a cookie to set (over a WebSocket)', async () => {
      const sut = await withAdmin();
      await expect(sut.login('admin', PASSWORD, client, null)).rejects.toBeInstanceOf(InvalidInputError);
    });
  });

  describe('logout', () => {
    it('ends the session and clears its cookie', async () => {
      const sut = await withAdmin();
      const jar = cookieJar();
      const { principal } = await sut.login('admin', PASSWORD, client, jar);
      const token = jar.value!;
      sut.logout(principal, jar);
      expect(jar.value).toBeNull();
      expect(sut.authenticateSession(token)).toBeNull();
    });

    it('announces the end of the session', async () => {
      const sut = service(cheap);
      await sut.ensureAdmin(PASSWORD);
      const { principal } = await sut.login('admin', PASSWORD, client, cookieJar());
      sut.logout(principal, null);
      expect(await ended.read()).toEqual([
        { kind: 'session', sessionId: (principal as { sessionId: string }).sessionId, reason: 'logout' },
      ]);
    });
  });

  describe('revokeApiToken', () => {
    it('announces the end of the token', async () => {
      const sut = service(cheap);
      await sut.ensureAdmin(PASSWORD);
      const { principal } = await sut.login('admin', PASSWORD, client, cookieJar());
      const { token } = sut.createApiToken(principal, 'ci', ['read'], null);
      sut.revokeApiToken(principal, token.id);
      expect(await ended.read()).toEqual([{ kind: 'token', tokenId: token.id, reason: 'revoked' }]);
    });
  });

  describe('followCredential', () => {
    const loggedIn = async (clock: Clock) => {
      const sut = service(cheap, { clock });
      await sut.ensureAdmin(PASSWORD);
      const jar = cookieJar();
      const { principal } = await sut.login('admin', PASSWORD, client, jar);
      return { sut, principal, secret: jar.value!, sessionId: (principal as { sessionId: string }).sessionId };
    };

    it('announces the end of a session left idle for the idle timeout, and deletes it', async () => {
      const { clock, advance } = manualClock();
      const { sut, principal, secret, sessionId } = await loggedIn(clock);
      sut.followCredential(principal);
      advance(HOUR - 1);
      expect(await ended.read()).toEqual([]);
      advance(1);
      expect(await ended.read()).toEqual([{ kind: 'session', sessionId, reason: 'expired' }]);
      expect(sut.authenticateSession(secret)).toBeNull();
    });

    it('moves the idle end when the session is used meanwhile: an open stream alone is not use', async () => {
      const { clock, advance } = manualClock();
      const { sut, principal, secret, sessionId } = await loggedIn(clock);
      sut.followCredential(principal);
      advance(40 * MINUTE);
      expect(sut.authenticateSession(secret)).not.toBeNull();
      advance(40 * MINUTE);
      expect(await ended.read()).toEqual([]);
      advance(20 * MINUTE);
      expect(await ended.read()).toEqual([{ kind: 'session', sessionId, reason: 'expired' }]);
    });

    it('announces the end of a session at its absolute expiry, however often it is used', async () => {
      const { clock, advance } = manualClock();
      const { sut, principal, secret, sessionId } = await loggedIn(clock);
      sut.followCredential(principal);
      for (let halfHours = 1; halfHours < 48; halfHours++) {
        advance(30 * MINUTE);
        expect(sut.authenticateSession(secret)).not.toBeNull();
      }
      expect(await ended.read()).toEqual([]);
      advance(30 * MINUTE);
      expect(await ended.read()).toEqual([{ kind: 'session', sessionId, reason: 'expired' }]);
    });

    it("announces a token's expiry at its expiresAt; a token without one keeps no timer", async () => {
      const { clock, advance, pending } = manualClock();
      const { sut, principal } = await loggedIn(clock);
      const expiring = sut.createApiToken(principal, 'expiring', ['read'], new Date(clock.now().getTime() + 90 * 24 * HOUR));
      const lasting = sut.createApiToken(principal, 'lasting', ['read'], null);
      const before = pending();
      sut.followCredential(sut.authenticateToken(lasting.secret)!);
      expect(pending()).toBe(before);
      sut.followCredential(sut.authenticateToken(expiring.secret)!);
      // 90 days is past the longest timer a platform takes: it is set again on the way.
      advance(90 * 24 * HOUR - 1);
      expect(await ended.read()).toEqual([]);
      advance(1);
      expect(await ended.read()).toEqual([{ kind: 'token', tokenId: expiring.token.id, reason: 'expired' }]);
    });

    it('announces at once a credential that has already ended', async () => {
      const { clock } = manualClock();
      const { sut, principal, sessionId } = await loggedIn(clock);
      sut.logout(principal, null);
      sut.followCredential(principal);
      expect(await ended.read()).toEqual([
        { kind: 'session', sessionId, reason: 'logout' },
        { kind: 'session', sessionId, reason: 'expired' },
      ]);
    });

    it('stops its timer when told to', async () => {
      const { clock, advance, pending } = manualClock();
      const { sut, principal } = await loggedIn(clock);
      const before = pending();
      const stop = sut.followCredential(principal);
      expect(pending()).toBe(before + 1);
      stop();
      expect(pending()).toBe(before);
      advance(25 * HOUR);
      expect(await ended.read()).toEqual([]);
    });
  });

  describe('login throttling', () => {
    it('counts concurrent attempts before their check: of 12 at once from one address, 5 are checked', async () => {
      let verified = 0;
      const counting: PasswordHasher = { hash: (p) => cheap.hash(p), verify: (p, e) => ((verified += 1), cheap.verify(p, e)) };
      const sut = service(counting);
      await sut.ensureAdmin(PASSWORD);
      const outcomes = await Promise.all(
        Array.from({ length: 12 }, (_, i) => attempt(sut.login('admin', `wrong ${i}`, client, cookieJar()))),
      );
      expect(verified).toBe(LOGIN_POLICY.userAtAddress.maxFailures);
      expect(outcomes.filter((o) => o === 'INVALID_CREDENTIALS')).toHaveLength(5);
      expect(outcomes.filter((o) => o === 'LOGIN_THROTTLED')).toHaveLength(7);
    });

    it('lets the right password in from an address that has not failed while the failing one is locked', async () => {
      const sut = await withAdmin();
      for (let i = 0; i < 5; i++) await attempt(sut.login('admin', `wrong ${i}`, from('10.0.0.66'), cookieJar()));
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.66'), cookieJar()))).toBe('LOGIN_THROTTLED');
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.5'), cookieJar()))).toBe('OK');
    });

    it('locks an address that tries many user names, for every user name', async () => {
      const sut = await withAdmin();
      for (let i = 0; i < LOGIN_POLICY.address.maxFailures; i++)
        await attempt(sut.login(`user${i}`, 'guess', from('10.0.0.66'), cookieJar()));
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.66'), cookieJar()))).toBe('LOGIN_THROTTLED');
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.5'), cookieJar()))).toBe('OK');
    });

    it('forgives the failures of the address that logs in, not those of other addresses', async () => {
      const sut = await withAdmin();
      for (let i = 0; i < 4; i++) await attempt(sut.login('admin', 'wrong', from('10.0.0.5'), cookieJar()));
      for (let i = 0; i < 4; i++) await attempt(sut.login('admin', 'wrong', from('10.0.0.66'), cookieJar()));
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.5'), cookieJar()))).toBe('OK');
      // 10.0.0.5 starts afresh; 10.0.0.66 has one failure left before its lock.
      for (let i = 0; i < 4; i++)
        expect(await attempt(sut.login('admin', 'wrong', from('10.0.0.5'), cookieJar()))).toBe('INVALID_CREDENTIALS');
      expect(await attempt(sut.login('admin', 'wrong', from('10.0.0.66'), cookieJar()))).toBe('INVALID_CREDENTIALS');
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.66'), cookieJar()))).toBe('LOGIN_THROTTLED');
    });

    it('refuses at once when the password checks are all taken, and does not count that as a failure', async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const slow: PasswordHasher = { hash: (p) => cheap.hash(p), verify: async (p, e) => (await held, cheap.verify(p, e)) };
      const sut = service(slow, {
        policy: { ...LOGIN_POLICY, passwordChecks: { maxRunning: 1, maxWaiting: 1, busyRetryAfterSeconds: 3 } },
      });
      await sut.ensureAdmin(PASSWORD);
      const checked = [
        sut.login('admin', 'wrong', from('10.0.0.1'), cookieJar()),
        sut.login('admin', 'wrong', from('10.0.0.2'), cookieJar()),
      ];
      const refused = await sut.login('admin', PASSWORD, from('10.0.0.3'), cookieJar()).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(LoginThrottledError);
      expect(refused).toMatchObject({ retryAfterSeconds: 3, reason: 'BUSY' });
      release();
      expect(await Promise.all(checked.map(attempt))).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);
      // The refused attempt was never checked: its address has all its tries left.
      for (let i = 0; i < 4; i++)
        expect(await attempt(sut.login('admin', 'wrong', from('10.0.0.3'), cookieJar()))).toBe('INVALID_CREDENTIALS');
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.3'), cookieJar()))).toBe('OK');
    });

    it('spaces out the attempts on a user failing from many addresses, but not one from an address that has not failed', async () => {
      const delays: number[] = [];
      const clock: Clock = { ...systemClock, setTimeout: (fn, ms) => (delays.push(ms), systemClock.setTimeout(fn, 0)) };
      const policy: LoginPolicy = {
        ...LOGIN_POLICY,
        userPacing: { freeFailures: 3, windowMs: 60_000, baseDelayMs: 10_000, maxDelayMs: 40_000 },
      };
      const sut = service(cheap, { policy, clock });
      await sut.ensureAdmin(PASSWORD);
      for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) await attempt(sut.login('admin', 'wrong', from(address), cookieJar()));
      expect(delays).toEqual([]);
      // Past the free failures, an address that has failed waits for the user's next slot…
      await attempt(sut.login('admin', 'wrong', from('10.0.0.1'), cookieJar()));
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.2'), cookieJar()))).toBe('OK');
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThan(9_000);
      // …and one that has not failed logs in without waiting.
      expect(await attempt(sut.login('admin', PASSWORD, from('10.0.0.9'), cookieJar()))).toBe('OK');
      expect(delays).toHaveLength(1);
    });
  });

  describe('unlockLogins', () => {
    const lockedOut = async (pairs: string[]) => {
      const sut = await withAdmin();
      for (const pair of pairs) {
        const [username, address] = pair.split('@') as [string, string];
        for (let i = 0; i < 5; i++) await attempt(sut.login(username, `wrong ${i}`, from(address), cookieJar()));
      }
      return sut;
    };

    it.each([
      { clears: 'every lock without a filter', locked: ['admin@10.0.0.1', 'admin@10.0.0.2'], filter: {}, after: ['OK', 'OK'] },
      {
        clears: 'the lock of one address and leaves the others',
        locked: ['admin@10.0.0.1', 'admin@10.0.0.2'],
        filter: { address: '10.0.0.1' },
        after: ['OK', 'LOGIN_THROTTLED'],
      },
      {
        clears: 'the locks of one user name at every address and leaves other names',
        locked: ['admin@10.0.0.1', 'mallory@10.0.0.2'],
        filter: { username: 'Admin' },
        after: ['OK', 'LOGIN_THROTTLED'],
      },
    ])('clears $clears', async ({ locked, filter, after }) => {
      const sut = await lockedOut(locked);
      sut.unlockLogins(filter);
      const outcomes: string[] = [];
      for (const pair of locked) {
        const [username, address] = pair.split('@') as [string, string];
        outcomes.push(await attempt(sut.login(username, username === 'admin' ? PASSWORD : 'guess', from(address), cookieJar())));
      }
      expect(outcomes).toEqual(after);
    });

    it('says how many throttle rows it cleared', async () => {
      const sut = await lockedOut(['admin@10.0.0.1', 'admin@10.0.0.2']);
      // Two pairs, two addresses, the user's spacing.
      expect(sut.unlockLogins({})).toBe(5);
      expect(sut.unlockLogins({})).toBe(0);
    });
  });

  describe('resetPassword', () => {
    it('sets a generated password, ends every session of the user, and the old password stops working', async () => {
      const sut = await withAdmin();
      const jar = cookieJar();
      await sut.login('admin', PASSWORD, client, jar);
      const { generatedPassword, endedSessions } = await sut.resetPassword('admin', null);
      expect(endedSessions).toBe(1);
      expect(sut.authenticateSession(jar.value!)).toBeNull();
      expect(generatedPassword).toMatch(/^[\w-]{20}$/);
      expect(await attempt(sut.login('admin', PASSWORD, client, cookieJar()))).toBe('INVALID_CREDENTIALS');
      expect(await attempt(sut.login('admin', generatedPassword!, client, cookieJar()))).toBe('OK');
    });

    it('sets a given password', async () => {
      const sut = await withAdmin();
      expect(await sut.resetPassword('admin', 'a new long passphrase')).toEqual({ generatedPassword: null, endedSessions: 0 });
      expect(await attempt(sut.login('admin', 'a new long passphrase', client, cookieJar()))).toBe('OK');
    });

    it('refuses a password shorter than 12 characters and an unknown user', async () => {
      const sut = await withAdmin();
      await expect(sut.resetPassword('admin', 'short')).rejects.toBeInstanceOf(InvalidInputError);
      await expect(sut.resetPassword('mallory', null)).rejects.toBeInstanceOf(NotFoundError);
      expect(await attempt(sut.login('admin', PASSWORD, client, cookieJar()))).toBe('OK');
    });
  });
});
