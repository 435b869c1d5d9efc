/**
 * The appliance as a supervised child process (the embedded demo and the tests): started from the
 * manifest of the `current` release, its ports learnt from its "listening" line, stopped with
 * SIGTERM then SIGKILL, and never left behind when Patchbay exits. Its SIP port stays the same
 * across restarts: the one configured, or the one the first start picked, so that phones and
 * test clients pointed at it find the PBX again after an update.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { ApplianceLayout } from './appliance-layout.js';
import type { ApplianceExit, ApplianceHealth, ApplianceRuntime, CallControl } from './appliance-runtime.js';
import { DemoCallControl } from './demo-call-control.js';
import { ApplianceError } from '../../domain/errors/index.js';

export interface ChildProcessApplianceOptions {
  layout: ApplianceLayout;
  /** Patchbay's node_modules, where the demo finds better-sqlite3. */
  nodePath: string;
  env?: Record<string, string>;
  /** The UDP port the PBX answers SIP on (loopback); 0 = the first start picks one, later starts keep it. */
  sipPort?: number;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  healthTimeoutMs?: number;
  logger?: Logger;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class ChildProcessAppliance implements ApplianceRuntime {
  private child: ChildProcess | null = null;
  private port: number | null = null;
  private sipPortInUse: number | null = null;
  private healthPath = '/health';
  private stopping: Promise<void> | null = null;
  private readonly exitListeners = new Set<(exit: ApplianceExit) => void>();
  private readonly logger: Logger;

  readonly calls: CallControl;

  constructor(private readonly options: ChildProcessApplianceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.calls = new DemoCallControl(() => (this.isRunning() ? this.port : null));
  }

  /** The SIP port of the running PBX; null while it is not running (or a release that speaks no SIP). */
  get sipPort(): number | null {
    return this.isRunning() && this.port !== null ? this.sipPortInUse : null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.isRunning()) return;
    const { layout } = this.options;
    await this.stopOrphan();
    const releaseDir = await layout.currentReleaseDir();
    const manifest = await layout.readManifest(releaseDir);
    this.healthPath = manifest.health.path;
    const [command, ...args] = manifest.start.command;
    // The manifest says `node`: run it with the very Node that runs Patchbay.
    const executable = command === 'node' ? process.execPath : path.resolve(releaseDir, command!);
    const child = spawn(executable, args, {
      cwd: releaseDir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_PATH: this.options.nodePath,
        PBX_DATA_DIR: layout.dataDir,
        PBX_HOST: '127.0.0.1',
        PBX_PORT: '0',
        PBX_SIP_PORT: String(this.sipPortInUse ?? this.options.sipPort ?? 0),
        PBX_MODULES_FILE: layout.moduleStateFile,
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    this.child = child;
    this.port = null;
    let stderrTail = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString()).slice(-2000);
    });

    const listening = new Promise<{ port: number; sipPort: number | null }>((resolve, reject) => {
      let buffer = '';
      child.stdout!.on('data', (d: Buffer) => {
        buffer += d.toString();
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          try {
            const event = JSON.parse(line) as { event?: string; port?: number; sipPort?: number };
            if (event.event === 'listening' && typeof event.port === 'number')
              resolve({ port: event.port, sipPort: typeof event.sipPort === 'number' ? event.sipPort : null });
            else this.logger.debug('appliance', { line: event });
          } catch {
            this.logger.debug('appliance output', { line });
          }
        }
      });
      child.once('exit', (code, signal) =>
        reject(
          new ApplianceError(
            'APPLIANCE_START_FAILED',
            `The appliance exited during start (code ${code}, signal ${signal}): ${stderrTail.trim()}`,
            {
              code,
              signal,
              stderr: stderrTail,
            },
          ),
        ),
      );
      child.once('error', (err) =>
        reject(new ApplianceError('APPLIANCE_START_FAILED', `The appliance could not be launched: ${err.message}`)),
      );
    });

    child.once('exit', (code, signal) => {
      live.delete(child);
      const expected = this.stopping !== null || this.child !== child;
      if (this.child === child) this.child = null;
      if (!expected) {
        this.logger.warn('appliance exited unexpectedly', { code, signal, stderr: stderrTail.trim().slice(-500) });
        for (const listener of this.exitListeners) listener({ code, signal });
      }
    });

    const timeoutMs = this.options.startTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const ports = await Promise.race([
        listening,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ApplianceError('APPLIANCE_START_FAILED', `The appliance did not listen within ${timeoutMs} ms.`)),
            timeoutMs,
          );
        }),
      ]);
      this.port = ports.port;
      this.sipPortInUse = ports.sipPort ?? this.sipPortInUse;
    } catch (err) {
      if (this.isRunning()) await this.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A Patchbay killed with SIGKILL leaves its appliance running, unsupervised, on the same data:
   * stop that instance (named by the pid file it keeps) before starting another.
   */
  private async stopOrphan(): Promise<void> {
    const pidFile = path.join(this.options.layout.dataDir, 'pbx.pid');
    const pid = Number(
      await fsp.readFile(pidFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '';
        throw err;
      }),
    );
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !isDemoPbx(pid)) return;
    this.logger.warn('stopping an appliance left running by a previous Patchbay', { pid });
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + (this.options.stopTimeoutMs ?? 10_000);
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }

  /** Stops the appliance: its own child, or one that a killed predecessor left running on the same data. */
  stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.isRunning()) return this.stopOrphan();
    this.stopping ??= new Promise<void>((resolve) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 10_000);
      child.once('exit', () => {
        clearTimeout(killer);
        this.stopping = null;
        resolve();
      });
      child.kill('SIGTERM');
    });
    return this.stopping;
  }

  async health(): Promise<ApplianceHealth> {
    if (!this.isRunning() || this.port === null) {
      return { healthy: false, telephonyAvailable: false, version: null, detail: 'not running' };
    }
    return probeHealth(`http://127.0.0.1:${this.port}${this.healthPath}`, this.options.healthTimeoutMs ?? 2000);
  }

  onUnexpectedExit(listener: (exit: ApplianceExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // ESRCH: no such process. EPERM: it exists, but is not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Only a process running the demo PBX program is ours to stop (pids get reused). */
function isDemoPbx(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pbx.cjs');
  } catch (err) {
    // The process ended meanwhile.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** One GET of a health URL: 2xx is healthy; a JSON body may say `telephony` and `version`. */
export async function probeHealth(url: string, timeoutMs: number): Promise<ApplianceHealth> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => ({}))) as { telephony?: string; version?: string };
    const healthy = res.ok;
    return {
      healthy,
      telephonyAvailable: healthy && (body.telephony === undefined || body.telephony === 'available'),
      version: typeof body.version === 'string' ? body.version : null,
      detail: healthy ? null : `HTTP ${res.status}`,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const detail =
      e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : e.cause?.code === 'ECONNREFUSED' ? 'connection refused' : e.message;
    return { healthy: false, telephonyAvailable: false, version: null, detail };
  }
}
