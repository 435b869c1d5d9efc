/**
 * Runs a release's data migrations while the appliance is stopped: the `migrate.command` of its
 * manifest, as a child process in the release directory with the data directory in its
 * environment, bounded by a timeout. A release without one migrates at its first start instead.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ApplianceLayout } from './appliance-layout.js';
import { MigrationError } from '../../domain/errors/index.js';

export interface MigrationRunnerOptions {
  layout: Pick<ApplianceLayout, 'readManifest' | 'dataDir' | 'moduleStateFile'>;
  /** Patchbay's node_modules, for a migration written in JavaScript (the demo's uses better-sqlite3). */
  nodePath?: string;
  defaultTimeoutMs?: number;
}

export interface MigrationOutcome {
  ran: boolean;
  output: string;
}

export class MigrationRunner {
  constructor(private readonly options: MigrationRunnerOptions) {}

  async run(releaseDir: string): Promise<MigrationOutcome> {
    const manifest = await this.options.layout.readManifest(releaseDir);
    if (!manifest.migrate) return { ran: false, output: '' };
    const [command, ...args] = manifest.migrate.command;
    const executable = command === 'node' ? process.execPath : path.resolve(releaseDir, command!);
    const timeoutMs = manifest.migrate.timeoutMs ?? this.options.defaultTimeoutMs ?? 30 * 60_000;
    const child = spawn(executable, args, {
      cwd: releaseDir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...(this.options.nodePath ? { NODE_PATH: this.options.nodePath } : {}),
        PBX_DATA_DIR: this.options.layout.dataDir,
        PBX_MODULES_FILE: this.options.layout.moduleStateFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-8000)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('error', (err) => {
        stderr += err.message;
        resolve({ code: null, signal: null });
      });
      child.once('exit', (c, s) => resolve({ code: c, signal: s }));
    }).finally(() => clearTimeout(timer));
    if (code === 0) return { ran: true, output: stdout };
    const why =
      signal === 'SIGKILL' ? `was stopped after ${timeoutMs} ms` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    throw new MigrationError(`The data migration of ${manifest.version} ${why}: ${stderr.trim().slice(-500) || 'no message'}`, {
      exitCode: code,
      signal,
      stderr,
    });
  }
}
