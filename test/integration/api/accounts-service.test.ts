/**
 * AccountsService against a real SQLite file with the real migrations: a failed dummy password
 * hash is not kept (every later unknown-user login would fail), and login sets its own cookie.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/adapters/clock.js';
import { randomIds } from '../../../server/adapters/ids.js';
import { createLogger } from '../../../server/adapters/logger.js';
import { createScryptHasher, type PasswordHasher } from '../../../server/adapters/password-hasher.js';
import { type Db, openDatabase } from '../../../server/db/client.js';
import { InvalidCredentialsError, InvalidInputError } from '../../../server/domain/errors/index.js';
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

  const service = (hasher: PasswordHasher) =>
    new AccountsService(
      new AccountsRepository(db),
      hasher,
      systemClock,
      { idleMs: 3_600_000, absoluteMs: 86_400_000 },
      createLogger('debug', (line) => logLines.push(line)),
      randomIds,
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
  });
});
