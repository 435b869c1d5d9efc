/**
 * Crash tests of installations: real Patchbay processes (test/helpers/crash-harness.ts under tsx,
 * each in its own process group) on copies of a prepared PATCHBAY_HOME, killed with SIGKILL at a
 * chosen point, started again, and the state they recover to checked on disk and through the API.
 * Every process started here is killed by `teardown`, whatever the tests did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, it, onTestFailed } from 'vitest';
import { HttpClient } from './graphql-clients.js';
import { install, job, leftovers, liveFiles, plannedModules, stageDownload, treeHashes, waitForJob, type JobView } from './install-api.js';
import { type InstallFeed, prepareForInstall, publishInstallFeed, RELEASE_8_2_0 } from './install-feed.js';
import { answeredDemoCalls, outcomeOf, runSippUac } from './sipp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const HARNESS = path.join(ROOT, 'test', 'helpers', 'crash-harness.ts');
const PASSWORD = 'correct horse battery staple';

export const FROM_VERSION = '8.1.0';
export const TARGET_VERSION = '8.2.0';
/** 8.2.0 as built to fail: it migrates the data, then never becomes healthy. */
export const FAILING_VERSION = '8.2.1';

/** FAILED: killed before the appliance stopped (waiting for calls): nothing was touched. */
export type Outcome = 'SUCCEEDED' | 'RESTORED' | 'ROLLED_BACK' | 'FAILED';

/** Where the first process dies. */
export type KillPoint =
  | { step: string; scope?: 'group' | 'process' }
  /** While the installation waits for a call to end, the appliance drained (the case holds a call). */
  | { whileDraining: true; scope?: 'group' | 'process' }
  /** In the middle of the backup's copy, after this many bytes were written. */
  | { backupBytes: number };

export interface Template {
  home: string;
  /** The staged job, when the template has one. */
  jobId: string | null;
  /** The modules the plan selects for the target (the installation takes them along). */
  modules: { moduleId: string; version: string }[];
  /** The appliance's data before any installation (live files of a running SQLite left out). */
  data: Record<string, string>;
  /** Bytes an offline backup of that data copies. */
  dataBytes: number;
  /** The module state file before any installation. */
  moduleState: string;
  /** Id, caller and callee of every call record before any installation. */
  calls: { id: number; caller: string; callee: string }[];
}

export interface Harness {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface CrashCase {
  template: Template;
  kill: KillPoint;
  /** What is installed: the template's staged job, or a version in one go. */
  install: { jobId: string } | { version: string; modules: { moduleId: string; version: string }[]; acknowledgeWarnings: true };
  /** The version being installed (the new release's directory). */
  targetVersion: string;
  outcome: Outcome;
  /** The step shown INTERRUPTED in the job's steps. */
  interrupted: string;
  /** The error code of a job that did not succeed. */
  errorCode?: string;
  healthCheckTimeoutMs?: number;
  /** A SIP call held across the start of the installation (SIPp), so that it waits in DRAIN. */
  holdCall?: boolean;
  /** Extra checks of what the killed process left, before the restart. */
  afterKill?: (home: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child process's exit, or null when it did not come within `ms`. */
async function exitWithin(h: Harness, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  try {
    return await Promise.race([h.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class CrashLab {
  private dir = '';
  private feed: InstallFeed | null = null;
  /** Every process group started here (a group outlives its leader when an appliance is orphaned). */
  private readonly groups: ChildProcess[] = [];
  private cases = 0;
  private processes = 0;
  /** Output of the processes of the running case (or of the preparation), printed if it fails. */
  private output: string[] = [];

  constructor(private readonly name: string) {}

  /** A working directory, and a feed on 127.0.0.1 with 8.2.0 and 8.2.1 (which fails its health check after migrating). */
  async publish(): Promise<void> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `patchbay-${this.name}-`));
    this.feed = await publishInstallFeed(path.join(this.dir, 'feed'), {
      releases: [RELEASE_8_2_0, { ...RELEASE_8_2_0, version: FAILING_VERSION, manifest: { failHealth: true } }],
    });
  }

  /** Kills every process group started here (an orphaned appliance is in its group too), then removes the files. */
  async teardown(): Promise<void> {
    this.killGroups();
    await this.feed?.close();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private killGroups(): void {
    for (const child of this.groups.splice(0)) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }
  }

  /** Starts the harness on `home`; resolves once it listens. */
  async start(home: string, env: Record<string, string> = {}): Promise<Harness> {
    const child = spawn(TSX, [HARNESS], {
      cwd: ROOT,
      env: {
        // Only this lab's settings: none of the PATCHBAY_* of the environment running the tests.
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PATCHBAY_'))),
        PORT: '0',
        HOST: '127.0.0.1',
        PATCHBAY_HOME: home,
        PATCHBAY_ADMIN_PASSWORD: PASSWORD,
        PATCHBAY_DEMO_CALL_INTERVAL_MS: '0',
        PATCHBAY_LOG_LEVEL: 'info',
        ...this.feed!.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a kill of the group reaches tsx, Patchbay and the appliance.
      detached: true,
    });
    this.groups.push(child);
    const label = `[${++this.processes}:${path.basename(home)}${env.PATCHBAY_TEST_KILL_AT ? ` kill@${env.PATCHBAY_TEST_KILL_AT}` : ''}${
      env.PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES ? ` kill@${env.PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES}B` : ''
    }]`;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        this.output.push(`${label} exited (code ${code}, signal ${signal})\n`);
        resolve({ code, signal });
      }),
    );
    return new Promise((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`${label} did not listen within 30 s`)), 30_000);
      const onData = (d: Buffer) => {
        const text = d.toString();
        this.output.push(`${label} ${text}`);
        seen += text;
        const m = /listening on (http:\/\/\S+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve({ child, url: m[1]!, exited });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${label} exited before listening`));
      });
    });
  }

  /** SIGTERM to tsx, which passes it on: Patchbay stops the appliance and exits. */
  async stop(h: Harness): Promise<void> {
    h.child.kill('SIGTERM');
    if ((await exitWithin(h, 20_000)) === null) throw new Error('Patchbay did not stop within 20 s of SIGTERM');
  }

  async login(h: Harness): Promise<HttpClient> {
    const client = new HttpClient(h.url);
    const res = await client.login('admin', PASSWORD);
    if ((res.data as { login?: { __typename: string } } | null)?.login?.__typename !== 'LoginSuccess') {
      throw new Error(`login failed: ${JSON.stringify(res)}`);
    }
    return client;
  }

  /**
   * A home with the licence imported and the versions found and, with `stage`, that version
   * downloaded and staged with the modules the plan selects. Patchbay stopped gracefully: the
   * home can be copied.
   */
  async template(name: string, { stage, modulesFor = stage }: { stage?: string; modulesFor?: string }): Promise<Template> {
    this.output = [];
    const home = path.join(this.dir, 'templates', name);
    const h = await this.start(home);
    try {
      const client = await this.login(h);
      // The data is the one of an appliance that has run (Patchbay listens before it is up).
      const system = await waitForSystem(client, 'RUNNING', 20_000);
      if (system.state !== 'RUNNING') throw new Error(`the appliance of the template is ${system.state}, not RUNNING`);
      await prepareForInstall(client, this.feed!);
      const modules = modulesFor ? await plannedModules(client, modulesFor) : [];
      const jobId = stage ? await stageDownload(client, stage, modules) : null;
      await this.stop(h);
      const dataDir = path.join(home, 'appliance', 'data');
      const data = treeHashes(dataDir, liveFiles);
      const dataBytes = Object.keys(data).reduce((n, rel) => n + fs.statSync(path.join(dataDir, rel)).size, 0);
      const moduleState = fs.readFileSync(path.join(home, 'appliance', 'modules', 'state.json'), 'utf8');
      const calls = readCalls(dataDir, path.join(this.dir, 'scratch', name)).calls;
      return { home, jobId, modules, data, dataBytes, moduleState, calls };
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.output.join('')}`);
    }
  }

  /**
   * One crash case: a fresh copy of the template, the installation killed at the kill point,
   * Patchbay started again, and every check of what it recovers to.
   */
  async run(c: CrashCase): Promise<JobView> {
    this.output = [];
    const output = this.output;
    onTestFailed(() => {
      // What a failed case started must not load the machine during the next ones.
      this.killGroups();
      console.log(`--- output of the processes of this case ---\n${output.join('')}`);
    });
    const home = path.join(this.dir, `case-${++this.cases}`);
    // verbatimSymlinks: `current` stays relative (releases/8.1.0), pointing into the copy.
    fs.cpSync(c.template.home, home, { recursive: true, verbatimSymlinks: true });
    const root = path.join(home, 'appliance');
    const dataDir = path.join(root, 'data');
    const alone = 'scope' in c.kill && c.kill.scope === 'process';

    const killEnv: Record<string, string> =
      'step' in c.kill
        ? { PATCHBAY_TEST_KILL_AT: c.kill.step, PATCHBAY_TEST_KILL_SCOPE: c.kill.scope ?? 'group' }
        : 'whileDraining' in c.kill
          ? { PATCHBAY_TEST_KILL_WHILE_DRAINING: '1', PATCHBAY_TEST_KILL_SCOPE: c.kill.scope ?? 'group' }
          : { PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES: String(c.kill.backupBytes) };
    const timeout: Record<string, string> = c.healthCheckTimeoutMs
      ? { PATCHBAY_TEST_HEALTHCHECK_TIMEOUT_MS: String(c.healthCheckTimeoutMs) }
      : {};
    const first = await this.start(home, { ...killEnv, ...timeout });
    const firstClient = await this.login(first);
    // Patchbay listens before its appliance is up, and an installation starts only from a healthy one.
    expect(await waitForSystem(firstClient, 'RUNNING', 20_000), 'the appliance runs before the installation').toMatchObject({
      state: 'RUNNING',
    });
    const sipPort = async (client: HttpClient) =>
      (await client.query<{ system: { sipPort: number } }>('{ system { sipPort } }')).data!.system.sipPort;
    const heldOn = c.holdCall ? await sipPort(firstClient) : null;
    if (heldOn !== null) {
      // Held past the kill: it is only cut when the recovery restarts the appliance.
      void runSippUac(heldOn, { calls: 1, holdMs: 120_000, timeoutS: 150 });
      await expect.poll(() => answeredDemoCalls(home), { timeout: 10_000 }).toBe(1);
    }
    // A kill at PREFLIGHT may come before the answer leaves: only the connection may fail then.
    const res = await install(firstClient, c.install).catch((err: unknown) => err as Error);
    if (res instanceof Error) expect(res.message).toBe('fetch failed');
    else expect(res.__typename, JSON.stringify(res)).toBe('InstallSuccess');
    // The whole group dies of the signal; killed alone, Patchbay leaves tsx to exit with 128 + 9.
    expect(await exitWithin(first, 45_000), 'the first Patchbay died at the kill point').toEqual(
      alone ? { code: 137, signal: null } : { code: null, signal: 'SIGKILL' },
    );
    const killed = readJournal(home);
    const jobId = killed.jobId;
    if (!(res instanceof Error)) expect(res.job!.id).toBe(jobId);
    expect(killed.phase).toBe(c.interrupted.startsWith('ROLLBACK_') ? 'ROLLING_BACK' : 'FORWARD');
    expect(killed.step).toBe(c.interrupted);
    const orphan = alone ? Number(fs.readFileSync(path.join(dataDir, 'pbx.pid'), 'utf8')) : null;
    if (orphan !== null) expect(alive(orphan), 'the appliance runs on without Patchbay').toBe(true);
    if (heldOn !== null && orphan !== null) {
      const refused = await runSippUac(heldOn, { calls: 1, holdMs: 100 });
      expect(refused.calls.map(outcomeOf), 'the orphaned appliance still refuses new calls: it was drained').toEqual(['refused']);
    }
    c.afterKill?.(home);

    const second = await this.start(home);
    const client = await this.login(second);
    await waitForJob(client, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    const succeeded = c.outcome === 'SUCCEEDED';
    const version = succeeded ? c.targetVersion : FROM_VERSION;

    // 1. An intact release runs.
    expect(await waitForSystem(client, 'RUNNING', 20_000)).toEqual({ version, state: 'RUNNING' });
    expect(fs.readlinkSync(path.join(root, 'current'))).toBe(path.join('releases', version));
    expect(JSON.parse(fs.readFileSync(path.join(root, 'current', 'manifest.json'), 'utf8')).version).toBe(version);
    const pid = Number(fs.readFileSync(path.join(dataDir, 'pbx.pid'), 'utf8'));
    expect(appliancesOn(dataDir), 'exactly one appliance serves the data, the one of the pid file').toEqual([pid]);
    if (orphan !== null) {
      expect(pid).not.toBe(orphan);
      expect(alive(orphan), 'the orphaned appliance was stopped').toBe(false);
    }

    // 3. The job says what happened, and that Patchbay stopped in the middle.
    const view = await job(client, jobId);
    expect(view.state, JSON.stringify(view)).toBe(succeeded ? 'SUCCEEDED' : 'FAILED');
    expect(view.outcome).toBe(c.outcome);
    expect(view.restored).toBe(c.outcome === 'RESTORED');
    expect(view.error?.code ?? null).toBe(succeeded ? null : (c.errorCode ?? 'INTERRUPTED'));
    expect(view.events.map((e) => e.type)).toContain('RECOVERY');
    expect(view.steps.filter((s) => s.outcome === 'INTERRUPTED').map((s) => s.step)).toEqual([c.interrupted]);
    expect(view.steps.filter((s) => s.outcome === 'RUNNING')).toEqual([]);
    if (c.holdCall) {
      // Never left refusing calls: the recovery undid the drain, and the PBX answers again.
      expect(view.events.map((e) => e.type)).toContain('UNDRAINED');
      const answered = await runSippUac(await sipPort(client), { calls: 1, holdMs: 100 });
      expect(answered.calls.map(outcomeOf), 'a new call is answered after the recovery').toEqual(['completed']);
    }

    // 2. The data: as before, byte for byte, or migrated with every call kept.
    await this.stop(second);
    const moduleState = fs.readFileSync(path.join(root, 'modules', 'state.json'), 'utf8');
    if (succeeded) {
      expect(fs.readFileSync(path.join(dataDir, 'schema-version'), 'utf8').trim()).toBe('2');
      const after = readCalls(dataDir, path.join(this.dir, 'scratch', path.basename(home)));
      expect(after.columns).toContain('recorded');
      expect(after.calls).toEqual(c.template.calls);
      const modules = (JSON.parse(moduleState) as { modules: { id: string; version: string }[] }).modules;
      for (const m of c.template.modules) expect(modules).toContainEqual(expect.objectContaining({ id: m.moduleId, version: m.version }));
    } else if (c.holdCall) {
      // The PBX recorded the SIP calls of the case in its call database: every other file as before,
      // and every call record of before kept.
      const untouched = (rel: string) => liveFiles(rel) || rel === 'calls.db';
      const { ['calls.db']: _calls, ...before } = c.template.data;
      expect(treeHashes(dataDir, untouched)).toEqual(before);
      expect(readCalls(dataDir, path.join(this.dir, 'scratch', path.basename(home))).calls).toEqual(c.template.calls);
      expect(moduleState).toBe(c.template.moduleState);
    } else {
      expect(treeHashes(dataDir, liveFiles)).toEqual(c.template.data);
      expect(moduleState).toBe(c.template.moduleState);
    }

    // 4. The journal is finished.
    const journal = readJournal(home);
    expect(journal.phase).toBe('DONE');
    expect(journal.outcome).toBe(c.outcome);

    // 5. Nothing temporary or staged is left; after a rollback, what the installation added is gone.
    expect(leftovers(home)).toEqual([]);
    expect(fs.existsSync(path.join(home, 'staging', jobId))).toBe(false);
    expect(fs.existsSync(path.join(home, 'downloads', jobId))).toBe(false);
    expect(fs.existsSync(path.join(root, 'releases', FROM_VERSION, 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'releases', c.targetVersion))).toBe(succeeded);
    for (const m of c.template.modules) expect(fs.existsSync(path.join(root, 'modules', m.moduleId, m.version))).toBe(succeeded);

    fs.rmSync(home, { recursive: true, force: true });
    return view;
  }
}

async function waitForSystem(client: HttpClient, state: string, timeoutMs: number): Promise<{ version: string; state: string }> {
  const deadline = Date.now() + timeoutMs;
  let last: { version: string; state: string } | undefined;
  while (Date.now() < deadline) {
    last = (await client.query<{ system: { version: string; state: string } }>('{ system { version state } }')).data?.system;
    if (last?.state === state) return last;
    await sleep(100);
  }
  return last ?? { version: '', state: 'UNKNOWN' };
}

function readJournal(home: string): { jobId: string; phase: string; outcome: string | null; step: string } {
  return JSON.parse(fs.readFileSync(path.join(home, 'install', 'journal.json'), 'utf8'));
}

/**
 * The call records and the columns of `calls.db`, read from a copy (in `scratch`): opening the
 * database itself would leave SQLite's shared-memory file beside it.
 */
function readCalls(dataDir: string, scratch: string): { columns: string[]; calls: { id: number; caller: string; callee: string }[] } {
  fs.mkdirSync(scratch, { recursive: true });
  for (const name of ['calls.db', 'calls.db-wal']) {
    if (fs.existsSync(path.join(dataDir, name))) fs.copyFileSync(path.join(dataDir, name), path.join(scratch, name));
  }
  const db = new Database(path.join(scratch, 'calls.db'), { readonly: true, fileMustExist: true });
  try {
    const columns = (db.prepare('PRAGMA table_info(calls)').all() as { name: string }[]).map((c) => c.name);
    const calls = db.prepare('SELECT id, caller, callee FROM calls ORDER BY id').all() as { id: number; caller: string; callee: string }[];
    return { columns, calls };
  } finally {
    db.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by whoever adopted it) is gone too.
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of the live demo PBX processes serving `dataDir`. */
function appliancesOn(dataDir: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('pbx.cjs')) continue;
      if (!fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`PBX_DATA_DIR=${dataDir}`)) continue;
      if (alive(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return pids;
}

/**
 * One test per step of a separate installation of TARGET_VERSION killed there: each restarts on a
 * copy of the staged template and must end with the case's outcome.
 */
export function killedAtEachStep(
  lab: CrashLab,
  template: () => Template,
  cases: readonly { step: string; outcome: Outcome; why: string }[],
): void {
  for (const { step, outcome, why } of cases) {
    it(`killed at ${step}, ends ${outcome}: ${why}`, async () => {
      await lab.run({
        template: template(),
        kill: { step },
        install: { jobId: template().jobId! },
        targetVersion: TARGET_VERSION,
        outcome,
        interrupted: step,
      });
    });
  }
}
