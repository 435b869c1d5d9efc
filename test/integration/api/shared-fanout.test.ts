/**
 * The shared fan-out through a real Patchbay, over WebSocket and SSE together: followers of one job
 * with the same operation and authorization class get identical payloads from one execution per
 * event (counted on the diagnostics channel), while each subscriber's credential is still its own:
 * a subscriber without a credential is refused, one whose token is revoked gets nothing more and
 * the others go on. Over SSE, each shared result is serialized and encoded once for all responses. Different variables or scope sets are executed apart.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../server/events.js';
import { SSE_CHUNKS_CHANNEL, type SseChunkEncoded } from '../../../server/http/shared-sse.js';
import { EXECUTIONS_CHANNEL, type EventExecuted } from '../../../server/http/shared-subscriptions.js';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { plannedModules } from '../../helpers/install-api.js';
import { type OpenStream, type StreamCarrier, type StreamCredential, TRANSPORTS } from '../../helpers/stream-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const FIELDS = 'jobId state step bytesDone bytesTotal bytesPerSecond secondsLeft message';
const progressOf = (id: string) => `subscription { updateProgress(jobId: "${id}") { ${FIELDS} } }`;
const [WS, SSE] = TRANSPORTS as [(typeof TRANSPORTS)[0], (typeof TRANSPORTS)[1]];

describe('the shared fan-out of one job to its followers', () => {
  let app: TestApp;
  let admin: HttpClient;
  let jobId: string;
  const carriers: StreamCarrier[] = [];
  /** Executions of source events, by payload object. */
  const executions = new Map<unknown, string[]>();
  const count = (message: unknown) => {
    const { key, payload } = message as EventExecuted;
    executions.set(payload, [...(executions.get(payload) ?? []), key]);
  };

  beforeAll(async () => {
    app = await startTestApp({ options: { streamCaps: { subscriptionsPerSocket: 20, streamsPerCredential: 200 } } });
    await app.waitForState('RUNNING');
    admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    const versions = await admin.query<{ availableVersions: { version: string; installable: boolean }[] }>(
      '{ availableVersions { version installable } }',
    );
    const version = versions.data!.availableVersions.find((v) => v.installable)!.version;
    // A download planned for later: the job exists and stays SCHEDULED while the test publishes its progress.
    const res = await admin.query<{ scheduleDownload: { job: { id: string } } }>(
      `mutation ($input: ScheduleDownloadInput!) { scheduleDownload(input: $input) { ... on ScheduleDownloadSuccess { job { id } } } }`,
      {
        input: {
          version,
          modules: await plannedModules(admin, version),
          startAt: new Date(Date.now() + 3_600_000).toISOString(),
          acknowledgeWarnings: true,
        },
      },
    );
    jobId = res.data!.scheduleDownload.job.id;
    subscribe(EXECUTIONS_CHANNEL, count);
  });
  afterEach(async () => {
    await Promise.all(carriers.splice(0).map((c) => c.dispose()));
    executions.clear();
  });
  afterAll(async () => {
    unsubscribe(EXECUTIONS_CHANNEL, count);
    await app?.close();
  });

  /** A new API token of the admin: its secret as a stream credential, and its id. */
  async function newToken(scopes: ('READ' | 'OPERATE')[]): Promise<{ id: string; credential: StreamCredential }> {
    const res = await admin.query<{ createApiToken: { secret: string; token: { id: string } } }>(
      `mutation ($s: [ApiScope!]!) { createApiToken(name: "fan-out", scopes: $s) { ... on CreateApiTokenSuccess { secret token { id } } } }`,
      { s: scopes },
    );
    return { id: res.data!.createApiToken.token.id, credential: { token: res.data!.createApiToken.secret } };
  }
  const token = async (scopes: ('READ' | 'OPERATE')[]) => (await newToken(scopes)).credential;

  /** `count` subscribers over the transport, each on its own carrier, every one past its first (current) result. */
  async function follow(
    transport: (typeof TRANSPORTS)[number],
    credential: StreamCredential,
    query: string,
    n = 1,
    variables?: Record<string, unknown>,
  ) {
    const streams = await Promise.all(
      Array.from({ length: n }, () => {
        const carrier = transport.connect(app.url, credential);
        carriers.push(carrier);
        return carrier.open(query, variables);
      }),
    );
    await Promise.all(streams.map((s) => s.received(1)));
    return streams;
  }

  /** A live progress event of the job, as the download runner publishes it; returns the payload executed. */
  function publish(bytesDone: number): ProgressEvent {
    const progress: ProgressEvent = {
      jobId,
      state: 'DOWNLOADING',
      step: null,
      bytesDone,
      bytesTotal: 1000,
      bytesPerSecond: 100,
      secondsLeft: Math.ceil((1000 - bytesDone) / 100),
      message: null,
      detail: null,
    };
    app.patchbay.services.events.publish(`job/${jobId}`, { kind: 'progress', progress });
    return progress;
  }

  const receivedAll = (streams: OpenStream[], n: number) => Promise.all(streams.map((s) => s.received(n)));

  it('gives 50 followers over WebSocket and SSE identical payloads from one execution per event', async () => {
    const credentials = await Promise.all(Array.from({ length: 5 }, () => token(['READ'])));
    const streams = (
      await Promise.all(credentials.flatMap((c) => [follow(WS, c, progressOf(jobId), 5), follow(SSE, c, progressOf(jobId), 5)]))
    ).flat();
    expect(streams).toHaveLength(50);
    const published = [publish(100), publish(200), publish(300)];
    await receivedAll(streams, 4);
    const expected = published.map((p) => ({ data: { updateProgress: { ...p, detail: undefined } } }));
    for (const stream of streams) expect(stream.results.slice(1)).toEqual(expected.map((e) => JSON.parse(JSON.stringify(e))));
    for (const payload of published) expect(executions.get(payload)).toHaveLength(1);
  });

  it('encodes each event once for 50 SSE followers: one serialization, spliced into every response', async () => {
    const credentials = await Promise.all(Array.from({ length: 5 }, () => token(['READ'])));
    const streams = (await Promise.all(credentials.map((c) => follow(SSE, c, progressOf(jobId), 10)))).flat();
    expect(streams).toHaveLength(50);
    const encoded: SseChunkEncoded[] = [];
    const onEncoded = (message: unknown) => encoded.push(message as SseChunkEncoded);
    subscribe(SSE_CHUNKS_CHANNEL, onEncoded);
    try {
      const published = [publish(100), publish(200), publish(300)];
      await receivedAll(streams, 4);
      for (const payload of published) expect(executions.get(payload)).toHaveLength(1);
    } finally {
      unsubscribe(SSE_CHUNKS_CHANNEL, onEncoded);
    }
    expect(encoded.map((e) => (e.result.data!.updateProgress as ProgressEvent).bytesDone)).toEqual([100, 200, 300]);
    for (const stream of streams) expect(stream.results.slice(1)).toEqual(encoded.map((e) => JSON.parse(JSON.stringify(e.result))));
  });

  it('refuses a follower without a credential and ends a follower whose token is revoked; the others go on', async () => {
    const { id: revokedId, credential: revoked } = await newToken(['READ']);
    const kept = await token(['READ']);
    const ending = [...(await follow(WS, revoked, progressOf(jobId), 3)), ...(await follow(SSE, revoked, progressOf(jobId), 3))];
    const going = [...(await follow(WS, kept, progressOf(jobId), 3)), ...(await follow(SSE, kept, progressOf(jobId), 3))];
    const [anonymous] = await follow(SSE, { cookie: 'patchbay_session=none' }, progressOf(jobId));
    expect(anonymous!.results[0]!.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await anonymous!.ended;

    publish(100);
    await receivedAll([...ending, ...going], 2);
    await admin.query(`mutation { revokeApiToken(id: "${revokedId}") { __typename } }`);
    await Promise.all(ending.map((s) => s.ended));

    const after = publish(200);
    await receivedAll(going, 3);
    for (const stream of ending) expect(stream.results).toHaveLength(2);
    for (const stream of going) expect(stream.results[2]!.data).toEqual({ updateProgress: expect.objectContaining({ bytesDone: 200 }) });
    expect(anonymous!.results).toHaveLength(1);
    expect(executions.get(after)).toHaveLength(1);
  });

  it('executes apart for different variables and for different scope sets, each once per event', async () => {
    const query = `subscription ($id: ID!, $withStep: Boolean!) { updateProgress(jobId: $id) { bytesDone step @include(if: $withStep) } }`;
    const read = await token(['READ']);
    const both = async (credential: StreamCredential, q: string, variables?: Record<string, unknown>) => [
      ...(await follow(WS, credential, q, 2, variables)),
      ...(await follow(SSE, credential, q, 2, variables)),
    ];
    const withVariables = await both(read, query, { id: jobId, withStep: true });
    const without = await both(read, query, { id: jobId, withStep: false });
    const operate = await both(await token(['OPERATE']), progressOf(jobId));
    const readers = await both(read, progressOf(jobId));
    const payload = publish(500);
    await receivedAll([...withVariables, ...without, ...operate, ...readers], 2);
    for (const s of withVariables) expect(s.results[1]!.data).toEqual({ updateProgress: { bytesDone: 500, step: null } });
    for (const s of without) expect(s.results[1]!.data).toEqual({ updateProgress: { bytesDone: 500 } });
    for (const s of [...operate, ...readers]) expect(s.results[1]).toEqual(readers[0]!.results[1]);
    const keys = executions.get(payload)!;
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
  });
});
