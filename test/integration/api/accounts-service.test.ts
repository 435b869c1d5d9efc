/**
 * AccountsService against a real SQLite file with the real migrations: a failed dummy password
 * hash is not kept (every later unknown-user login would fail), login sets its own cookie, login
 * throttling counts before the hash and never locks out an address that has not failed, and the
 * local way back in (unlock, password reset).
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

describe('AccountsService', () => {
  let dir: string;
  let db: Db;
  let logLines: string[];

  beforeEach(() => {
    dir = tmpDir('accounts');
    db = openDatabase(path.join(dir, 'patchbay.db'));
    logLines = [];
  });
  afterEach(() => {
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const service = (hasher: PasswordHasher, { policy = LOGIN_POLICY, clock = systemClock }: { policy?: LoginPolicy; clock?: Clock } = {}) =>
    new AccountsService(
      new AccountsRepository(db),
      hasher,
      clock,
      { idleMs: 3_600_000, absoluteMs: 86_400_000 },
      createLogger('debug', (line) => logLines.push(line)),
      randomIds,
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
