/**
 * Runs one configured appliance command (no shell: the configured words are the argv) with a
 * timeout, and turns a failure into the caller's typed error with the facts behind it: the exit
 * code, the end of stderr, and whether it hung.
 */
import { execFile } from 'node:child_process';

export interface CommandFailure {
  /** The exit code; null when it was killed (timeout) or could not be launched. */
  exitCode: number | null;
  timedOut: boolean;
  stderr: string;
}

/** Resolves with the command's stdout; rejects with `fail(message, failure)`. */
export function runCommand(
  command: string[],
  timeoutMs: number,
  fail: (message: string, failure: CommandFailure) => Error,
): Promise<string> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    execFile(file!, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve(String(stdout));
      const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      const exitCode = typeof e.code === 'number' ? e.code : null;
      const timedOut = e.killed === true;
      const why = timedOut ? `timed out after ${timeoutMs} ms` : exitCode !== null ? `exited with code ${exitCode}` : e.message;
      reject(
        fail(`\`${command.join(' ')}\` ${why}: ${String(stderr).trim().slice(-500)}`, {
          exitCode,
          timedOut,
          stderr: String(stderr).slice(-2000),
        }),
      );
    });
  });
}
