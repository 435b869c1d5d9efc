/**
 * A describe's Patchbay on a published vendor feed, with the clock each test gives it: the feed is
 * published once for the describe; each test starts its app (on a fresh home, or on `home` when
 * the test sets one to restart on it); the hooks close and remove both.
 */
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { tmpDir } from './feed-fixtures.js';
import type { HttpClient } from './graphql-clients.js';
import { type InstallFeed, publishInstallFeed } from './install-feed.js';
import { startTestApp, type TestApp } from './test-app.js';
import type { WarpClock } from './warp-clock.js';

export interface FeedApp {
  readonly feed: InstallFeed;
  app: TestApp | null;
  /** Set by a test that restarts on the same home; removed after it. */
  home: string | null;
  /** Starts the app on the feed with `clock`, waits until the appliance runs, and logs the admin in. */
  start(clock: WarpClock): Promise<HttpClient>;
}

export function feedAppPerTest(name: string, content: Parameters<typeof publishInstallFeed>[1], env: Record<string, string>): FeedApp {
  let dir = '';
  let feed: InstallFeed | null = null;
  const ctx: FeedApp = {
    get feed() {
      return feed!;
    },
    app: null,
    home: null,
    async start(clock) {
      ctx.app = await startTestApp({
        env: { ...env, ...feed!.env },
        home: ctx.home ?? undefined,
        options: { clock: clock.clock, install: { healthCheckTimeoutMs: 10_000 } },
      });
      await ctx.app.waitForState('RUNNING');
      return ctx.app.admin();
    },
  };
  beforeAll(async () => {
    dir = tmpDir(name);
    feed = await publishInstallFeed(dir, content);
  });
  afterEach(async () => {
    await ctx.app?.close();
    ctx.app = null;
    if (ctx.home) fs.rmSync(ctx.home, { recursive: true, force: true });
    ctx.home = null;
  });
  afterAll(async () => {
    await feed?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return ctx;
}
