/**
 * `npm run bench:install`: what the data steps of an installation cost, against the
 * standard tools, on a data directory of BENCH_SIZE_MIB (default 1024) MiB (half of it one SQLite
 * database of random blobs, the rest a few hundred config files and larger random files),
 * BENCH_ROUNDS (default 3) rounds, medians, measured in the same run:
 *
 *   1. createOffline (copy + fsync, and with verification) against `tar -cf` (and `tar -cf` + `sync -f`)
 *   2. createOnline of the database while a writer inserts a row every 10 ms, against
 *      `sqlite3 <db> ".backup <out>"` (given BENCH_CLI_TIMEOUT_S, default 30, to finish)
 *   3. restore against `tar -xf` of a tar of the same data, both into an empty directory
 *   4. the unavailable time of a separate-mode installation of a BENCH_RELEASE_MIB (200) MiB release
 *      over BENCH_INSTALL_DATA_MIB (500) MiB of data, by step (install-downtime.ts)
 *
 * Each Patchbay operation runs in its own process (install-worker.ts), so that its peak RSS is its
 * own. The page cache cannot be dropped reliably here: both sides run warm. Everything is written
 * under one temporary directory, removed at the end, also after a failure or Ctrl-C.
 * BENCH_PARTS (default 1,2,3,4) runs only the parts it lists.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { BackupSource } from '../../server/adapters/backup/backup-store.js';
import { benchInstallDowntime } from './install-downtime.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SIZE_MIB = Number(process.env.BENCH_SIZE_MIB ?? 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLI_TIMEOUT_S = Number(process.env.BENCH_CLI_TIMEOUT_S ?? 30);
const PARTS = new Set((process.env.BENCH_PARTS ?? '1,2,3,4').split(',').map((p) => Number(p.trim())));
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');
const run = promisify(execFile);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  benchmark: string;
  /** Patchbay's times, one per round. */
  ours: number[];
  tool: string;
  /** The standard tool's times; null when it did not finish. */
  theirs: number[] | null;
  bytes: number;
}

interface Context {
  work: string;
  source: BackupSource;
  dataBytes: number;
  dbBytes: number;
  /** The archive part 3 extracts (made there, untimed, from the same data). */
  tarFile: string;
  rss: Record<string, { rss: number; anon: number }>;
  /** `dd conv=fsync` of the database, once per round of part 1: how fast this disk takes durable writes. */
  ddMiBps: number[];
  notes: string[];
}

interface WorkerResult {
  ms: number;
  copyMs?: number;
  verifyMs?: number;
  id?: string;
  maxRssMiB: number;
  maxAnonMiB: number;
}

/**
 * Every measured run starts the same way: the previous run's output (whichever side made it) is
 * removed, then everything is flushed. Both halves matter on this VM. The flush keeps an earlier
 * run's writeback off the next measurement. The removal right before the run matters because
 * memory the guest freed a few seconds earlier is handed back to the host, and writing 1 GB into
 * such pages cost up to 13 times the system time of writing into recently freed ones: removing
 * one side's output long before its run and the other's right before biased a first version of
 * this benchmark by a factor of two.
 */
function freshStart(previous: { path: string | null }): void {
  if (previous.path) fs.rmSync(previous.path, { recursive: true, force: true });
  previous.path = null;
  execFileSync('sync');
}

/** Flushes what earlier steps wrote, so that their writeback does not land on the next measurement. */
function settle(): void {
  execFileSync('sync');
}

async function time(cmd: string, args: string[], timeoutMs?: number): Promise<number | null> {
  const started = performance.now();
  try {
    await run(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 20 });
  } catch (err) {
    if ((err as { killed?: boolean }).killed) return null;
    throw err;
  }
  return performance.now() - started;
}

async function patchbay(ctx: Context, op: string, args: string[]): Promise<WorkerResult> {
  const { stdout } = await run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['test/bench/install-worker.ts', op, ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerResult;
  const seen = ctx.rss[op] ?? { rss: 0, anon: 0 };
  ctx.rss[op] = { rss: Math.max(seen.rss, result.maxRssMiB), anon: Math.max(seen.anon, result.maxAnonMiB) };
  return result;
}

function writeRandomFile(file: string, bytes: number, block: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < bytes; done += block.length) {
      crypto.randomFillSync(block);
      fs.writeSync(fd, block, 0, Math.min(block.length, bytes - done));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The appliance's data: `calls.db` (half the size, WAL mode, checkpointed), config files, recordings. */
function buildDataDir(root: string, sizeMiB: number): { source: BackupSource; dbBytes: number; dataBytes: number } {
  const dataDir = path.join(root, 'appliance', 'data');
  const moduleStateFile = path.join(root, 'appliance', 'modules', 'state.json');
  for (const d of ['config/trunks', 'config/users', 'recordings']) fs.mkdirSync(path.join(dataDir, d), { recursive: true });
  fs.mkdirSync(path.dirname(moduleStateFile), { recursive: true });

  const dbFile = path.join(dataDir, 'calls.db');
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.exec('create table calls (id integer primary key, at text not null, caller text, callee text, recording blob)');
  const insert = db.prepare('insert into calls (at, caller, callee, recording) values (?, ?, ?, ?)');
  const dbTarget = (sizeMiB / 2) * 1024 * 1024;
  db.transaction(() => {
    for (let i = 0; ; i++) {
      insert.run(new Date(1.7e12 + i * 1000).toISOString(), `+4930${i}`, `+4989${i}`, crypto.randomBytes(2048 + (i % 4096)));
      if (i % 2000 === 0 && (db.pragma('page_count', { simple: true }) as number) * 4096 >= dbTarget) break;
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const dbBytes = fs.statSync(dbFile).size;

  let configBytes = 0;
  for (let i = 0; i < 300; i++) {
    const sub = ['config', 'config/trunks', 'config/users'][i % 3]!;
    const body = JSON.stringify(
      { id: i, name: `entry ${i}`, secret: crypto.randomBytes(400 + ((i * 97) % 6000)).toString('base64') },
      null,
      2,
    );
    fs.writeFileSync(path.join(dataDir, sub, `entry-${i}.json`), body);
    configBytes += body.length;
  }
  fs.writeFileSync(path.join(dataDir, 'schema-version'), '7\n');
  const block = Buffer.allocUnsafe(16 * 1024 * 1024);
  let rest = sizeMiB * 1024 * 1024 - dbBytes - configBytes;
  for (let i = 0; rest > 0; i++) {
    const bytes = Math.min(rest, 64 * 1024 * 1024);
    writeRandomFile(path.join(dataDir, 'recordings', `recording-${i}.wav`), bytes, block);
    rest -= bytes;
  }
  fs.writeFileSync(moduleStateFile, JSON.stringify({ modules: [{ id: 'ivr', name: 'IVR', version: '2.0.0', enabled: true }] }));
  const dataBytes = Number(execFileSync('du', ['-sb', dataDir], { encoding: 'utf8' }).split('\t')[0]);
  return { source: { dataDir, moduleStateFile }, dbBytes, dataBytes };
}

/** Part 1: the offline backup, the appliance stopped, against tar. */
async function benchOffline(ctx: Context): Promise<Row[]> {
  const copy: number[] = [];
  const withVerify: number[] = [];
  const tar: number[] = [];
  const tarSync: number[] = [];
  const previous = { path: null as string | null };
  const ours = async (round: number) => {
    const backups = path.join(ctx.work, `backups-offline-${round}`);
    freshStart(previous);
    const r = await patchbay(ctx, 'offline', [backups, ctx.source.dataDir, ctx.source.moduleStateFile]);
    previous.path = backups;
    copy.push(r.copyMs!);
    withVerify.push(r.ms);
  };
  const theirs = async (round: number) => {
    const out = path.join(ctx.work, `data-${round}.tar`);
    freshStart(previous);
    const t = (await time('tar', ['-cf', out, '-C', ctx.source.dataDir, '.']))!;
    const s = (await time('sync', ['-f', out]))!;
    previous.path = out;
    tar.push(t);
    tarSync.push(t + s);
  };
  const dd = async (round: number) => {
    const out = path.join(ctx.work, `dd-${round}.out`);
    freshStart(previous);
    const ms = (await time('dd', [`if=${path.join(ctx.source.dataDir, 'calls.db')}`, `of=${out}`, 'bs=4M', 'conv=fsync', 'status=none']))!;
    previous.path = out;
    ctx.ddMiBps.push(ctx.dbBytes / 1024 / 1024 / (ms / 1000));
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating who goes first evens out what the other left behind.
    const order = round % 2 === 0 ? [ours, theirs] : [theirs, ours];
    for (const side of order) await side(round);
    await dd(round);
  }
  freshStart(previous);
  return [
    { benchmark: '1. offline backup: copy + fsync', ours: copy, tool: 'tar -cf', theirs: tar, bytes: ctx.dataBytes },
    { benchmark: '1. offline backup: copy + fsync', ours: copy, tool: 'tar -cf + sync -f', theirs: tarSync, bytes: ctx.dataBytes },
    { benchmark: '1. offline backup: copy + fsync + verify', ours: withVerify, tool: 'tar -cf', theirs: tar, bytes: ctx.dataBytes },
  ];
}

/** A process inserting a row every 10 ms, as the running appliance would; reports its worst lateness. */
function startWriter(dbFile: string): { child: ChildProcess; stop(): Promise<{ rows: number; worstLateMs: number }> } {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require(${JSON.stringify(BETTER_SQLITE3)}))(${JSON.stringify(dbFile)});
       db.pragma('busy_timeout = 10000');
       db.exec('create table if not exists ticks (id integer primary key, at real, payload blob)');
       const insert = db.prepare('insert into ticks (at, payload) values (?, randomblob(200))');
       let rows = 0, worst = 0, last = performance.now();
       const timer = setInterval(() => {
         const now = performance.now();
         worst = Math.max(worst, now - last - 10);
         insert.run(Date.now());
         rows++;
         last = performance.now();
       }, 10);
       process.stdin.on('close', () => {
         clearInterval(timer);
         db.close();
         process.stdout.write(JSON.stringify({ rows, worstLateMs: Math.round(worst) }) + '\\n');
       });
       process.stdin.resume();
       process.stdout.write('ready\\n');`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    async stop() {
      child.stdin!.end();
      await exited;
      return JSON.parse(out.trim().split('\n').at(-1)!) as { rows: number; worstLateMs: number };
    },
  };
}

/** Part 2: the online backup of the database while it is written to, against the sqlite3 CLI. */
async function benchOnline(ctx: Context, writers: ReturnType<typeof startWriter>[]): Promise<Row[]> {
  // A copy of its own: the writer makes it grow, parts 1 and 3 keep theirs unchanged.
  const dataDir = path.join(ctx.work, 'online', 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, 'calls.db');
  fs.copyFileSync(path.join(ctx.source.dataDir, 'calls.db'), dbFile);
  const backups = (round: number, kind: string) => path.join(ctx.work, `backups-online-${kind}${round}`);
  const out = (round: number, kind: string) => path.join(ctx.work, 'online', `cli-backup-${kind}${round}.db`);
  const noModules = path.join(dataDir, 'no-module-state');
  const previous = { path: null as string | null };
  const copy: number[] = [];
  const withVerify: number[] = [];
  const idle: number[] = [];
  const cli: number[] = [];
  const cliIdle: number[] = [];
  let cliFinishes = true;
  const late = { ours: 0, cli: 0 };

  const withWriter = async <T>(fn: () => Promise<T>, who: 'ours' | 'cli'): Promise<T> => {
    const writer = startWriter(dbFile);
    writers.push(writer);
    await new Promise<void>((resolve) => writer.child.stdout!.once('data', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      return await fn();
    } finally {
      const stats = await writer.stop();
      writers.splice(writers.indexOf(writer), 1);
      late[who] = Math.max(late[who], stats.worstLateMs);
    }
  };
  for (let round = 0; round < ROUNDS; round++) {
    freshStart(previous);
    const r = await withWriter(() => patchbay(ctx, 'online', [backups(round, 'w'), dataDir, noModules]), 'ours');
    previous.path = backups(round, 'w');
    copy.push(r.copyMs!);
    withVerify.push(r.ms);

    if (cliFinishes) {
      freshStart(previous);
      const t = await withWriter(() => time('sqlite3', [dbFile, `.backup ${out(round, 'w')}`], CLI_TIMEOUT_S * 1000), 'cli');
      fs.rmSync(`${out(round, 'w')}-journal`, { force: true });
      previous.path = out(round, 'w');
      if (t === null) cliFinishes = false;
      else cli.push(t);
    }

    freshStart(previous);
    idle.push((await patchbay(ctx, 'online', [backups(round, 'i'), dataDir, noModules])).copyMs!);
    previous.path = backups(round, 'i');
    freshStart(previous);
    cliIdle.push((await time('sqlite3', [dbFile, `.backup ${out(round, 'i')}`]))!);
    previous.path = out(round, 'i');
  }
  freshStart(previous);
  ctx.notes.push(
    `Part 2: the writer's worst delay of a 10 ms insert was ${late.ours} ms during Patchbay's online backups` +
      (cli.length > 0 ? ` and ${late.cli} ms during sqlite3's.` : '.'),
  );
  if (!cliFinishes) {
    ctx.notes.push(
      `Part 2: \`sqlite3 .backup\` did not finish within ${CLI_TIMEOUT_S} s while the writer ran: the CLI copies 100 pages per ` +
        'step and SQLite restarts a backup whenever another connection writes between two steps; Patchbay copies all pages in one step.',
    );
  }
  const dbBytes = fs.statSync(dbFile).size;
  return [
    {
      benchmark: '2. online backup of the database, writer every 10 ms: backup API + hash + fsync',
      ours: copy,
      tool: 'sqlite3 .backup',
      theirs: cliFinishes ? cli : null,
      bytes: dbBytes,
    },
    {
      benchmark: '2. online backup of the database, writer every 10 ms: + verify',
      ours: withVerify,
      tool: 'sqlite3 .backup',
      theirs: cliFinishes ? cli : null,
      bytes: dbBytes,
    },
    { benchmark: '2. online backup of the database, no writer', ours: idle, tool: 'sqlite3 .backup', theirs: cliIdle, bytes: dbBytes },
  ];
}

/** Part 3: restore into an empty directory, against extracting a tar of the same data. */
async function benchRestore(ctx: Context): Promise<Row[]> {
  const backups = path.join(ctx.work, 'backups-restore');
  settle();
  const { id } = await patchbay(ctx, 'offline', [backups, ctx.source.dataDir, ctx.source.moduleStateFile]);
  await run('tar', ['-cf', ctx.tarFile, '-C', ctx.source.dataDir, '.']);
  const ours: number[] = [];
  const over: number[] = [];
  const tar: number[] = [];
  const tarSync: number[] = [];
  const previous = { path: null as string | null };
  const restore = async (round: number) => {
    const target = path.join(ctx.work, `restored-${round}`);
    freshStart(previous);
    fs.mkdirSync(target);
    const args = [backups, id!, path.join(target, 'data'), path.join(target, 'modules', 'state.json')];
    ours.push((await patchbay(ctx, 'restore', args)).ms);
    // Again, over the data just restored: what a rollback pays, the removal of the old data included.
    settle();
    over.push((await patchbay(ctx, 'restore', args)).ms);
    previous.path = target;
  };
  const extract = async (round: number) => {
    const target = path.join(ctx.work, `extracted-${round}`);
    freshStart(previous);
    fs.mkdirSync(target);
    const t = (await time('tar', ['-xf', ctx.tarFile, '-C', target]))!;
    const s = (await time('sync', ['-f', target]))!;
    previous.path = target;
    tar.push(t);
    tarSync.push(t + s);
  };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [restore, extract] : [extract, restore];
    for (const side of order) await side(round);
  }
  freshStart(previous);
  fs.rmSync(backups, { recursive: true, force: true });
  fs.rmSync(ctx.tarFile, { force: true });
  return [
    { benchmark: '3. restore into an empty directory', ours, tool: 'tar -xf', theirs: tar, bytes: ctx.dataBytes },
    { benchmark: '3. restore into an empty directory', ours, tool: 'tar -xf + sync -f', theirs: tarSync, bytes: ctx.dataBytes },
    {
      benchmark: '3. restore over the current data (old data removed)',
      ours: over,
      tool: 'tar -xf (empty dir)',
      theirs: tar,
      bytes: ctx.dataBytes,
    },
  ];
}

function printTable(rows: Row[]): void {
  const range = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;
  const fmt = (xs: number[], bytes: number) => {
    const ms = median(xs);
    return `${Math.round(ms)} ms (${Math.round(bytes / 1024 / 1024 / (ms / 1000))} MiB/s; rounds ${range(xs)})`;
  };
  console.log('| benchmark | Patchbay | standard tool | ratio (tool time / Patchbay time) |');
  console.log('| --- | --- | --- | --- |');
  for (const r of rows) {
    const ours = median(r.ours);
    const theirs = r.theirs ? median(r.theirs) : null;
    console.log(
      `| ${r.benchmark} | ${fmt(r.ours, r.bytes)} | ${r.tool}: ${r.theirs === null ? `did not finish in ${CLI_TIMEOUT_S} s` : fmt(r.theirs, r.bytes)} | ` +
        `${theirs === null ? '—' : (theirs / ours).toFixed(2)} |`,
    );
  }
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-install-bench-'));
  const writers: ReturnType<typeof startWriter>[] = [];
  const cleanup = () => {
    for (const w of writers) w.child.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  };
  const interrupted = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const built = performance.now();
    const data = buildDataDir(work, SIZE_MIB);
    const ctx: Context = { work, ...data, tarFile: path.join(work, 'data.tar'), rss: {}, ddMiBps: [], notes: [] };
    console.log(
      `data directory: ${(ctx.dataBytes / 1024 / 1024).toFixed(0)} MiB (database ${(ctx.dbBytes / 1024 / 1024).toFixed(0)} MiB), ` +
        `built in ${((performance.now() - built) / 1000).toFixed(1)} s; ${ROUNDS} rounds, medians; ${os.cpus().length} cores; ` +
        'the page cache is warm for both sides (it cannot be dropped reliably here).',
    );
    const rows = [
      ...(PARTS.has(1) ? await benchOffline(ctx) : []),
      ...(PARTS.has(2) ? await benchOnline(ctx, writers) : []),
      ...(PARTS.has(3) ? await benchRestore(ctx) : []),
    ];
    console.log('');
    printTable(rows);
    console.log('');
    console.log(
      `Peak memory of the Patchbay process, MiB (RSS / anonymous): ${Object.entries(ctx.rss)
        .map(([op, m]) => `${op} ${Math.round(m.rss)} / ${Math.round(m.anon)}`)
        .join(', ')}. ` +
        'RSS counts the database pages integrity_check maps (mmap), file pages shared with the page cache; anonymous is what the process allocated.',
    );
    if (ctx.ddMiBps.length)
      console.log(
        `This disk took durable writes (dd conv=fsync of the database) at ${Math.round(median(ctx.ddMiBps))} MiB/s ` +
          `(rounds: ${ctx.ddMiBps.map((x) => Math.round(x)).join(', ')}): Patchbay fsyncs every file, tar -cf does not.`,
      );
    for (const note of ctx.notes) console.log(note);
    console.log('Goal: ratio >= 0.8 for the offline copy + fsync against tar -cf.');
    // Part 4 builds its own appliance and data; the big files of parts 1-3 go first.
    cleanup();
    if (PARTS.has(4))
      await benchInstallDowntime({
        rounds: ROUNDS,
        releaseMiB: Number(process.env.BENCH_RELEASE_MIB ?? 200),
        dataMiB: Number(process.env.BENCH_INSTALL_DATA_MIB ?? 500),
      });
  } finally {
    cleanup();
  }
}

await main();
