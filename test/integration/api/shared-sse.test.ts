/**
 * The shared SSE chunk through a real Patchbay: 50 SSE followers of one job, on five tokens, get
 * each progress event from one execution and one serialization (counted on the diagnostics
 * channels), and each of them receives it whole.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../server/events.js';
import { SSE_CHUNKS_CHANNEL, type SseChunkEncoded } from '../../../server/http/shared-sse.js';
import { EXECUTIONS_CHANNEL } from '../../../server/http/shared-subscriptions.js';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { plannedModules } from '../../helpers/install-api.js';
import { type StreamCarrier, TRANSPORTS } from '../../helpers/stream-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const SSE = TRANSPORTS.find((t) => t.name === 'SSE')!;

describe('SSE followers of one job', () => {
  let app: TestApp;
  let admin: HttpClient;
  let jobId: string;
  const carriers: StreamCarrier[] = [];
  const encoded: SseChunkEncoded[] = [];
  const onEncoded = (message: unknown) => encoded.push(message as SseChunkEncoded);
  let executions = 0;
  const onExecuted = () => executions++;

  beforeAll(async () => {
    app = await startTestApp({ options: { streamCaps: { subscriptionsPerSocket: 20, streamsPerCredential: 200 } } });
    await app.waitForState('RUNNING');
    admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    const versions = await admin.query<{ availableVersions: { version: string; installable: boolean }[] }>(
      '{ availableVersions { version installable } }',
    );
    const version = versions.data!.availableVersions.find((v) => v.installable)!.version;
    // Planned for later: the job exists and stays SCHEDULED while the test publishes its progress.
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
  });
  afterAll(async () => {
    await Promise.all(carriers.map((c) => c.dispose()));
    await app?.close();
  });

  const publish = (bytesDone: number) => {
    const progress: ProgressEvent = {
      jobId,
      state: 'DOWNLOADING',
      step: null,
      bytesDone,
      bytesTotal: 1000,
      bytesPerSecond: 100,
      secondsLeft: null,
      message: null,
      detail: null,
    };
    app.patchbay.services.events.publish(`job/${jobId}`, { kind: 'progress', progress });
  };

  it('serializes each event once for 50 followers, and every follower receives it', async () => {
    const secrets = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const r = await admin.query<{ createApiToken: { secret: string } }>(
          'mutation { createApiToken(name: "sse", scopes: [READ]) { ... on CreateApiTokenSuccess { secret } } }',
        );
        return r.data!.createApiToken.secret;
      }),
    );
    const streams = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const carrier = SSE.connect(app.url, { token: secrets[i % 5]! });
        carriers.push(carrier);
        return carrier.open(`subscription { updateProgress(jobId: "${jobId}") { jobId bytesDone secondsLeft } }`);
      }),
    );
    await Promise.all(streams.map((s) => s.received(1)));

    subscribe(SSE_CHUNKS_CHANNEL, onEncoded);
    subscribe(EXECUTIONS_CHANNEL, onExecuted);
    try {
      for (const bytesDone of [100, 200, 300]) publish(bytesDone);
      await Promise.all(streams.map((s) => s.received(4)));
    } finally {
      unsubscribe(SSE_CHUNKS_CHANNEL, onEncoded);
      unsubscribe(EXECUTIONS_CHANNEL, onExecuted);
    }
    expect(executions).toBe(3);
    expect(encoded.map((e) => e.result.data)).toEqual(
      [100, 200, 300].map((bytesDone) => ({ updateProgress: { jobId, bytesDone, secondsLeft: null } })),
    );
    for (const stream of streams)
      expect(stream.results.slice(1).map((r) => r.data?.updateProgress)).toEqual(encoded.map((e) => e.result.data!.updateProgress));
  });
});
