/**
 * The call control of a real appliance through three configured commands: one printing the number
 * of calls in progress (a bare integer, nothing else), one draining, one undoing it. A command
 * that fails, hangs past its timeout or prints anything but an integer is a typed
 * `CallControlError`, never a guess: an installation must not believe a PBX drained when it did not.
 */
import { CallControlError, type CallControlErrorCode } from '../../domain/errors/index.js';
import type { CallControl } from './appliance-runtime.js';
import { runCommand } from './command-runner.js';

export interface CallCommands {
  activeCalls: string[];
  drain: string[];
  undrain: string[];
}

export class CommandCallControl implements CallControl {
  readonly supported = true;

  constructor(
    private readonly commands: CallCommands,
    private readonly timeoutMs: number,
  ) {}

  async activeCalls(): Promise<number> {
    const stdout = await this.run(this.commands.activeCalls, 'ACTIVE_CALLS_UNREADABLE');
    const printed = stdout.trim();
    if (!/^\d{1,9}$/.test(printed)) {
      throw new CallControlError(
        'ACTIVE_CALLS_UNREADABLE',
        `\`${this.commands.activeCalls.join(' ')}\` printed ${JSON.stringify(printed.slice(0, 80))} instead of a whole number of calls.`,
        { stdout: printed.slice(0, 500) },
      );
    }
    return Number(printed);
  }

  async drain(): Promise<void> {
    await this.run(this.commands.drain, 'DRAIN_FAILED');
  }

  async undrain(): Promise<void> {
    await this.run(this.commands.undrain, 'UNDRAIN_FAILED');
  }

  private run(command: string[], code: CallControlErrorCode): Promise<string> {
    return runCommand(command, this.timeoutMs, (message, failure) => new CallControlError(code, message, { ...failure }));
  }
}
