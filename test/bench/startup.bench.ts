/**
 * `npm run bench:startup`: start-up time and idle memory of Patchbay run from the TypeScript sources
 * through tsx (the former `npm start`) against the compiled build (`npm start` now). Each run starts
 * on an empty PATCHBAY_HOME (first start: demo appliance installed, demo vendor made), stops, starts
 * again on that home (a normal restart), then idles 30 s and reads the resident memory of the Patchbay
 * process itself — the parent of the demo appliance's pid, not the appliance — from /proc, and its
 * `process.memoryUsage()` through a preloaded SIGUSR2 handler. BENCH_ROUNDS (default 3) runs each,
 * medians with min–max. The build itself is timed once beforehand.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { npmStartArgs } from '../helpers/npm-start.js';
import { rssMib } from './realtime-process.js';
import { figure } from './realtime-report.js';
import { preloadModule, spawnPatchbay, type SpawnedPatchbay } from './spawn-patchbay.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const MIB = 1024 * 1024;

// Reports this process's own view of its memory when asked; the bench asks the Patchbay process only.
const PROBE = preloadModule(
  'memory-probe.mjs',
  "process.on('SIGUSR2', () => process.stderr.write(`BENCH-MEM ${process.pid} ${JSON.stringify(process.memoryUsage())}\\n`));\n",
);

/** npm start's own command line (package.json), V8 flags included, so that the bench measures what it runs. */
const startArgs = npmStartArgs(ROOT);
const variants = {
  tsx: [path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/main.ts']],
  compiled: [process.execPath, startArgs],
} as const;
type Variant = keyof typeof variants;

async function start(variant: Variant, home: string): Promise<SpawnedPatchbay> {
  const [command, args] = variants[variant];
  return spawnPatchbay({ command, args, home, env: { NODE_OPTIONS: `--import=${pathToFileURL(PROBE).href}` } });
}

async function waitForFile(file: string): Promise<string> {
  for (;;) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const parentOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

interface Round {
  firstMs: number;
  restartMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** tsx only: its launcher, a second Node process that stays for as long as Patchbay runs. */
  launcherRss: number | null;
}

async function round(variant: Variant): Promise<Round> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-startup-'));
  try {
    const first = await start(variant, home);
    await first.stop();
    const again = await start(variant, home);
    try {
      const appliancePid = Number(await waitForFile(path.join(home, 'appliance', 'data', 'pbx.pid')));
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const pid = parentOf(appliancePid);
      const rss = rssMib(pid);
      process.kill(pid, 'SIGUSR2');
      const line = new RegExp(`BENCH-MEM ${pid} (\\{.*\\})`);
      let usage: RegExpExecArray | null = null;
      while (!(usage = line.exec(again.output()))) await new Promise((r) => setTimeout(r, 20));
      const mem = JSON.parse(usage[1]!) as NodeJS.MemoryUsage;
      return {
        firstMs: first.startMs,
        restartMs: again.startMs,
        rss,
        heapUsed: mem.heapUsed / MIB,
        heapTotal: mem.heapTotal / MIB,
        external: mem.external / MIB,
        launcherRss: pid === again.pid ? null : rssMib(again.pid),
      };
    } finally {
      await again.stop();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const buildStarted = performance.now();
const build = spawnSync(process.execPath, ['server/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');
const buildMs = performance.now() - buildStarted;

const results: Record<Variant, Round[]> = { tsx: [], compiled: [] };
for (let i = 0; i < ROUNDS; i++) {
  // Alternating, so that the machine's other load falls on both alike.
  for (const variant of Object.keys(variants) as Variant[]) {
    const r = await round(variant);
    results[variant].push(r);
    process.stderr.write(`${variant} #${i + 1}: ${JSON.stringify(r)}\n`);
  }
}

console.log(`\nnpm run build: ${(buildMs / 1000).toFixed(1)} s (once; npm start does it when the sources changed)`);
console.log(`medians of ${ROUNDS} runs (min–max); memory after ${IDLE_MS / 1000} s idle, the Patchbay process only`);
console.log('| | tsx (sources) | compiled (dist/) |\n|---|---|---|');
const row = (label: string, pick: (r: Round) => number | null, digits = 0) =>
  console.log(
    `| ${label} | ${(Object.keys(variants) as Variant[])
      .map((v) => {
        const xs = results[v].map(pick).filter((x): x is number => x !== null);
        return xs.length ? figure(xs, digits) : '—';
      })
      .join(' | ')} |`,
  );
row('first start on an empty home → /healthz, ms', (r) => r.firstMs);
row('restart → /healthz, ms', (r) => r.restartMs);
row('idle RSS, MiB', (r) => r.rss);
row('  V8 heap used, MiB', (r) => r.heapUsed, 1);
row('  V8 heap total, MiB', (r) => r.heapTotal, 1);
row('  external (Buffers, native), MiB', (r) => r.external, 1);
row('tsx launcher process RSS, MiB', (r) => r.launcherRss);
fs.rmSync(path.dirname(PROBE), { recursive: true, force: true });
