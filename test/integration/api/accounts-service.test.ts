/**
 * AccountsService against a real SQLite file with the real migrations: a failed dummy password
 * hash is not kept (every later unknown-user login would fail), login sets its own cookie, and the
 * end of a credential (logout, revocation, expiry on a manual clock) is announced on the event bus.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clock, systemClock } from '../../../server/adapters/clock.js';
import { randomIds } from '../../../server/adapters/ids.js';
import { createLogger } from '../../../server/adapters/logger.js';
import { createScryptHasher, type PasswordHasher } from '../../../server/adapters/password-hasher.js';
import { type Db, openDatabase } from '../../../server/db/client.js';
import { InvalidCredentialsError, InvalidInputError } from '../../../server/domain/errors/index.js';
import { type CredentialEnded, createEventBus, type EventBus } from '../../../server/events.js';
import { AccountsRepository } from '../../../server/repositories/accounts.repository.js';
import { AccountsService, type SessionCookie } from '../../../server/services/accounts.service.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

const PASSWORD = 'correct horse battery staple';
const client = { address: '127.0.0.1', userAgent: 'test' };
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

  const service = (hasher: PasswordHasher, clock: Clock = systemClock) =>
    new AccountsService(
      new AccountsRepository(db),
      hasher,
      clock,
      { idleMs: HOUR, absoluteMs: 24 * HOUR },
      createLogger('debug', (line) => logLines.push(line)),
      randomIds,
      bus,
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
      const sut = service(cheap);
      await sut.ensureAdmin(PASSWORD);
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
      const sut = service(cheap);
      await sut.ensureAdmin(PASSWORD);
      await expect(sut.login('admin', PASSWORD, client, null)).rejects.toBeInstanceOf(InvalidInputError);
    });
  });

  describe('logout', () => {
    it('ends the session and clears its cookie', async () => {
      const sut = service(cheap);
      await sut.ensureAdmin(PASSWORD);
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
      const sut = service(cheap, clock);
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
});
