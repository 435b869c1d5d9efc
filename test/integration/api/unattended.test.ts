/**
 * The unattended policy's setting through the API of a real Patchbay (real SQLite): off by default,
 * the typed refusal of turning it on without a maintenance window (nothing stored), an unknown kind,
 * and who may read and change it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../helpers/graphql-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const READ = '{ unattendedPolicy { enabled kind lastOutcome { message } } }';
const SET = `mutation ($input: SetUnattendedPolicyInput!) { setUnattendedPolicy(input: $input) {
  __typename ... on UnattendedPolicy { enabled kind } ... on Error { code message } } }`;

describe('the unattended policy through the API', () => {
  let app: TestApp;
  let admin: HttpClient;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.admin();
  });
  afterAll(() => app.close());

  const set = async (client: HttpClient, enabled: boolean, kind: string) =>
    (await client.query<{ setUnattendedPolicy: Record<string, unknown> }>(SET, { input: { enabled, kind } })).data?.setUnattendedPolicy;
  const read = async () => (await admin.query<{ unattendedPolicy: unknown }>(READ)).data!.unattendedPolicy;

  it('is off by default, with nothing done yet', async () => {
    expect(await read()).toEqual({ enabled: false, kind: 'PATCH', lastOutcome: null });
  });

  it('refuses to be turned on without a maintenance window, and stores nothing', async () => {
    expect(await set(admin, true, 'ANY')).toEqual({
      __typename: 'NoMaintenanceWindowError',
      code: 'NO_MAINTENANCE_WINDOW',
      message: 'No maintenance window is set: set one first, or install now or at a chosen time.',
    });
    expect(await read()).toEqual({ enabled: false, kind: 'PATCH', lastOutcome: null });
  });

  it('may choose its kind while off, and be turned on once a window is set', async () => {
    expect(await set(admin, false, 'ANY')).toEqual({ __typename: 'UnattendedPolicy', enabled: false, kind: 'ANY' });
    const windows = await admin.query<{ setMaintenanceWindows: { __typename: string } }>(
      `mutation { setMaintenanceWindows(input: { timeZone: "UTC", windows: [{ days: [SUN], start: "02:00", lengthMinutes: 120 }] }) { __typename } }`,
    );
    expect(windows.data!.setMaintenanceWindows.__typename).toBe('MaintenanceWindows');
    expect(await set(admin, true, 'PATCH')).toEqual({ __typename: 'UnattendedPolicy', enabled: true, kind: 'PATCH' });
    expect(await read()).toEqual({ enabled: true, kind: 'PATCH', lastOutcome: null });
  });

  it('refuses a kind it does not know before anything runs', async () => {
    const res = await admin.query(SET, { input: { enabled: true, kind: 'MAJOR' } });
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.message).toMatch(/MAJOR/);
  });

  it('lets a read token see it but only an operate token change it; nobody without a credential', async () => {
    expect((await app.anonymous().query(READ)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const reader = new HttpClient(app.url);
    reader.bearer = await app.token(['READ']);
    expect((await reader.query(READ)).data).toEqual({ unattendedPolicy: { enabled: true, kind: 'PATCH', lastOutcome: null } });
    expect((await reader.query(SET, { input: { enabled: false, kind: 'PATCH' } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const operator = new HttpClient(app.url);
    operator.bearer = await app.token(['READ', 'OPERATE']);
    expect(await set(operator, false, 'PATCH')).toEqual({ __typename: 'UnattendedPolicy', enabled: false, kind: 'PATCH' });
  });
});
