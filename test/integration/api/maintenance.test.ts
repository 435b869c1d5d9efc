/**
 * Maintenance windows through the API of a real Patchbay (real SQLite) with a fake clock: the
 * appliance's zone by default, windows set and read back, the typed refusals, and the next
 * occurrences across the fall-back night in Europe/Berlin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/adapters/clock.js';
import { HttpClient } from '../../helpers/graphql-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const SETTING = 'timeZone windows { days start lengthMinutes } openUntil';
const SET = `mutation ($input: SetMaintenanceWindowsInput!) { setMaintenanceWindows(input: $input) {
  __typename ... on MaintenanceWindows { ${SETTING} } ... on MaintenanceWindowError { code field windowIndex value message } } }`;
const NEXT = `query ($first: Int) { nextMaintenanceWindows(first: $first) {
  __typename ... on NextMaintenanceWindows { timeZone occurrences { window start end localStart localEnd } } ... on InvalidInputError { code field } } }`;

type Window = { days: string[]; start: string; lengthMinutes: number };
type SetResult = { __typename: string; code?: string; field?: string; windowIndex?: number | null; value?: string; timeZone?: string };

describe('maintenance windows through the API', () => {
  let app: TestApp;
  let admin: HttpClient;
  // Saturday 24 October 2026, 14:00 in Berlin: the night after it the clocks go back.
  let now = new Date('2026-10-24T12:00:00Z');

  beforeAll(async () => {
    app = await startTestApp({
      // Sessions outlast the clock's jump into the fall-back night.
      env: { PATCHBAY_TIME_ZONE: 'America/New_York', PATCHBAY_SESSION_IDLE_MINUTES: '1440', PATCHBAY_SESSION_ABSOLUTE_HOURS: '48' },
      options: { clock: { ...systemClock, now: () => now } },
    });
    admin = await app.admin();
  });
  afterAll(() => app.close());

  const set = async (client: HttpClient, timeZone: string, windows: Window[]) =>
    (await client.query<{ setMaintenanceWindows: SetResult }>(SET, { input: { timeZone, windows } })).data!.setMaintenanceWindows;
  const read = async () =>
    (
      await admin.query<{ maintenanceWindows: { timeZone: string; windows: Window[]; openUntil: string | null } }>(
        `{ maintenanceWindows { ${SETTING} } }`,
      )
    ).data!.maintenanceWindows;

  it('starts with the appliance’s zone and no window', async () => {
    expect(await read()).toEqual({ timeZone: 'America/New_York', windows: [], openUntil: null });
    const next = await admin.query<{ nextMaintenanceWindows: unknown }>(NEXT, {});
    expect(next.data!.nextMaintenanceWindows).toEqual({
      __typename: 'NextMaintenanceWindows',
      timeZone: 'America/New_York',
      occurrences: [],
    });
  });

  it('stores the windows and gives them back with the zone’s canonical name', async () => {
    const windows = [
      { days: ['SUN'], start: '23:00', lengthMinutes: 120 },
      { days: ['SUN', 'SAT'], start: '02:30', lengthMinutes: 60 },
    ];
    expect(await set(admin, 'europe/berlin', windows)).toMatchObject({ __typename: 'MaintenanceWindows', timeZone: 'Europe/Berlin' });
    expect(await read()).toEqual({
      timeZone: 'Europe/Berlin',
      windows: [windows[0], { days: ['SAT', 'SUN'], start: '02:30', lengthMinutes: 60 }],
      openUntil: null,
    });
  });

  it('gives the next three occurrences as instants and local times, the fall-back night once', async () => {
    const res = await admin.query<{ nextMaintenanceWindows: unknown }>(NEXT, {});
    expect(res.data!.nextMaintenanceWindows).toEqual({
      __typename: 'NextMaintenanceWindows',
      timeZone: 'Europe/Berlin',
      occurrences: [
        {
          window: 1,
          start: '2026-10-25T00:30:00.000Z',
          end: '2026-10-25T02:30:00.000Z',
          localStart: '2026-10-25T02:30:00+02:00',
          localEnd: '2026-10-25T03:30:00+01:00',
        },
        {
          window: 0,
          start: '2026-10-25T22:00:00.000Z',
          end: '2026-10-26T00:00:00.000Z',
          localStart: '2026-10-25T23:00:00+01:00',
          localEnd: '2026-10-26T01:00:00+01:00',
        },
        {
          window: 1,
          start: '2026-10-31T01:30:00.000Z',
          end: '2026-10-31T02:30:00.000Z',
          localStart: '2026-10-31T02:30:00+01:00',
          localEnd: '2026-10-31T03:30:00+01:00',
        },
      ],
    });
  });

  it('says until when the window that is open now lasts, in the repeated hour too', async () => {
    now = new Date('2026-10-25T01:15:00Z'); // 02:15 the second time, after the clocks went back
    try {
      expect((await read()).openUntil).toBe('2026-10-25T02:30:00.000Z');
      const res = await admin.query<{ nextMaintenanceWindows: { occurrences: { localStart: string }[] } }>(NEXT, { first: 1 });
      expect(res.data!.nextMaintenanceWindows.occurrences.map((o) => o.localStart)).toEqual(['2026-10-25T02:30:00+02:00']);
    } finally {
      now = new Date('2026-10-24T12:00:00Z');
    }
  });

  it.each([
    ['an unknown zone', 'Mars/Olympus', [], { code: 'UNKNOWN_TIME_ZONE', field: 'timeZone', windowIndex: null, value: 'Mars/Olympus' }],
    [
      'a start of 25:00',
      'Europe/Berlin',
      [
        { days: ['MON'], start: '02:00', lengthMinutes: 60 },
        { days: ['TUE'], start: '25:00', lengthMinutes: 60 },
      ],
      { code: 'INVALID_START_TIME', field: 'windows[1].start', windowIndex: 1, value: '25:00' },
    ],
    [
      'a zero length',
      'Europe/Berlin',
      [{ days: ['MON'], start: '02:00', lengthMinutes: 0 }],
      { code: 'INVALID_LENGTH', field: 'windows[0].lengthMinutes', windowIndex: 0, value: '0' },
    ],
    [
      'an empty day set',
      'Europe/Berlin',
      [{ days: [], start: '02:00', lengthMinutes: 60 }],
      { code: 'NO_DAYS', field: 'windows[0].days', windowIndex: 0, value: '' },
    ],
  ])('refuses %s with a typed error and keeps what was set', async (_name, timeZone, windows, refusal) => {
    const before = await read();
    expect(await set(admin, timeZone, windows as Window[])).toMatchObject({ __typename: 'MaintenanceWindowError', ...refusal });
    expect(await read()).toEqual(before);
  });

  it.each([0, 51])('refuses to list %i occurrences', async (first) => {
    const res = await admin.query<{ nextMaintenanceWindows: unknown }>(NEXT, { first });
    expect(res.data!.nextMaintenanceWindows).toEqual({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', field: 'first' });
  });

  it('lets a read token see the windows but only an operate token change them', async () => {
    const reader = new HttpClient(app.url);
    reader.bearer = await app.token(['READ']);
    expect((await reader.query(`{ maintenanceWindows { timeZone } }`)).data).toEqual({ maintenanceWindows: { timeZone: 'Europe/Berlin' } });
    const refused = await reader.query(SET, { input: { timeZone: 'UTC', windows: [] } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const operator = new HttpClient(app.url);
    operator.bearer = await app.token(['READ', 'OPERATE']);
    expect(await set(operator, 'UTC', [])).toMatchObject({ __typename: 'MaintenanceWindows', timeZone: 'UTC' });
  });
});
