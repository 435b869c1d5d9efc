/** A maintenance window for tests with a clock that jumps: every day in UTC, an hour long, set through the API. */
import { expect } from 'vitest';
import type { HttpClient } from './graphql-clients.js';
import type { WarpClock } from './warp-clock.js';

const MINUTE = 60_000;

/** A daily window in UTC starting `aheadMs` from the clock's now (to the minute), an hour long; its start. */
export async function setDailyWindow(client: HttpClient, clock: WarpClock, aheadMs: number): Promise<Date> {
  const start = new Date(Math.floor((clock.clock.now().getTime() + aheadMs) / MINUTE) * MINUTE);
  const res = await client.query<{ setMaintenanceWindows: { __typename: string } }>(
    `mutation ($input: SetMaintenanceWindowsInput!) { setMaintenanceWindows(input: $input) { __typename } }`,
    {
      input: {
        timeZone: 'UTC',
        windows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: start.toISOString().slice(11, 16), lengthMinutes: 60 }],
      },
    },
  );
  expect(res.data!.setMaintenanceWindows.__typename).toBe('MaintenanceWindows');
  return start;
}
