/**
 * SIPp (Debian `sip-tester`) as the real SIP peer of tests and benchmarks: its built-in `uac`
 * scenario against a loopback port, bounded by `-m` and `-timeout`, with its own statistics
 * (`-trace_stat`) read back from the CSV it writes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unusedUdpPort } from './ports.js';

export interface SippRun {
  /** 0: every call succeeded; 1: at least one failed; 99: no call processed (SIPp's own codes). */
  exitCode: number | null;
  /** The last row of `-trace_stat` (cumulative counters such as `SuccessfulCall(C)`, `FailedCall(C)`). */
  stats: Record<string, string>;
}

export interface UacOptions {
  /** Calls to place (`-m`). */
  calls?: number;
  /** How long each call is held between ACK and BYE (`-d`, ms). */
  holdMs?: number;
  /** Calls per second (`-r`). */
  rate?: number;
  timeoutS?: number;
}

/**
 * The exact command line: `sipp -sn uac 127.0.0.1:<sipPort> -i 127.0.0.1 -p <own port> -m N -l N
 * -r R -d HOLD -timeout Ts -nostdin -trace_stat -stf <csv>` (foreground; `-nostdin` as it has no terminal).
 */
export async function sippUacArgs(sipPort: number, statsFile: string, options: UacOptions = {}): Promise<string[]> {
  const { calls = 1, holdMs = 1000, rate = 10, timeoutS = 10 } = options;
  return [
    '-sn',
    'uac',
    `127.0.0.1:${sipPort}`,
    '-i',
    '127.0.0.1',
    '-p',
    String(await unusedUdpPort()),
    '-m',
    String(calls),
    '-l',
    String(calls),
    '-r',
    String(rate),
    '-d',
    String(holdMs),
    '-timeout',
    `${timeoutS}s`,
    '-nostdin',
    '-trace_stat',
    '-stf',
    statsFile,
  ];
}

/** Runs the `uac` scenario to its end and returns SIPp's exit code and final counters. */
export async function runSippUac(sipPort: number, options: UacOptions = {}): Promise<SippRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-sipp-'));
  const statsFile = path.join(dir, 'stats.csv');
  try {
    const child = spawn('sipp', await sippUacArgs(sipPort, statsFile, options), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`sipp could not be run (install Debian's sip-tester): ${err.message}`)));
      child.once('exit', (code) => resolve(code));
    });
    if (!fs.existsSync(statsFile)) throw new Error(`sipp wrote no statistics (exit ${exitCode}): ${stderr}`);
    const [header, ...rows] = fs.readFileSync(statsFile, 'utf8').trim().split('\n');
    const names = header!.split(';');
    const last = rows.at(-1)!.split(';');
    return { exitCode, stats: Object.fromEntries(names.map((n, i) => [n, last[i] ?? ''])) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
