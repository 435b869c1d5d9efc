/**
 * A real appliance driven through configured commands (`systemctl start pbx`…) and a health URL.
 * Its process belongs to its own init system, which restarts it; this adapter therefore never
 * reports an exit itself: crashes show up as failed health checks. Calls and draining go through
 * further configured commands; without them the appliance says it cannot drain.
 */
import type { ApplianceExit, ApplianceHealth, ApplianceRuntime, CallControl } from './appliance-runtime.js';
import { probeHealth } from './child-process-appliance.js';
import { CommandCallControl, type CallCommands } from './command-call-control.js';
import { runCommand } from './command-runner.js';
import { unsupportedCallControl } from './unsupported-call-control.js';
import { ApplianceError } from '../../domain/errors/index.js';

export interface CommandApplianceOptions {
  startCommand: string[];
  stopCommand: string[];
  healthUrl: string;
  /** Active-calls, drain and undrain commands; null: this appliance cannot drain. */
  callCommands?: CallCommands | null;
  commandTimeoutMs?: number;
  /** For the call commands, which run while the PBX serves calls and must answer quickly. */
  callCommandTimeoutMs?: number;
  healthTimeoutMs?: number;
}

export class CommandAppliance implements ApplianceRuntime {
  private running = false;
  readonly calls: CallControl;

  constructor(private readonly options: CommandApplianceOptions) {
    this.calls = options.callCommands
      ? new CommandCallControl(options.callCommands, options.callCommandTimeoutMs ?? 10_000)
      : unsupportedCallControl;
  }

  async start(): Promise<void> {
    await this.run(this.options.startCommand, 'APPLIANCE_START_FAILED');
    this.running = true;
  }

  async stop(): Promise<void> {
    await this.run(this.options.stopCommand, 'APPLIANCE_STOP_FAILED');
    this.running = false;
  }

  private async run(command: string[], code: 'APPLIANCE_START_FAILED' | 'APPLIANCE_STOP_FAILED'): Promise<void> {
    await runCommand(
      command,
      this.options.commandTimeoutMs ?? 60_000,
      (message, failure) => new ApplianceError(code, message, { ...failure }),
    );
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
