/**
 * `system.sipPort`: where the demo PBX of a real Patchbay answers SIP, as an admin (or a SIP
 * client in a benchmark) reads it from the API, and that it stays put across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipTestClient } from '../../helpers/sip-client.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

describe('system.sipPort', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    await app.waitForState('RUNNING');
  });
  afterAll(() => app.close());

  it('is the port the demo PBX answers SIP on, and the same after a restart of the appliance', async () => {
    const admin = await app.admin();
    const sipPort = (await admin.query<{ system: { sipPort: number | null } }>('{ system { sipPort } }')).data!.system.sipPort;
    expect(sipPort).toEqual(expect.any(Number));

    const client = await SipTestClient.open(sipPort!);
    try {
      await client.send(client.request('OPTIONS', { callId: 'api-options-1' }));
      await client.expect('api-options-1', 200);

      const restarted = await admin.query<{ restartAppliance: { sipPort: number | null } }>(
        'mutation { restartAppliance { ... on System { sipPort } } }',
      );
      expect(restarted.data!.restartAppliance.sipPort).toBe(sipPort);
      await client.send(client.request('OPTIONS', { callId: 'api-options-2' }));
      await client.expect('api-options-2', 200);
    } finally {
      await client.close();
    }
  });
});
