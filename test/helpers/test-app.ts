/**
 * Starts a real Patchbay on port 0 with a temporary PATCHBAY_HOME: real SQLite file and migrations,
 * the real demo appliance as a child process, the real HTTP/WebSocket server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/adapters/logger.js';
import { startPatchbay, type Patchbay, type PatchbayOptions } from '../../server/main.js';
import { copyDemoVendorTemplate } from './demo-vendor-template.js';
import { fastHasher } from './fast-hasher.js';
import { HttpClient } from './graphql-clients.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  patchbay: Patchbay;
  url: string;
  home: string;
  /** A client logged in as admin (one password verification per app). */
  admin(): Promise<HttpClient>;
  anonymous(): HttpClient;
  /** Creates an API token through the API and returns its secret. */
  token(scopes: ('READ' | 'OPERATE')[]): Promise<string>;
  waitForState(state: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApp({
  env = {},
  options = {},
  home,
}: { env?: Record<string, string>; options?: PatchbayOptions; home?: string } = {}): Promise<TestApp> {
  const dir = home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-test-'));
  const config = loadConfig({
    PORT: '0',
    PATCHBAY_HOME: dir,
    PATCHBAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    PATCHBAY_DEMO_CALL_INTERVAL_MS: '0',
    ...env,
  });
  // The embedded demo vendor of this run, built once, instead of a new one per home.
  if (!config.feed) copyDemoVendorTemplate(dir);
  const patchbay = await startPatchbay(config, {
    logger: silentLogger,
    webDist: null,
    scheduledChecks: false,
    networkTimeoutMs: 2000,
    // Real scrypt at a tiny cost; a test of the login itself passes `createScryptHasher()`.
    hasher: fastHasher,
    ...options,
  });
  const url = patchbay.app.url;
  let adminClient: HttpClient | null = null;
  const app: TestApp = {
    patchbay,
    url,
    home: dir,
    async admin() {
      if (adminClient) return adminClient;
      const client = new HttpClient(url);
      const res = await client.login('admin', ADMIN_PASSWORD);
      if ((res.data as { login?: { __typename: string } } | null)?.login?.__typename !== 'LoginSuccess')
        throw new Error(`login failed: ${JSON.stringify(res)}`);
      adminClient = client;
      return client;
    },
    anonymous: () => new HttpClient(url),
    async token(scopes) {
      const admin = await app.admin();
      const res = await admin.query<{ createApiToken: { secret: string } }>(
        `mutation ($s: [ApiScope!]!) { createApiToken(name: "test", scopes: $s) { ... on CreateApiTokenSuccess { secret } } }`,
        { s: scopes },
      );
      return res.data!.createApiToken.secret;
    },
    async waitForState(state, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (patchbay.supervisor.getState().state === state) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`appliance did not reach ${state} within ${timeoutMs} ms (now ${patchbay.supervisor.getState().state})`);
    },
    async close() {
      await patchbay.stop();
      if (!home) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return app;
}
