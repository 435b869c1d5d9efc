/**
 * `npm run bench:realtime` (`-- --quick` for short phases while developing): a real Patchbay from
 * the build (`node server/start.mjs`, as `npm start`, its own PATCHBAY_HOME) on a signed feed whose
 * 8.2.0 is a large release sent at a capped rate, so that a download runs through each phase that
 * needs one (each such phase starts its own and cancels it at its end). From outside, in one run:
 * - memory: VmRSS of the Patchbay process (not the demo appliance) idle, its peak with 1000
 *   subscribers, and after they left and a forced GC (`--expose-gc`, asked through the probe);
 * - event-loop delay (test/bench/loop-probe.mjs, preloaded): 1000 idle authenticated graphql-ws
 *   connections, idle and during a download, and in every other phase;
 * - fan-out: 100/500/1000 graphql-ws subscribers and 100 SSE subscribers to one job's
 *   `updateProgress`, and the raw `ws` baseline (a child process) broadcasting a message of the
 *   same size at the same rate to as many clients: arrival spread per event (last − first), loss
 *   (every subscriber must get every event, keyed by its bytes done), and the server's CPU per
 *   delivered message (/proc utime+stime over the window ÷ messages delivered in it);
 * - queries: `availableVersions`, `system`, `moduleUpdates`, `licenceStatus` at a steady, evenly
 *   paced rate (test/bench/paced-load.ts: open loop, latency from each request's due time), idle and
 *   during a download, against a raw `node:http` server (a child process) sending the same answer
 *   under the same load; and each one's peak throughput with autocannon (closed loop, no rate limit).
 * Loopback only; every process it starts is stopped and its files removed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type WebSocket from 'ws';
import { DEFAULT_STREAM_CAPS } from '../../server/http/open-streams.js';
import { HttpClient, wsUrl } from '../helpers/graphql-clients.js';
import { prepareForInstall } from '../helpers/install-feed.js';
import {
  ArrivalLog,
  closeAll,
  graphqlWsConnection,
  openMany,
  rawConnection,
  sseSubscription,
  subscribe,
  type FanOutFigures,
} from './realtime-clients.js';
import { pacedLoad, peakLoad, type Latency, type LoadTarget } from './paced-load.js';
import { publishCappedFeed } from './realtime-feed.js';
import {
  buildServer,
  cpuSeconds,
  rssMib,
  startPatchbay,
  startRawHttpServer,
  startRawWsServer,
  type LoopDelay,
  type RunningPatchbay,
} from './realtime-process.js';
import { figure, goal, median, table } from './realtime-report.js';

const QUICK = process.argv.includes('--quick');
const setting = (name: string, full: number, quick: number) => Number(process.env[name] ?? (QUICK ? quick : full));
const LOOP_S = setting('BENCH_LOOP_S', 60, 5);
const QUERY_S = setting('BENCH_QUERY_S', 60, 3);
const WINDOW_S = setting('BENCH_WINDOW_S', 15, 4);
const ROUNDS = setting('BENCH_ROUNDS', 3, 1);
const RATE = setting('BENCH_QUERY_RATE', 200, 200);
const PEAK_S = setting('BENCH_PEAK_S', 10, 3);
const WARM_S = setting('BENCH_WARM_S', 5, 2);
const CAP_MIBPS = setting('BENCH_CAP_MIBPS', 2.5, 2.5);
const MIB = 1024 * 1024;
/** Long enough for the longest phase that needs a download, with room for its set-up. */
const RELEASE_MIB = Number(process.env.BENCH_RELEASE_MIB ?? Math.ceil(CAP_MIBPS * (Math.max(LOOP_S, QUERY_S, WINDOW_S) + 60)));
const SIZES = [100, 500, 1000];
const SSE_SUBSCRIBERS = 100;
const IDLE_SOCKETS = 1000;
/** Patchbay's cap on the subscriptions of one credential (DEFAULT_STREAM_CAPS.streamsPerCredential). */
const STREAMS_PER_TOKEN = DEFAULT_STREAM_CAPS.streamsPerCredential;
const ADMIN_PASSWORD = 'bench realtime password';
const PROGRESS = 'subscription ($id: ID!) { updateProgress(jobId: $id) { state bytesDone bytesTotal bytesPerSecond secondsLeft } }';
const QUERIES: Record<string, string> = {
  availableVersions:
    '{ availableVersions(locale: "de") { version releasedAt installable requiredStops blockers { code message } releaseNotes } }',
  system: '{ system { productId version systemId state modules { id version } } }',
  moduleUpdates:
    '{ moduleUpdates(targetVersion: "8.2.0") { ... on ModulePlan { modules { moduleId installedVersion targetVersion selected warnings { code message } } } } }',
  licenceStatus: '{ licenceStatus { systemId maxMajor licensedModules updateContract { active daysLeft } warnings { code message } } }',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Download {
  id: string;
  cancel(): Promise<void>;
}

/** Schedules 8.2.0 now and returns once its bytes flow. */
async function startDownload(client: HttpClient): Promise<Download> {
  const res = await client.query<{ scheduleDownload: { __typename: string; job?: { id: string } } }>(
    `mutation { scheduleDownload(input: { version: "8.2.0", acknowledgeWarnings: true, modules: [{ moduleId: "callcenter", version: "3.1.0" }] }) { __typename ... on ScheduleDownloadSuccess { job { id } } ... on Error { code message } } }`,
  );
  const id = res.data?.scheduleDownload.job?.id;
  if (!id) throw new Error(`scheduleDownload: ${JSON.stringify(res)}`);
  const job = async () =>
    (await client.query<{ updateJob: { state: string; bytesDone: number } }>(`{ updateJob(id: "${id}") { state bytesDone } }`)).data!
      .updateJob;
  for (let j = await job(); !(j.state === 'DOWNLOADING' && j.bytesDone > 0); j = await job()) {
    if (!['SCHEDULED', 'DOWNLOADING'].includes(j.state)) throw new Error(`download ${id} is ${j.state}`);
    await sleep(100);
  }
  return {
    id,
    async cancel() {
      const now = await job();
      if (now.state !== 'DOWNLOADING')
        throw new Error(`download ${id} is ${now.state} (${now.bytesDone} bytes) before its phase ended: raise BENCH_RELEASE_MIB`);
      const done = await client.query<{ cancelJob: { __typename: string } }>(`mutation { cancelJob(id: "${id}") { __typename } }`);
      if (done.data?.cancelJob.__typename !== 'CancelJobSuccess') throw new Error(`cancelJob: ${JSON.stringify(done)}`);
    },
  };
}

/** Runs `phase` with a download under way, from its first bytes to its cancellation. */
async function duringDownload<T>(client: HttpClient, phase: (download: Download) => Promise<T>): Promise<T> {
  const download = await startDownload(client);
  try {
    return await phase(download);
  } finally {
    await download.cancel();
  }
}

interface Measured<T> {
  result: T;
  cpu: number;
  seconds: number;
  loop: LoopDelay;
}

/** The CPU seconds of `pid` and Patchbay's loop delay over `phase`. */
async function measured<T>(pb: RunningPatchbay, pid: number, phase: () => Promise<T>): Promise<Measured<T>> {
  await pb.probe('reset');
  const cpu = cpuSeconds(pid);
  const began = performance.now();
  const result = await phase();
  return { result, cpu: cpuSeconds(pid) - cpu, seconds: (performance.now() - began) / 1000, loop: await pb.probe('read') };
}

interface Round extends FanOutFigures {
  cpuPerMessageUs: number;
  /** Less what the process spends on the download alone in as long (Patchbay; the raw server has none). */
  netCpuPerMessageUs: number;
  loop: LoopDelay;
}

/** Samples the Patchbay's RSS every 200 ms while a phase runs; stopping it gives the maximum. */
function rssPeak(pid: number) {
  let peak = rssMib(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMib(pid))), 200);
  return () => (clearInterval(timer), peak);
}

async function window(arrivals: ArrivalLog): Promise<void> {
  arrivals.open();
  await sleep(WINDOW_S * 1000);
  arrivals.close();
  // Late arrivals of the window's events still count (a second of grace), new events do not.
  await sleep(1000);
}

/** `backgroundCpu`: CPU seconds per second the process spends without any subscriber. */
function roundOf(arrivals: ArrivalLog, m: Measured<unknown>, backgroundCpu: number): Round {
  const perMessage = (cpu: number) => (cpu * 1e6) / arrivals.deliveredInWindow;
  return {
    ...arrivals.summary(),
    cpuPerMessageUs: perMessage(m.cpu),
    netCpuPerMessageUs: perMessage(Math.max(0, m.cpu - backgroundCpu * m.seconds)),
    loop: m.loop,
  };
}

interface FanOutContext {
  pb: RunningPatchbay;
  client: HttpClient;
  readers: string[];
  /** Patchbay's CPU seconds per second during a download with no subscriber. */
  downloadCpu: number;
  peak: number[];
}

async function patchbayRound({ pb, client, readers, downloadCpu, peak }: FanOutContext, n: number, transport: 'ws' | 'sse') {
  return duringDownload(client, async ({ id }) => {
    const arrivals = new ArrivalLog(n);
    const onNext = (i: number) => (payload: unknown, bytes: number) => {
      const p = (payload as { data?: { updateProgress: { state: string; bytesDone: number } } }).data?.updateProgress;
      if (!p) throw new Error(`updateProgress: ${JSON.stringify(payload)}`);
      arrivals.record(i, `${p.state}:${p.bytesDone}`, bytes);
    };
    const sampled = n === 1000 ? rssPeak(pb.pid) : null;
    try {
      const opening = performance.now();
      let end: () => Promise<void>;
      if (transport === 'ws') {
        const sockets = await openMany(n, async (i) => {
          const ws = await graphqlWsConnection(wsUrl(pb.url), readers[Math.floor(i / STREAMS_PER_TOKEN)]!);
          subscribe(ws, PROGRESS, { id }, onNext(i));
          return ws;
        });
        end = () => closeAll(sockets);
      } else {
        const streams = await openMany(n, (i) =>
          sseSubscription(`${pb.url}/graphql`, readers[Math.floor(i / STREAMS_PER_TOKEN)]!, PROGRESS, { id }, onNext(i)),
        );
        end = async () => streams.forEach((s) => s.abort());
      }
      await until(`the first event at all ${n} subscribers`, () => arrivals.started.size === n);
      log(`  ${n} ${transport} subscribers following after ${((performance.now() - opening) / 1000).toFixed(1)} s`);
      const m = await measured(pb, pb.pid, () => window(arrivals));
      await end();
      return roundOf(arrivals, m, downloadCpu);
    } finally {
      if (sampled) peak.push(sampled());
    }
  });
}

async function rawRound(pb: RunningPatchbay, n: number, size: number, hz: number) {
  const raw = await startRawWsServer();
  try {
    const arrivals = new ArrivalLog(n);
    const sockets: WebSocket[] = await openMany(n, async (i) => {
      const ws = await rawConnection(raw.url);
      ws.on('message', (data: Buffer) => arrivals.record(i, String((JSON.parse(data.toString()) as { seq: number }).seq), data.length));
      return ws;
    });
    const sent = raw.broadcast(size, hz, (WINDOW_S + 3) * 1000);
    await until(`the first message at all ${n} clients`, () => arrivals.started.size === n);
    const m = await measured(pb, raw.pid, () => window(arrivals));
    await sent;
    await closeAll(sockets);
    return roundOf(arrivals, m, 0);
  } finally {
    await raw.stop();
  }
}

const queryTarget = (url: string, token: string, query: string): LoadTarget => ({
  url: `${url}/graphql`,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({ query }),
});

/** Patchbay's answer to the query, byte for byte: what the raw baseline sends. */
async function answerOf(target: LoadTarget): Promise<string> {
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  if (!res.ok) throw new Error(`${target.body}: HTTP ${res.status}`);
  return res.text();
}

/** The raw `node:http` baseline answering `body`, under the same paced load as Patchbay. */
async function rawQueryLoad(pb: RunningPatchbay, body: string): Promise<Measured<Latency>> {
  const raw = await startRawHttpServer(body);
  try {
    const target: LoadTarget = { url: `${raw.url}/graphql`, headers: { 'content-type': 'application/json' }, body: '{}' };
    await pacedLoad(target, RATE, WARM_S);
    return await measured(pb, raw.pid, () => pacedLoad(target, RATE, QUERY_S));
  } finally {
    await raw.stop();
  }
}

/** The query at RATE for QUERY_S, after WARM_S at that rate not counted (the JIT's first compilations). */
async function queryLoad(pb: RunningPatchbay, token: string, query: string): Promise<Measured<Latency>> {
  const target = queryTarget(pb.url, token, query);
  await pacedLoad(target, RATE, WARM_S);
  return measured(pb, pb.pid, () => pacedLoad(target, RATE, QUERY_S));
}

async function main() {
  const loadAtStart = os.loadavg();
  const began = Date.now();
  buildServer();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-realtime-'));
  const stopping: (() => Promise<void>)[] = [];
  let patchbay: RunningPatchbay | null = null;
  const stopAll = async () => {
    // Once, the last started first, whichever failure or signal comes first.
    for (const stop of stopping.splice(0).reverse()) await stop();
    fs.rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  // A failure inside a socket's handler ends the run too, and stops what it started.
  process.once('uncaughtException', (err) => {
    console.error(err);
    if (patchbay) log(`the end of Patchbay's output:\n${patchbay.output()}`);
    void stopAll().then(() => process.exit(1));
  });
  try {
    const publishing = performance.now();
    const feed = await publishCappedFeed(path.join(work, 'feed'), RELEASE_MIB * MIB, CAP_MIBPS * MIB);
    log(
      `feed published in ${((performance.now() - publishing) / 1000).toFixed(1)} s: a ${RELEASE_MIB} MiB release, sent at ${CAP_MIBPS} MiB/s`,
    );
    stopping.push(() => feed.close());
    const probeDir = path.join(work, 'probe');
    fs.mkdirSync(probeDir);
    const pb = await startPatchbay(path.join(work, 'home'), probeDir, {
      ...feed.env,
      PATCHBAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    });
    patchbay = pb;
    stopping.push(() => pb.stop());
    const admin = new HttpClient(pb.url);
    await admin.login('admin', ADMIN_PASSWORD);
    await prepareForInstall(admin, feed);
    const createToken = async (name: string, scopes: string) => {
      const created = await admin.query<{ createApiToken?: { secret?: string } }>(
        `mutation { createApiToken(name: "${name}", scopes: [${scopes}]) { ... on CreateApiTokenSuccess { secret } ... on Error { code message } } }`,
      );
      const secret = created.data?.createApiToken?.secret;
      if (!secret) throw new Error(`createApiToken: ${JSON.stringify(created)}`);
      return secret;
    };
    const token = await createToken('bench', 'READ, OPERATE');
    // Patchbay caps the subscriptions one credential holds: the subscribers share READ tokens up to that cap.
    const readers: string[] = [];
    for (let i = 0; i < Math.max(...SIZES, SSE_SUBSCRIBERS) / STREAMS_PER_TOKEN; i++)
      readers.push(await createToken(`reader ${i}`, 'READ'));
    const client = new HttpClient(pb.url);
    client.bearer = token;
    for (const [name, query] of Object.entries(QUERIES)) {
      const res = await client.query(query);
      if (res.errors || !res.data) throw new Error(`${name}: ${JSON.stringify(res)}`);
    }

    log('idle memory');
    await sleep(5000);
    const idleRss = rssMib(pb.pid);
    await pb.probe('gc');
    await sleep(1000);
    const idleRssAfterGc = rssMib(pb.pid);

    const idleQueries: Record<string, Measured<Latency>> = {};
    const downloadQueries: Record<string, Measured<Latency>> = {};
    const rawQueries: Record<string, Measured<Latency>> = {};
    const queryLoop: Record<string, LoopDelay> = {};
    for (const [name, query] of Object.entries(QUERIES)) {
      log(`query load, idle: ${name}`);
      idleQueries[name] = await queryLoad(pb, token, query);
      queryLoop[`${name} idle`] = idleQueries[name].loop;
      log(`query load, raw node:http with the same answer: ${name}`);
      rawQueries[name] = await rawQueryLoad(pb, await answerOf(queryTarget(pb.url, token, query)));
    }
    const peakQueries: Record<string, Measured<Latency>> = {};
    for (const [name, query] of Object.entries(QUERIES)) {
      log(`peak throughput: ${name}`);
      peakQueries[name] = await measured(pb, pb.pid, () => peakLoad(queryTarget(pb.url, token, query), PEAK_S));
    }

    log(`${IDLE_SOCKETS} idle graphql-ws connections, ${LOOP_S} s idle and ${LOOP_S} s during a download`);
    const idleSockets = await openMany(IDLE_SOCKETS, () => graphqlWsConnection(wsUrl(pb.url), token));
    const socketsIdle = await measured(pb, pb.pid, () => sleep(LOOP_S * 1000));
    const socketsDownload = await duringDownload(client, () => measured(pb, pb.pid, () => sleep(LOOP_S * 1000)));
    await closeAll(idleSockets);

    const peak: number[] = [];
    let afterRss = NaN;
    const fanOut: { n: number; transport: string; patchbay: Round[]; raw: Round[] }[] = [];
    for (const [n, transport] of [...SIZES.map((s) => [s, 'ws'] as const), [SSE_SUBSCRIBERS, 'sse'] as const]) {
      const row = { n, transport, patchbay: [] as Round[], raw: [] as Round[] };
      fanOut.push(row);
      for (let r = 0; r < ROUNDS; r++) {
        const ours = await patchbayRound(
          { pb, client, readers, downloadCpu: socketsDownload.cpu / socketsDownload.seconds, peak },
          n,
          transport,
        );
        row.patchbay.push(ours);
        log(`${transport} ${n} #${r + 1} Patchbay: ${JSON.stringify(ours)}`);
        const theirs = await rawRound(pb, n, ours.messageBytes, ours.eventsPerSecond);
        row.raw.push(theirs);
        log(`${transport} ${n} #${r + 1} raw ws: ${JSON.stringify(theirs)}`);
      }
      if (n === 1000) {
        await sleep(2000);
        await pb.probe('gc');
        await sleep(1000);
        afterRss = rssMib(pb.pid);
      }
    }

    for (const [name, query] of Object.entries(QUERIES)) {
      log(`query load during a download: ${name}`);
      downloadQueries[name] = await duringDownload(client, () => queryLoad(pb, token, query));
      queryLoop[`${name} download`] = downloadQueries[name].loop;
    }

    const loadAtEnd = os.loadavg();
    const mode = QUICK ? 'quick' : 'full';
    console.log(`\nbench:realtime (${mode}), ${new Date().toISOString()}, ${((Date.now() - began) / 60_000).toFixed(1)} min`);
    console.log(
      `load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`,
    );
    console.log(
      `release ${RELEASE_MIB} MiB at ${CAP_MIBPS} MiB/s; fan-out windows ${WINDOW_S} s, ${ROUNDS} round(s), medians (min–max); queries ${QUERY_S} s each at ${RATE} req/s; idle sockets ${LOOP_S} s\n`,
    );

    console.log('Memory, VmRSS of the Patchbay process (MiB):');
    const peakRss = peak.length ? Math.max(...peak) : NaN;
    table(
      ['', 'MiB', 'goal', ''],
      [
        ['idle, 5 s after set-up', idleRss.toFixed(0), '≤ 90', goal(idleRss <= 90)],
        ['idle, after a forced GC', idleRssAfterGc.toFixed(0), '≤ 90', goal(idleRssAfterGc <= 90)],
        ['peak with 1000 graphql-ws subscribers', peakRss.toFixed(0), '≤ 140', goal(peakRss <= 140)],
        [
          'after they left, a forced GC',
          afterRss.toFixed(0),
          `≤ idle + 10 (${(idleRssAfterGc + 10).toFixed(0)})`,
          goal(afterRss <= idleRssAfterGc + 10),
        ],
      ],
    );

    console.log('\nEvent-loop delay of Patchbay (ms; goal p99 < 20, max < 50):');
    const loopRow = (label: string, l: LoopDelay) => [label, l.p99.toFixed(1), l.max.toFixed(1), goal(l.p99 < 20 && l.max < 50)];
    table(
      ['phase', 'p99', 'max', 'goal'],
      [
        loopRow(`${IDLE_SOCKETS} idle graphql-ws sockets, ${LOOP_S} s`, socketsIdle.loop),
        loopRow(`the same during a download, ${LOOP_S} s`, socketsDownload.loop),
        ...fanOut.flatMap(({ n, transport, patchbay }) => [
          [
            `${n} ${transport} subscribers (median of rounds)`,
            figure(
              patchbay.map((r) => r.loop.p99),
              1,
            ),
            figure(
              patchbay.map((r) => r.loop.max),
              1,
            ),
            goal(median(patchbay.map((r) => r.loop.p99)) < 20 && median(patchbay.map((r) => r.loop.max)) < 50),
          ],
        ]),
        ...Object.entries(queryLoop).map(([label, l]) => loopRow(`query load: ${label}`, l)),
      ],
    );

    console.log(`\nFan-out of one job's updateProgress during a download, against raw ws at the same size and rate:`);
    table(
      [
        'subscribers',
        'events/s',
        'bytes',
        'spread p50 ms',
        'spread p99 ms',
        'raw p99 ms',
        'p99 ratio (≤ 1.5)',
        'lost',
        'raw lost',
        'CPU µs/msg',
        'less the download',
        'raw µs/msg',
        'ratio',
        'ratio less the download (≤ 2)',
        'goal',
      ],
      fanOut.map(({ n, transport, patchbay, raw }) => {
        const p99Ratio = patchbay.map((r, i) => r.spreadP99 / raw[i]!.spreadP99);
        const cpuRatio = patchbay.map((r, i) => r.cpuPerMessageUs / raw[i]!.cpuPerMessageUs);
        // Judged without the download's own CPU (measured alone, in as long): the raw server has no
        // download to run, and the progress events exist only while one runs.
        const netCpuRatio = patchbay.map((r, i) => r.netCpuPerMessageUs / raw[i]!.cpuPerMessageUs);
        const lost = patchbay.reduce((s, r) => s + r.lost, 0);
        const judged = transport === 'sse' || n === 1000;
        return [
          `${n} ${transport === 'ws' ? 'graphql-ws' : 'SSE'}`,
          figure(
            patchbay.map((r) => r.eventsPerSecond),
            1,
          ),
          figure(patchbay.map((r) => r.messageBytes)),
          figure(
            patchbay.map((r) => r.spreadP50),
            1,
          ),
          figure(
            patchbay.map((r) => r.spreadP99),
            1,
          ),
          figure(
            raw.map((r) => r.spreadP99),
            1,
          ),
          figure(p99Ratio, 2),
          String(lost),
          String(raw.reduce((s, r) => s + r.lost, 0)),
          figure(
            patchbay.map((r) => r.cpuPerMessageUs),
            1,
          ),
          figure(
            patchbay.map((r) => r.netCpuPerMessageUs),
            1,
          ),
          figure(
            raw.map((r) => r.cpuPerMessageUs),
            1,
          ),
          figure(cpuRatio, 2),
          figure(netCpuRatio, 2),
          judged ? goal(median(p99Ratio) <= 1.5 && median(netCpuRatio) <= 2 && lost === 0) : '—',
        ];
      }),
    );

    console.log(
      `\nQueries at ${RATE} requests/s for ${QUERY_S} s each after ${WARM_S} s of warm-up, evenly paced, open loop (latency from each request's due time, ms; goal p99 < 10):`,
    );
    const lat = ({ result: l }: Measured<Latency>) => `${l.p50} / ${l.p99} / ${l.max}`;
    const downloadCpu = socketsDownload.cpu / socketsDownload.seconds;
    // CPU µs per request; during a download less the download's own CPU in as long.
    const perRequest = (m: Measured<Latency>, background = 0) =>
      ((Math.max(0, m.cpu - background * m.seconds) * 1e6) / (RATE * QUERY_S)).toFixed(0);
    table(
      [
        'query',
        'idle p50 / p99 / max',
        'CPU µs/req',
        'during a download p50 / p99 / max',
        'CPU µs/req less the download',
        'raw node:http p50 / p99 / max',
        'raw CPU µs/req',
        'p99 ratio idle',
        'goal',
      ],
      Object.keys(QUERIES).map((name) => {
        const [idle, busy, raw] = [idleQueries[name]!, downloadQueries[name]!, rawQueries[name]!];
        return [
          name,
          lat(idle),
          perRequest(idle),
          lat(busy),
          perRequest(busy, downloadCpu),
          lat(raw),
          perRequest(raw),
          (idle.result.p99 / raw.result.p99).toFixed(1),
          goal(idle.result.p99 < 10 && busy.result.p99 < 10),
        ];
      }),
    );

    console.log(`\nPeak throughput, idle (autocannon, 10 connections, no rate limit, ${PEAK_S} s each):`);
    table(
      ['query', 'req/s', 'p50 / p99 ms', 'Patchbay CPU'],
      Object.entries(peakQueries).map(([name, m]) => [
        name,
        m.result.rps.toFixed(0),
        `${m.result.p50} / ${m.result.p99}`,
        `${((100 * m.cpu) / m.seconds).toFixed(0)} %`,
      ]),
    );
  } catch (err) {
    console.error(err);
    if (patchbay) log(`the end of Patchbay's output:\n${patchbay.output()}`);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}

await main();
