/**
 * `npm run bench:calls`: what a separate-mode installation does to calls, as a SIP client that
 * nobody here wrote sees it. SIPp's built-in `uac` scenario calls the demo PBX of a real Patchbay
 * (real feed on 127.0.0.1, real demo appliance) at BENCH_CALL_RATE calls/s (default 5), each held
 * BENCH_CALL_HOLD_S s (default 20), while the installation runs, (a) without draining and (b) with
 * draining, BENCH_CALLS_ROUNDS rounds each (default 3; medians, with the spread). From SIPp's own
 * message trace: calls established and then cut (dropped), refused with 503, left without any
 * answer, and the unavailable time as SIP sees it — from the first INVITE left unanswered to the
 * first call answered after it — next to the window Patchbay recorded (stop to healthy again).
 * Loopback only; SIPp bounded by its call count and timeout; everything it starts is stopped and
 * its files removed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { install, stageDownload, waitForJob } from '../helpers/install-api.js';
import { prepareForInstall, publishInstallFeed, RELEASE_8_2_0 } from '../helpers/install-feed.js';
import { outcomeOf, runSippUac, type SippCall } from '../helpers/sipp.js';
import { startTestApp } from '../helpers/test-app.js';

const RATE = Number(process.env.BENCH_CALL_RATE ?? 5);
const HOLD_S = Number(process.env.BENCH_CALL_HOLD_S ?? 20);
const ROUNDS = Number(process.env.BENCH_CALLS_ROUNDS ?? 3);
/** Calls are placed for this long in all; the installation starts once the hold time has filled the PBX. */
const CALLING_S = HOLD_S + 50;
/** An INVITE not answered within SIP's T1 (500 ms, when UDP retransmits) counts as unanswered at that moment. */
const T1_MS = 500;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[], digits = 2) =>
  xs.length > 1 ? ` (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})` : '';

interface Round {
  attempts: number;
  completed: number;
  dropped: number;
  refused: number;
  unanswered: number;
  otherFailures: number;
  /** First unanswered INVITE to first answer after it, seconds; null when no INVITE went unanswered. */
  sipUnavailableS: number | null;
  /** Patchbay's recorded window (stop to healthy), seconds. */
  recordedS: number;
  /** SIP's window start minus the recorded start, and end minus end, seconds. */
  startDeltaS: number | null;
  endDeltaS: number | null;
  /** How long the installation waited for calls (0 without draining). */
  drainWaitS: number;
}

/**
 * The time calls could not even be answered: from the first INVITE with no answer within T1 to the
 * first answer of any INVITE after that (a retransmitted one included: the PBX is back).
 */
function sipUnavailable(calls: SippCall[]): { start: Date; end: Date } | null {
  const unanswered = calls.find((c) => c.firstResponseAt === null || c.firstResponseAt.getTime() - c.invitedAt.getTime() > T1_MS);
  if (!unanswered) return null;
  const start = unanswered.invitedAt;
  const back = calls
    .map((c) => c.firstResponseAt)
    .filter((at): at is Date => at !== null && at.getTime() > start.getTime() + T1_MS)
    .sort((x, y) => x.getTime() - y.getTime())[0];
  return back ? { start, end: back } : null;
}

async function oneRound(template: string, work: string, env: Record<string, string>, jobId: string, drain: boolean, round: number) {
  const home = path.join(work, `${drain ? 'drain' : 'plain'}-${round}`);
  fs.cpSync(template, home, { recursive: true });
  const app = await startTestApp({ env, home, options: { install: { healthCheckTimeoutMs: 60_000 } } });
  try {
    await app.waitForState('RUNNING');
    const admin = await app.admin();
    const sipPort = (await admin.query<{ system: { sipPort: number } }>('{ system { sipPort } }')).data!.system.sipPort;
    const calling = runSippUac(sipPort, {
      calls: RATE * CALLING_S,
      rate: RATE,
      holdMs: HOLD_S * 1000,
      timeoutS: CALLING_S + HOLD_S + 120,
    });
    // Install once every line of the steady state is busy: RATE × HOLD_S calls in progress.
    await new Promise((r) => setTimeout(r, (HOLD_S + 2) * 1000));
    const res = await install(admin, { jobId, drain: drain ? { maxWaitMinutes: 5, onTimeout: 'INSTALL_ANYWAY' } : { wait: false } });
    if (res.__typename !== 'InstallSuccess') throw new Error(`install: ${JSON.stringify(res)}`);
    const done = await waitForJob(admin, jobId, ['SUCCEEDED', 'FAILED'], 600_000);
    if (done.state !== 'SUCCEEDED') throw new Error(`the installation failed: ${JSON.stringify(done.error)}`);
    const run = await calling;
    const recorded = await admin.query<{
      updateJob: { callWait: { waitedMs: number } | null; downtime: { kind: string; seconds: number; endedAt: string | null }[] };
    }>(`{ updateJob(id: "${jobId}") { callWait { waitedMs } downtime { kind seconds endedAt } } }`);
    const job = recorded.data!.updateJob;
    const window = job.downtime.find((w) => w.kind === 'PLANNED' && w.endedAt);
    if (!window) throw new Error(`no recorded window: ${JSON.stringify(job.downtime)}`);
    const recordedEnd = Date.parse(window.endedAt!);
    const recordedStart = recordedEnd - window.seconds * 1000;
    const outcomes = run.calls.map(outcomeOf);
    const count = (o: string) => outcomes.filter((x) => x === o).length;
    const sip = sipUnavailable(run.calls);
    const result: Round = {
      attempts: run.calls.length,
      completed: count('completed'),
      dropped: count('dropped'),
      refused: count('refused'),
      unanswered: count('unanswered'),
      otherFailures: count('failed'),
      sipUnavailableS: sip ? (sip.end.getTime() - sip.start.getTime()) / 1000 : null,
      recordedS: window.seconds,
      startDeltaS: sip ? (sip.start.getTime() - recordedStart) / 1000 : null,
      endDeltaS: sip ? (sip.end.getTime() - recordedEnd) / 1000 : null,
      drainWaitS: (job.callWait?.waitedMs ?? 0) / 1000,
    };
    console.log(`  ${drain ? 'with draining' : 'without draining'}, round ${round + 1}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await app.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function report(title: string, rounds: Round[]) {
  const m = (pick: (r: Round) => number | null, digits = 2) => {
    const xs = rounds.map(pick).filter((x): x is number => x !== null);
    return xs.length ? `${median(xs).toFixed(digits)}${spread(xs, digits)}` : 'none';
  };
  console.log(
    `| ${title} | ${m((r) => r.attempts, 0)} | ${m((r) => r.completed, 0)} | ${m((r) => r.dropped, 0)} | ${m((r) => r.refused, 0)} | ${m((r) => r.unanswered, 0)} | ${m((r) => r.otherFailures, 0)} | ${m((r) => r.drainWaitS, 1)} | ${m((r) => r.sipUnavailableS)} | ${m((r) => r.recordedS)} | ${m((r) => r.startDeltaS)} | ${m((r) => r.endDeltaS)} |`,
  );
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-calls-'));
  const feed = await publishInstallFeed(path.join(work, 'feed'), { releases: [RELEASE_8_2_0] });
  const stop = () => {
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', stop);
  try {
    // A prepared home: the licence imported, 8.2.0 downloaded and staged; each round starts from a copy.
    const template = path.join(work, 'template');
    fs.mkdirSync(template);
    const first = await startTestApp({ env: feed.env, home: template });
    await first.waitForState('RUNNING');
    const admin = await first.admin();
    await prepareForInstall(admin, feed);
    const jobId = await stageDownload(admin, '8.2.0', [{ moduleId: 'callcenter', version: '3.1.0' }]);
    await first.close();

    console.log(
      `SIPp uac at ${RATE} calls/s, ${HOLD_S} s hold, ${CALLING_S} s of calls, a separate-mode installation after ${HOLD_S + 2} s; ${ROUNDS} rounds each`,
    );
    const plain: Round[] = [];
    const drained: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(await oneRound(template, work, feed.env, jobId, false, round));
      drained.push(await oneRound(template, work, feed.env, jobId, true, round));
    }
    console.log('');
    console.log(`Medians over ${ROUNDS} rounds (min–max):`);
    console.log('');
    console.log(
      '| scenario | attempts | completed | dropped | refused (503) | unanswered | other failures | wait for calls, s | unavailable as SIP sees it, s | recorded window, s | start Δ, s | end Δ, s |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    report('(a) without draining', plain);
    report('(b) with draining', drained);
    console.log('');
    console.log(
      'Δ: SIP-measured start (first INVITE unanswered within 500 ms) and end (first prompt answer after it) minus the recorded ones.',
    );
  } finally {
    await feed.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
