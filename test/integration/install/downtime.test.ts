/**
 * Unavailable windows that no installation caused: a crash of the appliance and its automatic
 * restart is recorded as an UNPLANNED window with its cause, and closes when it runs again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

type Window = { cause: string; kind: string; seconds: number; endedAt: string | null; jobId: string | null };

describe('downtime windows', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await app.waitForState('RUNNING');
  });
  afterAll(() => app.close());

  it('records a crash of the appliance as an unplanned window, closed once it runs again', async () => {
    const admin = await app.admin();
    const pid = Number(fs.readFileSync(path.join(app.home, 'appliance', 'data', 'pbx.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await app.waitForState('DEGRADED', 5000);
    await app.waitForState('RUNNING', 20_000);
    const windows = (await admin.query<{ downtimeWindows: Window[] }>('{ downtimeWindows { cause kind seconds endedAt jobId } }')).data!
      .downtimeWindows;
    expect(windows[0]).toMatchObject({ kind: 'UNPLANNED', cause: 'The appliance killed by SIGKILL.', jobId: null });
    expect(windows[0]!.endedAt).not.toBeNull();
    expect(windows[0]!.seconds).toBeGreaterThan(0);
    // The start with Patchbay is a window too (the demo appliance starts with it).
    expect(windows.at(-1)).toMatchObject({ kind: 'UNPLANNED', cause: 'starting the appliance' });
  });
});
