/**
 * How every benchmark starts a real Patchbay: a child process in the project's root on a free
 * loopback port and its own PATCHBAY_HOME, ready once `/healthz` answers (the time that took is its
 * start-up), its output kept for when something fails, stopped by SIGTERM as a service manager does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unusedPort } from '../helpers/ports.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A module for the benchmark to preload into Patchbay (`--import`), written to a temporary directory
 * that goes when the benchmark exits.
 */
export function preloadModule(name: string, source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-probe-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, source);
  return file;
}

export interface SpawnedPatchbay {
  child: ChildProcess;
  pid: number;
  url: string;
  /** From the spawn to the first answer of `/healthz`, ms. */
  startMs: number;
  /** Its stdout and stderr so far (the last `keepOutput` characters). */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Default: this Node. */
  command?: string;
  args: readonly string[];
  home: string;
  env?: Readonly<Record<string, string>>;
  /** How much of the output to keep (the end of it); a thousand connections' log is not needed. */
  keepOutput?: number;
}

export async function spawnPatchbay({
  command = process.execPath,
  args,
  home,
  env = {},
  keepOutput = Infinity,
}: SpawnOptions): Promise<SpawnedPatchbay> {
  const port = await unusedPort();
  const began = performance.now();
  const child = spawn(command, [...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), PATCHBAY_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > keepOutput) out = out.slice(-keepOutput);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  // Bounded: a first start builds the demo appliance in a few seconds; two minutes is a hang.
  const deadline = began + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Patchbay exited with ${child.exitCode}:\n${out}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Patchbay did not answer /healthz within 120 s:\n${out}`);
    }
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    child,
    pid: child.pid!,
    url,
    startMs: performance.now() - began,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
