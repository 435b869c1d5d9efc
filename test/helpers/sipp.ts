/**
 * SIPp as the real SIP peer of tests and benchmarks: runs Debian's `sipp` (package `sip-tester`)
 * with its built-in `uac` scenario against a loopback port, bounded by `-m` and `-timeout`, and
 * reads back its own statistics (`-trace_stat`) and, from its message trace (`-trace_msg`), what
 * happened to every call: when the INVITE went out, what answered it, and whether the call ended
 * with a BYE that the PBX acknowledged.
 */
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unusedUdpPort } from './ports.js';

export const SIPP = '/usr/bin/sipp';

export interface SippMessage {
  at: Date;
  direction: 'sent' | 'received';
  /** The request method, or null for a response. */
  method: string | null;
  /** The response status, or null for a request. */
  status: number | null;
  callId: string;
  cseqMethod: string;
}

export interface SippCall {
  callId: string;
  /** First transmission of the INVITE. */
  invitedAt: Date;
  /** The first response of any kind to the INVITE (100 Trying, 503…), or null when none came. */
  firstResponseAt: Date | null;
  /** The final response to the INVITE (≥ 200), or null when none came. */
  finalStatus: number | null;
  answeredAt: Date | null;
  /** When SIPp sent its BYE, and the status that answered it (null: none). */
  byeSentAt: Date | null;
  byeStatus: number | null;
  /** A BYE from the PBX (it hung up on the caller). */
  byeReceivedAt: Date | null;
}

export type CallOutcome = 'completed' | 'dropped' | 'refused' | 'unanswered' | 'failed';

const SEPARATOR = /^-{20,} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+)$/;

/** SIPp stamps its trace in local time; the tests run in whatever zone the machine has. */
function parseLocal(stamp: string): Date {
  const [date, time] = stamp.split(' ') as [string, string];
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi, s] = time.split(':') as [string, string, string];
  const seconds = Number(s);
  return new Date(y, mo - 1, d, Number(h), Number(mi), Math.floor(seconds), Math.round((seconds % 1) * 1000));
}

function header(lines: string[], name: string): string | null {
  const prefix = name.toLowerCase() + ':';
  const line = lines.find((l) => l.toLowerCase().startsWith(prefix));
  return line ? line.slice(prefix.length).trim() : null;
}

/** Every SIP message of a `-trace_msg` file, in order. */
export function parseSippMessages(text: string): SippMessage[] {
  const messages: SippMessage[] = [];
  let stamp: Date | null = null;
  let block: string[] = [];
  const flush = () => {
    if (!stamp || block.length === 0) return;
    const direction = /^UDP message sent/.test(block[0]!) ? 'sent' : /^UDP message received/.test(block[0]!) ? 'received' : null;
    const body = block.slice(1).filter((l, i, all) => i > 0 || l !== '' || all.length === 1);
    const start = body.find((l) => l !== '') ?? '';
    const callId = header(body, 'Call-ID') ?? header(body, 'i');
    const cseq = header(body, 'CSeq');
    if (direction && callId && cseq) {
      const response = /^SIP\/2\.0 (\d{3})/.exec(start);
      messages.push({
        at: stamp,
        direction,
        method: response ? null : (start.split(' ')[0] ?? null),
        status: response ? Number(response[1]) : null,
        callId,
        cseqMethod: cseq.split(/\s+/)[1] ?? '',
      });
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const sep = SEPARATOR.exec(line);
    if (sep) {
      flush();
      stamp = parseLocal(sep[1]!);
      block = [];
    } else {
      block.push(line);
    }
  }
  flush();
  return messages;
}

/** The calls SIPp placed (uac), one per Call-ID, from its message trace. */
export function callsOf(messages: SippMessage[]): SippCall[] {
  const calls = new Map<string, SippCall>();
  for (const m of messages) {
    let call = calls.get(m.callId);
    if (!call) {
      if (!(m.direction === 'sent' && m.method === 'INVITE')) continue;
      call = {
        callId: m.callId,
        invitedAt: m.at,
        finalStatus: null,
        firstResponseAt: null,
        answeredAt: null,
        byeSentAt: null,
        byeStatus: null,
        byeReceivedAt: null,
      };
      calls.set(m.callId, call);
    }
    if (m.direction === 'received' && m.cseqMethod === 'INVITE' && m.status !== null) call.firstResponseAt ??= m.at;
    if (m.direction === 'received' && m.cseqMethod === 'INVITE' && m.status !== null && m.status >= 200 && call.finalStatus === null) {
      call.finalStatus = m.status;
      if (m.status < 300) call.answeredAt = m.at;
    }
    if (m.direction === 'sent' && m.method === 'BYE' && !call.byeSentAt) call.byeSentAt = m.at;
    if (m.direction === 'received' && m.cseqMethod === 'BYE' && m.status !== null) call.byeStatus ??= m.status;
    if (m.direction === 'received' && m.method === 'BYE') call.byeReceivedAt ??= m.at;
  }
  return [...calls.values()].sort((a, b) => a.invitedAt.getTime() - b.invitedAt.getTime());
}

/**
 * What became of a call: answered and ended by the caller's BYE that the PBX acknowledged
 * (completed); answered and then cut (dropped: the BYE went unanswered or the PBX hung up);
 * refused (503 while draining); no final answer at all (unanswered); any other final status (failed).
 */
export function outcomeOf(call: SippCall): CallOutcome {
  if (call.finalStatus === null) return 'unanswered';
  if (call.finalStatus === 503) return 'refused';
  if (call.finalStatus >= 300) return 'failed';
  if (call.byeReceivedAt) return 'dropped';
  return call.byeStatus === 200 ? 'completed' : 'dropped';
}

export interface SippRun {
  /** 0: every call succeeded; 1: at least one failed; 99: no call processed (SIPp's own codes). */
  exitCode: number | null;
  /** The last row of `-trace_stat` (cumulative counters such as `SuccessfulCall(C)`, `FailedCall(C)`). */
  stats: Record<string, string>;
  /** Every call placed, from the message trace. */
  calls: SippCall[];
}

export interface UacOptions {
  /** Calls to place (`-m`). */
  calls?: number;
  /** How long each call is held between ACK and BYE (`-d`, ms). */
  holdMs?: number;
  /** Calls per second (`-r`). */
  rate?: number;
  timeoutS?: number;
  /** How long any one expected answer may take before SIPp gives up on that call (`-recv_timeout`, ms). */
  recvTimeoutMs?: number;
}

/**
 * The exact command line: `sipp -sn uac 127.0.0.1:<sipPort> -i 127.0.0.1 -p <own port> -m N -l N
 * -r R -d HOLD -timeout Ts -recv_timeout MS -nostdin -trace_stat -stf <csv> -trace_msg -message_file <log>`
 * (foreground; `-nostdin` as it has no terminal).
 */
export async function sippUacArgs(
  sipPort: number,
  files: { stats: string; messages: string },
  options: UacOptions = {},
): Promise<string[]> {
  const { calls = 1, holdMs = 1000, rate = 10, timeoutS = 10, recvTimeoutMs = 8000 } = options;
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
    '-recv_timeout',
    String(recvTimeoutMs),
    '-nostdin',
    '-trace_stat',
    '-stf',
    files.stats,
    '-trace_msg',
    '-message_file',
    files.messages,
  ];
}

/** Runs the `uac` scenario to its end and returns SIPp's exit code, final counters and every call. */
export async function runSippUac(sipPort: number, options: UacOptions = {}): Promise<SippRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-sipp-'));
  const files = { stats: path.join(dir, 'stats.csv'), messages: path.join(dir, 'messages.log') };
  try {
    const child = spawn(SIPP, await sippUacArgs(sipPort, files, options), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    // SIPp stops itself at -timeout; this is the bound should it not.
    const killer = setTimeout(() => child.kill('SIGKILL'), ((options.timeoutS ?? 10) + 10) * 1000);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`sipp could not be run (install Debian's sip-tester): ${err.message}`)));
      child.once('exit', (code) => resolve(code));
    }).finally(() => clearTimeout(killer));
    if (!fs.existsSync(files.stats)) throw new Error(`sipp wrote no statistics (exit ${exitCode}): ${stderr}`);
    const [header, ...rows] = fs.readFileSync(files.stats, 'utf8').trim().split('\n');
    const names = header!.split(';');
    const last = rows.at(-1)!.split(';');
    const messages = fs.existsSync(files.messages) ? fs.readFileSync(files.messages, 'utf8') : '';
    return {
      exitCode,
      stats: Object.fromEntries(names.map((n, i) => [n, last[i] ?? ''])),
      calls: callsOf(parseSippMessages(messages)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Calls the demo PBX under `home` has answered and not yet ended, read from its own call table. */
export function answeredDemoCalls(home: string): number {
  const db = new Database(path.join(home, 'appliance', 'data', 'calls.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sip_calls WHERE answered_at IS NOT NULL AND ended_at IS NULL').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Places one call held `holdMs` on the demo PBX under `home`, and resolves once it has answered it (with the run, to await its end). */
export async function heldDemoCall(home: string, sipPort: number, holdMs: number, timeoutS = 60): Promise<{ ended: Promise<SippRun> }> {
  const run = runSippUac(sipPort, { calls: 1, holdMs, timeoutS });
  const deadline = Date.now() + 10_000;
  while (answeredDemoCalls(home) < 1) {
    if (Date.now() > deadline) throw new Error('the held call was never answered');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ended: run };
}
