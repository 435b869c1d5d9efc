import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/adapters/logger.js';
import { systemClock } from '../../../server/adapters/clock.js';
import { databaseFile } from '../../../server/db/client.js';
import { createScryptHasher } from '../../../server/adapters/password-hasher.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../helpers/test-app.js';

const SYSTEM = '{ system { version state } }';

describe('accounts and access over HTTP', () => {
  let app: TestApp;
  const logLines: string[] = [];
  let clockOffsetMs = 0;

  beforeAll(async () => {
    app = await startTestApp({
      options: {
        // The login's own tests: the real scrypt cost, as an attacker meets it.
        hasher: createScryptHasher(),
        logger: createLogger('debug', (line) => logLines.push(line)),
        clock: { ...systemClock, now: () => new Date(Date.now() + clockOffsetMs) },
      },
    });
  });
  afterAll(() => app.close());

  it('refuses a query without credentials with UNAUTHENTICATED and no data', async () => {
    const res = await app.anonymous().query(SYSTEM);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers a logged-in admin with the installed version', async () => {
    const admin = await app.admin();
    const res = await admin.query<{ system: { version: string } }>(SYSTEM);
    expect(res.errors).toBeUndefined();
    expect(res.data?.system.version).toBe('8.1.0');
  });

  it('sets an HttpOnly, SameSite=Strict session cookie without Secure over plain HTTP', async () => {
    const client = app.anonymous();
    const res = await client.login('admin', ADMIN_PASSWORD);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('patchbay_session='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('rotates the session on login: the previous cookie stops working', async () => {
    const client = app.anonymous();
    await client.login('admin', ADMIN_PASSWORD);
    const first = client.cookie;
    await client.login('admin', ADMIN_PASSWORD);
    expect(client.cookie).not.toBe(first);
    const stale = app.anonymous();
    stale.cookie = first;
    expect((await stale.query(SYSTEM)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await client.query(SYSTEM)).errors).toBeUndefined();
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await app.anonymous().login('admin', 'not the password');
    const unknown = await app.anonymous().login('mallory', 'not the password');
    expect(wrong.data).toEqual({
      login: { __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS', message: expect.any(String) },
    });
    expect(unknown.data).toEqual(wrong.data);
  });

  it('rejects an empty user name as invalid input', async () => {
    const res = await app.anonymous().login('', 'x');
    expect(res.data).toMatchObject({ login: { __typename: 'InvalidInputError', code: 'INVALID_INPUT' } });
  });

  it('ends the session on logout and clears the cookie', async () => {
    const client = app.anonymous();
    await client.login('admin', ADMIN_PASSWORD);
    const cookie = client.cookie;
    const res = await client.query('mutation { logout { loggedOut } }');
    expect(res.data).toEqual({ logout: { loggedOut: true } });
    expect(res.headers.getSetCookie().some((c) => /patchbay_session=;.*Max-Age=0/.test(c))).toBe(true);
    const stale = app.anonymous();
    stale.cookie = cookie;
    expect((await stale.query(SYSTEM)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ends a session left idle longer than the idle timeout', async () => {
    const client = app.anonymous();
    await client.login('admin', ADMIN_PASSWORD);
    clockOffsetMs = 31 * 60_000;
    try {
      expect((await client.query(SYSTEM)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('refuses a request from a foreign origin before it reaches GraphQL', async () => {
    const admin = await app.admin();
    const foreign = app.anonymous();
    foreign.cookie = admin.cookie;
    foreign.origin = 'https://evil.example';
    const res = await foreign.query(SYSTEM);
    expect(res.status).toBe(403);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN_ORIGIN');
  });

  it('accepts a request from its own origin', async () => {
    const admin = await app.admin();
    admin.origin = app.url;
    try {
      expect((await admin.query(SYSTEM)).errors).toBeUndefined();
    } finally {
      admin.origin = null;
    }
  });

  describe('API tokens', () => {
    it('lets a read token read but not operate, and not manage tokens', async () => {
      const client = app.anonymous();
      client.bearer = await app.token(['READ']);
      expect((await client.query<{ system: { version: string } }>(SYSTEM)).data?.system.version).toBe('8.1.0');
      const restart = await client.query('mutation { restartAppliance { ... on System { state } } }');
      expect(restart.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const create = await client.query('mutation { createApiToken(name: "x", scopes: [READ]) { __typename } }');
      expect(create.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const me = await client.query<{ me: { authMethod: string; scopes: string[] } }>('{ me { authMethod scopes } }');
      expect(me.data?.me).toEqual({ authMethod: 'TOKEN', scopes: ['READ'] });
    });

    it('returns the secret once and stores only its hash', async () => {
      const secret = await app.token(['OPERATE']);
      const admin = await app.admin();
      const list = await admin.query<{ apiTokens: { prefix: string; scopes: string[] }[] }>('{ apiTokens { prefix scopes } }');
      expect(list.data?.apiTokens.some((t) => secret.startsWith(t.prefix))).toBe(true);
      expect(JSON.stringify(list)).not.toContain(secret);
      app.patchbay.db.$client.pragma('wal_checkpoint(TRUNCATE)');
      const bytes = fs.readFileSync(path.join(app.home, 'patchbay.db')).toString('latin1');
      expect(bytes).not.toContain(secret);
      expect(bytes).not.toContain(ADMIN_PASSWORD);
    });

    it('stops accepting a revoked token', async () => {
      const admin = await app.admin();
      const created = await admin.query<{ createApiToken: { secret: string; token: { id: string } } }>(
        'mutation { createApiToken(name: "ci", scopes: [READ]) { ... on CreateApiTokenSuccess { secret token { id } } } }',
      );
      const { secret, token } = created.data!.createApiToken;
      const client = app.anonymous();
      client.bearer = secret;
      expect((await client.query(SYSTEM)).errors).toBeUndefined();
      const revoked = await admin.query<{ revokeApiToken: { token: { revokedAt: string } } }>(
        `mutation { revokeApiToken(id: "${token.id}") { ... on RevokeApiTokenSuccess { token { revokedAt } } } }`,
      );
      expect(revoked.data?.revokeApiToken.token.revokedAt).toEqual(expect.any(String));
      expect((await client.query(SYSTEM)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('refuses a token expiry in the past as invalid input', async () => {
      const admin = await app.admin();
      const res = await admin.query(
        'mutation { createApiToken(name: "old", scopes: [READ], expiresAt: "2020-01-01T00:00:00Z") { __typename ... on InvalidInputError { code field } } }',
      );
      expect(res.data).toEqual({ createApiToken: { __typename: 'InvalidInputError', code: 'INVALID_INPUT', field: 'expiresAt' } });
    });

    it('refuses an expiry without a time zone', async () => {
      const admin = await app.admin();
      const res = await admin.query(
        'mutation { createApiToken(name: "tz", scopes: [READ], expiresAt: "2030-01-01T00:00:00") { __typename } }',
      );
      expect(res.errors?.[0]?.message).toMatch(/time zone/);
    });

    it('refuses an unknown token', async () => {
      const client = app.anonymous();
      client.bearer = 'pbt_not-a-real-token';
      expect((await client.query(SYSTEM)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  describe('malformed and abusive queries', () => {
    it('refuses a body over the size limit with 413, and one without a declared length with 411', async () => {
      const big = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ system { version } }', padding: 'x'.repeat(2 * 1024 * 1024) }),
      });
      expect(big.status).toBe(413);
      const chunked = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new Blob(['{"query":"{ system { version } }"}']).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(411);
    });

    it('answers a syntax error with GRAPHQL_PARSE_FAILED', async () => {
      const res = await (await app.admin()).query('{ system { version ');
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    });

    it('answers an unknown field with GRAPHQL_VALIDATION_FAILED and no suggestion', async () => {
      const res = await (await app.admin()).query('{ system { versio } }');
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors?.[0]?.message).not.toMatch(/Did you mean/);
    });

    it('refuses too many aliases', async () => {
      const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: system { version }`).join(' ');
      const res = await (await app.admin()).query(`{ ${aliases} }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('TOO_MANY_ALIASES');
    });
  });

  it('throttles a user name at an address after repeated failures there, even with the right password', async () => {
    for (let i = 0; i < 5; i++) await app.anonymous().login('admin', `wrong ${i}`);
    const res = await app.anonymous().login('admin', ADMIN_PASSWORD);
    expect(res.data).toMatchObject({
      login: { __typename: 'LoginThrottledError', code: 'LOGIN_THROTTLED', retryAfterSeconds: expect.any(Number) },
    });
    expect((res.data as { login: { retryAfterSeconds: number } }).login.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('masks an unexpected failure as INTERNAL_SERVER_ERROR and logs it', async () => {
    // The jobs are read from the database at each request: their table hidden by another connection
    // makes the read fail in a way no resolver expects.
    const other = new Database(databaseFile(app.home));
    other.exec('ALTER TABLE update_jobs RENAME TO update_jobs_hidden');
    try {
      const res = await (await app.admin()).query('{ updateJobs { id } }');
      expect(res.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(res)).not.toContain('update_jobs');
      expect(logLines.some((l) => l.includes('unexpected error in a resolver') && l.includes('no such table'))).toBe(true);
    } finally {
      other.exec('ALTER TABLE update_jobs_hidden RENAME TO update_jobs');
      other.close();
    }
  });

  it('never logs a password, a cookie or a token secret', async () => {
    const secret = await app.token(['READ']);
    const admin = await app.admin();
    const all = logLines.join('\n');
    expect(all).toContain('login failed');
    expect(all).not.toContain(ADMIN_PASSWORD);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(admin.cookie!.split('=')[1]!);
  });
});

describe('query limits', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ options: { limits: { maxDepth: 3, maxCost: 40 } } });
  });
  afterAll(() => app.close());

  it('refuses an over-deep query with QUERY_TOO_DEEP', async () => {
    const res = await (await app.admin()).query('{ system { ... on System { modules { id } } } }');
    expect((await (await app.admin()).query('{ system { version } }')).errors).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
    expect(res.data ?? null).toBeNull();
  });

  it('refuses an over-costly query with QUERY_TOO_COSTLY', async () => {
    const res = await (
      await app.admin()
    ).query(`{ ${Array.from({ length: 12 }, (_, i) => `a${i}: system { version productId }`).join(' ')} }`);
    expect(res.errors?.map((e) => e.extensions?.code)).toContain('QUERY_TOO_COSTLY');
  });
});
