/**
 * `npm run bench:memory`: resident memory of the Patchbay process (not the demo appliance, a process
 * of its own) run as `npm start` runs it, against the same build with a 1 MiB young-generation semi-space:
 * after BENCH_IDLE_MS idle (default 30 s) following a restart; while BENCH_SUBSCRIBERS (default
 * 1000) graphql-ws clients follow a download's `updateProgress` (the peak of samples every 200 ms,
 * and at the end); and after they left and a full GC (asked through a preloaded SIGUSR2 handler).
 * The download is the demo release under a bandwidth cap, so that it lasts the whole phase. From
 * /proc/<pid>/status; the CPU time (/proc/<pid>/stat) of the following phase is the fan-out's cost
 * of each variant. A third variant runs npm start's command under glibc's MALLOC_ARENA_MAX=2. BENCH_ROUNDS (default 3) rounds, medians with min–max. Loopback only; every
 * client and process it starts is stopped at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Client } from 'graphql-ws';
import { HttpClient, wsClient } from '../helpers/graphql-clients.js';
import { npmStartArgs } from '../helpers/npm-start.js';
import { buildServer, cpuSeconds, rssMib } from './realtime-process.js';
import { figure } from './realtime-report.js';
import { preloadModule, spawnPatchbay, type SpawnedPatchbay } from './spawn-patchbay.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const FOLLOW_MS = Number(process.env.BENCH_FOLLOW_MS ?? 15_000);
/** Below the server's cap of streams per credential (50). */
const STREAMS_PER_TOKEN = 40;
const BATCH = 100;
const PASSWORD = 'memory bench password';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A full GC when asked, so that "after they left" is what stays, not what waits for the collector.
const PROBE = preloadModule(
  'gc-probe.mjs',
  "process.on('SIGUSR2', () => { globalThis.gc(); process.stderr.write(`BENCH-GC ${process.pid}\\n`); });\n",
);

/** npm start's own command line (package.json), so that the bench measures what it runs. */
const startArgs = npmStartArgs(ROOT);
const variants = {
  'npm start': { args: startArgs, env: {} },
  // Tried for npm start and dropped: it lowers idle memory but costs CPU and peak memory under a fan-out (README).
  'with a 1 MiB semi-space': { args: ['--max-semi-space-size=1', ...startArgs], env: {} },
  'npm start, MALLOC_ARENA_MAX=2': { args: startArgs, env: { MALLOC_ARENA_MAX: '2' } },
} as const;
type Variant = keyof typeof variants;

interface StartCommand {
  args: readonly string[];
  env: Readonly<Record<string, string>>;
}

const start = ({ args, env }: StartCommand, home: string) =>
  spawnPatchbay({
    args,
    home,
    env: { ...env, PATCHBAY_ADMIN_PASSWORD: PASSWORD, NODE_OPTIONS: `--expose-gc --import=${pathToFileURL(PROBE).href}` },
  });

async function fullGc(started: SpawnedPatchbay): Promise<void> {
  const pid = started.pid;
  const seen = started.output().split(`BENCH-GC ${pid}`).length;
  process.kill(pid, 'SIGUSR2');
  while (started.output().split(`BENCH-GC ${pid}`).length === seen) await sleep(20);
  await sleep(500);
}

async function gql<T>(client: HttpClient, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await client.query<T>(query, variables);
  if (!res.data) throw new Error(`${query}: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** A download of the newest installable demo release, slowed so that it outlasts the phase; returns its job id. */
async function slowDownload(admin: HttpClient): Promise<string> {
  await gql(admin, 'mutation { checkForUpdates { __typename } }');
  const { availableVersions } = await gql<{ availableVersions: { version: string; downloadSize: number; installable: boolean }[] }>(
    admin,
    '{ availableVersions { version downloadSize installable } }',
  );
  const target = availableVersions.find((v) => v.installable)!;
  const cap = Math.max(1024, Math.floor(target.downloadSize / ((IDLE_MS + FOLLOW_MS) / 1000 + 30)));
  await gql(admin, `mutation { setUpdateSettings(downloadBandwidthLimit: ${cap}) { __typename } }`);
  const { scheduleDownload } = await gql<{ scheduleDownload: { job?: { id: string } } }>(
    admin,
    `mutation ($input: ScheduleDownloadInput!) { scheduleDownload(input: $input) { __typename ... on ScheduleDownloadSuccess { job { id } } ... on Error { code message } } }`,
    { input: { version: target.version, modules: [], acknowledgeWarnings: true } },
  );
  if (!scheduleDownload.job) throw new Error(`scheduleDownload: ${JSON.stringify(scheduleDownload)}`);
  return scheduleDownload.job.id;
}

interface Round {
  idle: number;
  followingPeak: number;
  followingEnd: number;
  afterGc: number;
  /** CPU seconds of the Patchbay process while the subscribers followed. */
  followingCpu: number;
}

async function round(variant: StartCommand): Promise<Round> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-memory-'));
  const clients: Client[] = [];
  try {
    await (await start(variant, home)).stop();
    const patchbay = await start(variant, home);
    try {
      await sleep(IDLE_MS);
      const pid = patchbay.pid;
      const idle = rssMib(pid);
      const admin = new HttpClient(patchbay.url);
      await admin.login('admin', PASSWORD);
      const jobId = await slowDownload(admin);
      const tokens: string[] = [];
      for (let i = 0; i < Math.ceil(SUBSCRIBERS / STREAMS_PER_TOKEN); i++) {
        const { createApiToken } = await gql<{ createApiToken: { secret: string } }>(
          admin,
          `mutation { createApiToken(name: "bench ${i}", scopes: [READ]) { ... on CreateApiTokenSuccess { secret } } }`,
        );
        tokens.push(createApiToken.secret);
      }
      let firstEvents = 0;
      const subscribed: Promise<void>[] = [];
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const client = wsClient(patchbay.url, { connectionParams: { token: tokens[Math.floor(i / STREAMS_PER_TOKEN)] } });
        clients.push(client);
        let first = true;
        subscribed.push(
          new Promise((resolve, reject) =>
            client.subscribe(
              { query: `subscription { updateProgress(jobId: "${jobId}") { state bytesDone bytesTotal } }` },
              {
                next: () => {
                  if (!first) return;
                  first = false;
                  firstEvents += 1;
                  resolve();
                },
                error: reject,
                complete: () => resolve(),
              },
            ),
          ),
        );
        // In batches: a thousand connection_init at once outwait graphql-ws's 3 s init timeout on a busy machine.
        if (subscribed.length % BATCH === 0 || i === SUBSCRIBERS - 1) await Promise.all(subscribed.splice(0));
      }
      if (firstEvents < SUBSCRIBERS) throw new Error(`only ${firstEvents} of ${SUBSCRIBERS} subscribers got an event`);
      let followingPeak = 0;
      const cpuBefore = cpuSeconds(pid);
      for (let t = 0; t < FOLLOW_MS; t += 200) {
        followingPeak = Math.max(followingPeak, rssMib(pid));
        await sleep(200);
      }
      const followingEnd = rssMib(pid);
      const followingCpu = cpuSeconds(pid) - cpuBefore;
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await sleep(2000);
      await fullGc(patchbay);
      return { idle, followingPeak, followingEnd, afterGc: rssMib(pid), followingCpu };
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      await patchbay.stop();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

buildServer();

const results = Object.fromEntries(Object.keys(variants).map((v) => [v, [] as Round[]])) as Record<Variant, Round[]>;
for (let i = 0; i < ROUNDS; i++) {
  // Alternating, so that the machine's other load falls on both alike.
  for (const variant of Object.keys(variants) as Variant[]) {
    const r = await round(variants[variant]);
    results[variant].push(r);
    process.stderr.write(`${variant} #${i + 1}: ${JSON.stringify(r)}\n`);
  }
}
console.log(`\nmedians of ${ROUNDS} runs (min–max), RSS of the Patchbay process in MiB; npm start: node ${startArgs.join(' ')}`);
console.log(
  `| | ${Object.keys(variants).join(' | ')} |\n|---|${Object.keys(variants)
    .map(() => '---|')
    .join('')}`,
);
const row = (label: string, pick: (r: Round) => number, digits = 0) =>
  console.log(`| ${label} | ${(Object.keys(variants) as Variant[]).map((v) => figure(results[v].map(pick), digits)).join(' | ')} |`);
row(`idle, ${IDLE_MS / 1000} s after a restart`, (r) => r.idle);
row(`${SUBSCRIBERS} graphql-ws subscribers following a download, peak`, (r) => r.followingPeak);
row(`  at the end of ${FOLLOW_MS / 1000} s`, (r) => r.followingEnd);
row('after they left and a full GC', (r) => r.afterGc);
row(`CPU seconds of Patchbay while they followed (${FOLLOW_MS / 1000} s)`, (r) => r.followingCpu, 2);
fs.rmSync(path.dirname(PROBE), { recursive: true, force: true });
