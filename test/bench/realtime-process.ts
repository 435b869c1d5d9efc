/**
 * The processes `npm run bench:realtime` measures, read from outside: a real Patchbay started from
 * the build as `npm start` runs it (with the loop probe preloaded), the raw `ws` baseline server,
 * and /proc for their CPU time and resident memory.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmStartArgs } from '../helpers/npm-start.js';
import { spawnPatchbay } from './spawn-patchbay.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, utime and stime). */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export const rssMib = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Compiles dist/ if it is stale, as `npm start` would, so that the start itself is not a build. */
export function buildServer(): void {
  execFileSync(process.execPath, ['--input-type=module', '-e', "(await import('./server/build.mjs')).ensureServerBuilt()"], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface RunningPatchbay {
  pid: number;
  url: string;
  /** Asks the loop probe inside Patchbay: `reset`, `read` or `gc`. */
  probe<T = LoopDelay>(command: 'reset' | 'read' | 'gc'): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

export async function startPatchbay(home: string, probeDir: string, env: Record<string, string>): Promise<RunningPatchbay> {
  // npm start's own command line (its V8 flags too), the probe's flags before the script, and any
  // flags for a look inside (BENCH_PATCHBAY_FLAGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const args = npmStartArgs(ROOT);
  const extra = (process.env.BENCH_PATCHBAY_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const patchbay = await spawnPatchbay({
    args: [...args.slice(0, -1), ...extra, '--expose-gc', `--import=${path.join(HERE, 'loop-probe.mjs')}`, ...args.slice(-1)],
    home,
    env: { ...env, BENCH_PROBE_DIR: probeDir },
    keepOutput: 20_000,
  });
  const socket = net.connect(path.join(probeDir, `probe-${patchbay.pid}.sock`));
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffer = '';
  const waiting: ((line: string) => void)[] = [];
  socket.on('data', (chunk) => {
    buffer += chunk.toString();
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      waiting.shift()!(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
  return {
    pid: patchbay.pid,
    url: patchbay.url,
    probe: (command) =>
      new Promise((resolve) => {
        waiting.push((line) => resolve(JSON.parse(line)));
        socket.write(`${command}\n`);
      }),
    output: patchbay.output,
    async stop() {
      socket.destroy();
      await patchbay.stop();
    },
  };
}

export interface RawWsServer {
  pid: number;
  url: string;
  /** Broadcasts `size`-byte messages at `hz` for `ms`; resolves with the number sent. */
  broadcast(size: number, hz: number, ms: number): Promise<number>;
  stop(): Promise<void>;
}

/** A baseline server in a process of its own (`file`, next to this one), listening once it said its port. */
async function forkBaseline(file: string): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const child: ChildProcess = fork(path.join(HERE, file), [], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as { port: number })));
  return {
    child,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

export async function startRawWsServer(): Promise<RawWsServer> {
  const { child, port, stop } = await forkBaseline('realtime-raw-ws.mjs');
  return {
    pid: child.pid!,
    url: `ws://127.0.0.1:${port}`,
    broadcast: (size, hz, ms) =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve((m as { done: number }).done));
        child.send({ size, hz, ms });
      }),
    stop,
  };
}

export interface RawHttpServer {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** The raw `node:http` baseline (realtime-raw-http.mjs), answering every POST with `body`. */
export async function startRawHttpServer(body: string): Promise<RawHttpServer> {
  const { child, port, stop } = await forkBaseline('realtime-raw-http.mjs');
  await new Promise((resolve) => {
    child.once('message', resolve);
    child.send({ body });
  });
  return { pid: child.pid!, url: `http://127.0.0.1:${port}`, stop };
}
