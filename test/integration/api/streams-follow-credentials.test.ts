/**
 * Every open stream follows its credential, over WebSocket and over SSE with the same cases: a
 * stream ends at the moment its session logs out, its token is revoked or either expires (on a
 * clock that jumps ahead), while streams of other credentials go on; a query over a limit or past
 * a cap is refused by itself, the other subscriptions of the socket or credential going on. And no
 * credential is checked again while sockets sit open: nothing scans them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpClient } from '../../helpers/graphql-clients.js';
import {
  type OpenStream,
  refusalCodes,
  type StreamCarrier,
  type StreamCredential,
  TRANSPORTS,
  wsConnection,
} from '../../helpers/stream-clients.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { warpClock } from '../../helpers/warp-clock.js';

const SUBSCRIPTION = 'subscription { systemState { state version telephonyAvailable } }';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CAPS = { subscriptionsPerSocket: 3, streamsPerCredential: 4 };

const OVER_LIMITS = [
  { code: 'TOO_MANY_ALIASES', query: `subscription { systemState { ${Array.from({ length: 6 }, (_, i) => `a${i}: state`).join(' ')} } }` },
  { code: 'QUERY_TOO_DEEP', query: 'subscription { systemState { a { b { c { d { e } } } } } }' },
  { code: 'QUERY_TOO_COSTLY', query: `subscription { systemState { ${'state '.repeat(45)} } }` },
  { code: 'QUERY_TOO_LARGE', query: `subscription { systemState { ${'state '.repeat(250)} } }` },
];

describe('open streams follow their credential', () => {
  const warp = warpClock();
  let app: TestApp;
  const carriers: StreamCarrier[] = [];

  beforeAll(async () => {
    app = await startTestApp({
      env: { PATCHBAY_SESSION_IDLE_MINUTES: '30', PATCHBAY_SESSION_ABSOLUTE_HOURS: '1' },
      options: { clock: warp.clock, limits: { maxAliases: 5, maxDepth: 4, maxCost: 40, maxTokens: 200 }, streamCaps: CAPS },
    });
    await app.waitForState('RUNNING');
  });
  afterEach(async () => {
    await Promise.all(carriers.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => app.close());

  /** A new session: a fresh login, so that the clock's jumps of other cases do not touch it. */
  async function login(): Promise<{ client: HttpClient; credential: StreamCredential }> {
    const client = app.anonymous();
    await client.login('admin', ADMIN_PASSWORD);
    return { client, credential: { cookie: client.cookie! } };
  }

  async function newToken(expiresAt: Date | null = null): Promise<{ id: string; credential: StreamCredential }> {
    const { client } = await login();
    const res = await client.query<{ createApiToken: { secret: string; token: { id: string } } }>(
      `mutation ($e: DateTime) { createApiToken(name: "stream", scopes: [READ], expiresAt: $e) { ... on CreateApiTokenSuccess { secret token { id } } } }`,
      { e: expiresAt?.toISOString() ?? null },
    );
    return { id: res.data!.createApiToken.token.id, credential: { token: res.data!.createApiToken.secret } };
  }

  /** A state event on the bus, as the system service publishes at every change. */
  async function publishState(): Promise<void> {
    const { system, events } = app.patchbay.services;
    events.publish('system/state', await system.snapshot());
  }

  async function expectGoesOn(stream: OpenStream): Promise<void> {
    const before = stream.results.length;
    await publishState();
    await stream.received(before + 1);
    expect(stream.isEnded()).toBe(false);
  }

  async function endsWithin(stream: OpenStream, ms: number) {
    const started = Date.now();
    const ending = await Promise.race([stream.ended, new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);
    return { ending, ms: Date.now() - started };
  }

  describe.each(TRANSPORTS)('over $name', (transport) => {
    const carry = (credential: StreamCredential) => {
      const carrier = transport.connect(app.url, credential);
      carriers.push(carrier);
      return carrier;
    };
    const follow = async (credential: StreamCredential) => {
      const stream = await carry(credential).open(SUBSCRIPTION);
      await stream.received(1);
      expect(stream.results[0]!.errors).toBeUndefined();
      return stream;
    };

    it('ends the stream within a second of its session logging out; a stream of another session goes on', async () => {
      const { client, credential } = await login();
      const stream = await follow(credential);
      const other = await follow((await login()).credential);
      await client.query('mutation { logout { loggedOut } }');
      const { ending, ms } = await endsWithin(stream, 1000);
      expect(ending).toEqual(transport.endedWithCredential);
      expect(ms).toBeLessThan(1000);
      await expectGoesOn(other);
    });

    it('ends the stream when its token is revoked; a stream of another token goes on', async () => {
      const { client } = await login();
      const token = await newToken();
      const stream = await follow(token.credential);
      const other = await follow((await newToken()).credential);
      await client.query(`mutation { revokeApiToken(id: "${token.id}") { __typename } }`);
      expect((await endsWithin(stream, 1000)).ending).toEqual(transport.endedWithCredential);
      await expectGoesOn(other);
    });

    it('ends the stream of a token when it expires', async () => {
      const token = await newToken(new Date(warp.clock.now().getTime() + 2 * HOUR));
      const stream = await follow(token.credential);
      const other = await follow((await newToken()).credential);
      warp.warp(2 * HOUR - MINUTE);
      expect((await endsWithin(stream, 300)).ending).toBe('open');
      warp.warp(MINUTE);
      expect((await endsWithin(stream, 1000)).ending).toEqual(transport.endedWithCredential);
      await expectGoesOn(other);
    });

    it('ends the stream of a session left idle: the open stream alone is not use', async () => {
      const { credential } = await login();
      const stream = await follow(credential);
      const other = await follow((await newToken()).credential);
      warp.warp(29 * MINUTE);
      expect((await endsWithin(stream, 300)).ending).toBe('open');
      warp.warp(MINUTE);
      expect((await endsWithin(stream, 1000)).ending).toEqual(transport.endedWithCredential);
      await expectGoesOn(other);
    });

    it('ends the stream of a session at its absolute expiry, however much the session is used', async () => {
      const { client, credential } = await login();
      const stream = await follow(credential);
      for (let i = 0; i < 3; i++) {
        warp.warp(20 * MINUTE - 1000);
        expect((await client.query('{ me { username } }')).errors).toBeUndefined();
      }
      expect(stream.isEnded()).toBe(false);
      warp.warp(3000);
      expect((await endsWithin(stream, 1000)).ending).toEqual(transport.endedWithCredential);
    });

    it("ends every session stream of a user whose sessions all end (as a password reset announces); the user's token streams go on", async () => {
      const first = await login();
      const streams = [await follow(first.credential), await follow((await login()).credential)];
      const tokenStream = await follow((await newToken()).credential);
      const me = await first.client.query<{ me: { id: string } }>('{ me { id } }');
      app.patchbay.services.events.publish('credential/ended', { kind: 'user', userId: me.data!.me.id, reason: 'password-reset' });
      for (const stream of streams) expect((await endsWithin(stream, 1000)).ending).toEqual(transport.endedWithCredential);
      await expectGoesOn(tokenStream);
    });

    it.each(OVER_LIMITS)(
      'answers a subscription over a limit with $code alone; the other subscription goes on',
      async ({ code, query }) => {
        const carrier = carry((await newToken()).credential);
        const first = await carrier.open(SUBSCRIPTION);
        await first.received(1);
        const refused = await carrier.open(query);
        expect(refusalCodes(refused, await refused.ended)).toEqual([code]);
        await expectGoesOn(first);
        expect(carrier.isClosed()).toBe(false);
      },
    );

    it('refuses a subscription past the cap of its credential (WebSocket and SSE together) with TOO_MANY_STREAMS; the others go on', async () => {
      const { credential } = await newToken();
      const other = TRANSPORTS.find((t) => t !== transport)!.connect(app.url, credential);
      carriers.push(other);
      const open: OpenStream[] = [];
      for (let i = 0; i < CAPS.streamsPerCredential; i++) {
        const stream = await (i % 2 ? other : carry(credential)).open(SUBSCRIPTION);
        await stream.received(1);
        open.push(stream);
      }
      const refused = await carry(credential).open(SUBSCRIPTION);
      expect(refusalCodes(refused, await refused.ended)).toEqual(['TOO_MANY_STREAMS']);
      for (const stream of open) await expectGoesOn(stream);
      await follow((await newToken()).credential);
      // A stream that ends makes room for another (released as the server sees it end).
      await open[0]!.close();
      for (let attempt = 0; ; attempt++) {
        const again = await carry(credential).open(SUBSCRIPTION);
        await again.received(1);
        if (!again.results[0]!.errors) break;
        expect(attempt).toBeLessThan(20);
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });

  it('refuses a subscription past the cap of its WebSocket with TOO_MANY_SUBSCRIPTIONS; the socket and its subscriptions go on', async () => {
    const connection = wsConnection(app.url, (await newToken()).credential);
    try {
      const open = Array.from({ length: CAPS.subscriptionsPerSocket }, () => connection.subscribe(SUBSCRIPTION));
      for (const stream of open) await stream.received(1);
      const refused = connection.subscribe(SUBSCRIPTION);
      expect(await refused.ended).toEqual({ kind: 'failed', codes: ['TOO_MANY_SUBSCRIPTIONS'] });
      for (const stream of open) await expectGoesOn(stream);
    } finally {
      await connection.dispose();
    }
  });

  it('checks no credential again while sockets sit open: there is no periodic scan', { timeout: 40_000 }, async () => {
    const { accounts } = app.patchbay.services;
    const tokens = [];
    for (let i = 0; i < 50; i++) tokens.push(await newToken());
    const connections = tokens.flatMap(({ credential }) =>
      Array.from({ length: CAPS.streamsPerCredential }, () => wsConnection(app.url, credential)),
    );
    try {
      const streams = connections.map((c) => c.subscribe(SUBSCRIPTION));
      await Promise.all(streams.map((s) => s.received(1, 20_000)));
      expect(streams.every((s) => !s.results[0]!.errors && !s.isEnded())).toBe(true);
      let checks = 0;
      const { authenticateToken, authenticateSession } = accounts;
      accounts.authenticateToken = (secret) => (checks++, authenticateToken.call(accounts, secret));
      accounts.authenticateSession = (secret) => (checks++, authenticateSession.call(accounts, secret));
      try {
        // Longer than the 15 s the scan had between two rounds.
        await new Promise((r) => setTimeout(r, 16_000));
      } finally {
        accounts.authenticateToken = authenticateToken;
        accounts.authenticateSession = authenticateSession;
      }
      expect(checks).toBe(0);
    } finally {
      await Promise.all(connections.map((c) => c.dispose()));
    }
  });
});
