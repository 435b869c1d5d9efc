/**
 * Streams that end leave nothing behind: after many WebSockets (and SSE requests) with
 * subscriptions close, the bus has no subscriber more than before, and no credential is followed
 * any longer (the open-streams registry stops the accounts service's expiry timer of a session when
 * the last stream of it is gone, so the clock's pending timers show what the registry still holds).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../server/adapters/clock.js';
import { type OpenStream, type StreamCarrier, type StreamCredential, TRANSPORTS } from '../../helpers/stream-clients.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { until } from '../../helpers/until.js';

const SESSIONS = 4;
const STREAMS_PER_SESSION = 50;
const SUBSCRIPTIONS = ['subscription { systemState { state } }', 'subscription { systemState { state version } }'];

/** The system clock, counting the timers set through it that have neither fired nor been cleared. */
function countingClock(): { clock: Clock; pending: () => number } {
  const pending = new Set<unknown>();
  const clock: Clock = {
    now: () => systemClock.now(),
    setTimeout(fn, ms) {
      const handle = systemClock.setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      systemClock.clearTimeout(handle);
    },
  };
  return { clock, pending: () => pending.size };
}

describe('streams that end', () => {
  const counting = countingClock();
  let app: TestApp;
  const carriers: StreamCarrier[] = [];

  beforeAll(async () => {
    app = await startTestApp({
      options: { clock: counting.clock, streamCaps: { subscriptionsPerSocket: 20, streamsPerCredential: STREAMS_PER_SESSION * 2 } },
    });
    await app.waitForState('RUNNING');
  });
  afterEach(async () => {
    await Promise.all(carriers.splice(0).map((c) => c.dispose()));
  });
  afterAll(() => app.close());

  async function sessions(): Promise<StreamCredential[]> {
    return Promise.all(
      Array.from({ length: SESSIONS }, async () => {
        const client = app.anonymous();
        await client.login('admin', ADMIN_PASSWORD);
        return { cookie: client.cookie! };
      }),
    );
  }

  describe.each(TRANSPORTS)('over $name', (transport) => {
    it(`leave no bus subscriber and no followed credential behind when ${SESSIONS * STREAMS_PER_SESSION} carriers with two subscriptions each close`, async () => {
      const { events } = app.patchbay.services;
      const credentials = await sessions();
      const listenersBefore = events.listenerCount();
      const timersBefore = counting.pending();

      const streams: OpenStream[] = [];
      // A session's carriers at a time: a few hundred connection_init at once outwait graphql-ws's init timeout on a busy machine.
      for (const credential of credentials) {
        const opened: OpenStream[] = [];
        for (let i = 0; i < STREAMS_PER_SESSION; i++) {
          const carrier = transport.connect(app.url, credential);
          carriers.push(carrier);
          for (const query of SUBSCRIPTIONS) opened.push(await carrier.open(query));
        }
        await Promise.all(opened.map((s) => s.received(1, 20_000)));
        streams.push(...opened);
      }
      expect(events.listenerCount()).toBeGreaterThan(listenersBefore);
      // One expiry timer per followed session.
      expect(counting.pending()).toBe(timersBefore + SESSIONS);

      await Promise.all(carriers.splice(0).map((c) => c.dispose()));
      await Promise.all(streams.map((s) => s.ended));

      expect(
        await until(
          () => events.listenerCount(),
          (n) => n === listenersBefore,
        ),
      ).toBe(listenersBefore);
      expect(
        await until(
          () => counting.pending(),
          (n) => n === timersBefore,
        ),
      ).toBe(timersBefore);
    });
  });
});
