import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, sseEvents, upgradeStatus, wsClient, wsUrl } from '../../helpers/graphql-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import fs from 'node:fs';
import path from 'node:path';

const SUBSCRIPTION = 'subscription { systemState { state version telephonyAvailable } }';
type Event = { systemState: { state: string; version: string; telephonyAvailable: boolean } };
const states = (events: Event[]) => events.map((e) => e.systemState.state);
const sawRestart = (events: Event[]) => {
  const s = states(events);
  const restarting = s.indexOf('RESTARTING');
  return restarting >= 0 && s.indexOf('RUNNING', restarting) > restarting;
};

describe('systemState subscription', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    await app.waitForState('RUNNING');
    token = await app.token(['OPERATE']);
  });
  afterAll(() => app.close());

  it('streams the stop and the restart of the appliance to a graphql-ws client with a token', async () => {
    const client = wsClient(app.url, { connectionParams: { authorization: `Bearer ${token}` } });
    try {
      const admin = await app.admin();
      const events = await collect<Event>(client, SUBSCRIPTION, sawRestart, {
        onStarted: () => void admin.query('mutation { restartAppliance { __typename } }'),
      });
      expect(states(events)[0]).toBe('RUNNING');
      expect(sawRestart(events)).toBe(true);
      expect(events.at(-1)!.systemState).toEqual({ state: 'RUNNING', version: '8.1.0', telephonyAvailable: true });
    } finally {
      await client.dispose();
    }
  });

  it('streams DEGRADED and the automatic recovery when the appliance process is killed', async () => {
    const client = wsClient(app.url, { connectionParams: { authorization: `Bearer ${token}` } });
    try {
      const recovered = (events: Event[]) => {
        const s = states(events);
        const degraded = s.indexOf('DEGRADED');
        return degraded >= 0 && s.indexOf('RUNNING', degraded) > degraded;
      };
      const events = await collect<Event>(client, SUBSCRIPTION, recovered, {
        onStarted: () => void process.kill(Number(fs.readFileSync(path.join(app.home, 'appliance', 'data', 'pbx.pid'), 'utf8')), 'SIGKILL'),
      });
      expect(recovered(events)).toBe(true);
      const admin = await app.admin();
      const now = await admin.query<{ system: { state: string } }>('{ system { state } }');
      expect(now.data?.system.state).toBe('RUNNING');
    } finally {
      await client.dispose();
    }
  });

  it('answers a restart that fails with ApplianceOperationError, and recovers by itself once fixed', async () => {
    const admin = await app.admin();
    const schemaFile = path.join(app.home, 'appliance', 'data', 'schema-version');
    // Data newer than the program: the demo PBX refuses to start, as after a botched downgrade.
    fs.writeFileSync(schemaFile, '7');
    const res = await admin.query<{ restartAppliance: { __typename: string; code: string; message: string; operation: string } }>(
      'mutation { restartAppliance { __typename ... on ApplianceOperationError { code message operation } } }',
    );
    expect(res.data!.restartAppliance).toMatchObject({
      __typename: 'ApplianceOperationError',
      code: 'APPLIANCE_OPERATION_FAILED',
      operation: 'restart',
    });
    expect(res.data!.restartAppliance.message).toMatch(/schema version 7 is newer/);
    expect(
      (await admin.query<{ system: { state: string; stateReason: string } }>('{ system { state stateReason } }')).data!.system.state,
    ).not.toBe('RUNNING');
    fs.writeFileSync(schemaFile, '1');
    await app.waitForState('RUNNING', 30_000);
  });

  it('accepts the session cookie from a page of the same origin', async () => {
    const admin = await app.admin();
    const client = wsClient(app.url, { headers: { cookie: admin.cookie!, origin: app.url } });
    try {
      const events = await collect<Event>(client, SUBSCRIPTION, (e) => e.length >= 1);
      expect(states(events)).toEqual(['RUNNING']);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a connection without credentials', async () => {
    const client = wsClient(app.url);
    try {
      await expect(collect<Event>(client, SUBSCRIPTION, (e) => e.length >= 1, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 4403 });
    } finally {
      await client.dispose();
    }
  });

  it('ignores a session cookie sent without an Origin (not a browser page)', async () => {
    const admin = await app.admin();
    const client = wsClient(app.url, { headers: { cookie: admin.cookie! } });
    try {
      await expect(collect<Event>(client, SUBSCRIPTION, (e) => e.length >= 1, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 4403 });
    } finally {
      await client.dispose();
    }
  });

  it('refuses the upgrade from a foreign origin, even with a valid cookie', async () => {
    const admin = await app.admin();
    expect(await upgradeStatus(wsUrl(app.url), { origin: 'https://evil.example', cookie: admin.cookie! })).toBe(403);
    expect(await upgradeStatus(wsUrl(app.url), { origin: app.url, cookie: admin.cookie! })).toBe(101);
  });

  it('streams the same events over SSE with a bearer token', async () => {
    const admin = await app.admin();
    const { status, events } = await sseEvents<{ data: Event }>(
      app.url,
      SUBSCRIPTION,
      { authorization: `Bearer ${token}` },
      (e) => sawRestart(e.map((x) => x.data)),
      { onStarted: () => void admin.query('mutation { restartAppliance { __typename } }') },
    );
    expect(status).toBe(200);
    expect(sawRestart(events.map((e) => e.data))).toBe(true);
  });
});
