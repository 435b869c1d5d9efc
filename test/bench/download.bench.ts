/**
 * `npm run bench:download`: Patchbay's downloader (streaming, SHA-256 on the fly, verified against
 * the signed hash) against `curl -s URL | tee FILE | openssl dgst -sha256`, on a 1 GiB bundle
 * served from 127.0.0.1, several rounds, medians; and the downloader's peak memory.
 * BENCH_SIZE_MIB and BENCH_ROUNDS change the defaults (1024, 3).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveFeedDirectory } from '../../server/adapters/feed/static-feed-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SIZE_MIB = Number(process.env.BENCH_SIZE_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Asynchronous on purpose: the server runs in this very process and must keep serving.
const run = promisify(execFile);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-bench-'));
try {
  const file = path.join(dir, 'feed', 'bundle.tar.gz');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.openSync(file, 'w');
  const block = crypto.randomBytes(16 * 1024 * 1024);
  const hash = crypto.createHash('sha256');
  for (let i = 0; i < SIZE_MIB / 16; i++) {
    block.writeUInt32LE(i, 0); // every block differs: no shortcut for anyone
    fs.writeSync(out, block);
    hash.update(block);
  }
  fs.closeSync(out);
  const sha256 = hash.digest('hex');
  const length = fs.statSync(file).size;
  const server = await serveFeedDirectory(path.join(dir, 'feed'));
  const url = `${server.url}bundle.tar.gz`;

  const curl: number[] = [];
  const ours: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const target = path.join(dir, 'curl.out');
    const t0 = performance.now();
    const { stdout: digest } = await run('bash', ['-c', `curl -s "${url}" | tee "${target}" | openssl dgst -sha256`]);
    curl.push(performance.now() - t0);
    if (!digest.includes(sha256)) throw new Error('curl pipeline digest differs');
    fs.rmSync(target);

    const dest = path.join(dir, 'ours.out');
    const res = await run(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      ['test/bench/download-worker.ts', url, String(length), sha256, dest],
      { cwd: ROOT },
    );
    const { ms, maxRssMiB } = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { ms: number; maxRssMiB: number };
    ours.push(ms);
    rss.push(maxRssMiB);
    fs.rmSync(dest);
  }
  await server.close();
  const mib = length / 1024 / 1024;
  const report = {
    sizeMiB: mib,
    rounds: ROUNDS,
    curlMedianMs: Math.round(median(curl)),
    patchbayMedianMs: Math.round(median(ours)),
    curlMiBps: Math.round(mib / (median(curl) / 1000)),
    patchbayMiBps: Math.round(mib / (median(ours) / 1000)),
    ratio: Number((median(curl) / median(ours)).toFixed(2)),
    patchbayPeakRssMiB: Math.round(Math.max(...rss)),
    goal: 'ratio >= 0.9, peak RSS < 150 MiB',
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
