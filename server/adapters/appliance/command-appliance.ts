/**
 * A real appliance driven through configured commands (`systemctl start pbx`…) and a health URL.
 * Its process belongs to its own init system, which restarts it; this adapter therefore never
 * reports an exit itself: crashes show up as failed health checks.
 */
import { execFile } from 'node:child_process';
import type { ApplianceExit, ApplianceHealth, ApplianceRuntime } from './appliance-runtime.js';
import { probeHealth } from './child-process-appliance.js';
import { ApplianceError } from '../../domain/errors/index.js';

export interface CommandApplianceOptions {
  startCommand: string[];
  stopCommand: string[];
  healthUrl: string;
  commandTimeoutMs?: number;
  healthTimeoutMs?: number;
}

function run(command: string[], timeoutMs: number, code: 'APPLIANCE_START_FAILED' | 'APPLIANCE_STOP_FAILED'): Promise<void> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    execFile(file!, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      const exitCode = typeof e.code === 'number' ? e.code : null;
      const why = e.killed ? `timed out after ${timeoutMs} ms` : exitCode !== null ? `exited with code ${exitCode}` : e.message;
      reject(
        new ApplianceError(code, `\`${command.join(' ')}\` ${why}: ${String(stderr).trim().slice(-500)}`, {
          exitCode,
          stderr: String(stderr).slice(-2000),
        }),
      );
    });
  });
}

export class CommandAppliance implements ApplianceRuntime {
  private running = false;

  constructor(private readonly options: CommandApplianceOptions) {}

  async start(): Promise<void> {
    await run(this.options.startCommand, this.options.commandTimeoutMs ?? 60_000, 'APPLIANCE_START_FAILED');
    this.running = true;
  }

  async stop(): Promise<void> {
    await run(this.options.stopCommand, this.options.commandTimeoutMs ?? 60_000, 'APPLIANCE_STOP_FAILED');
    this.running = false;
  }

  health(): Promise<ApplianceHealth> {
    return probeHealth(this.options.healthUrl, this.options.healthTimeoutMs ?? 2000);
  }

  onUnexpectedExit(_listener: (exit: ApplianceExit) => void): () => void {
    return () => {};
  }

  /** What Patchbay last did; the appliance's real state is what `health()` says. */
  isRunning(): boolean {
    return this.running;
  }
}
