/**
 * What an installation or an estimate is asked for, read from the API's optional arguments: exactly
 * one way of saying it, or an `InvalidInputError`. Pure.
 */
import { InvalidInputError } from './errors/index.js';
import type { DrainArgs } from './drain.js';
import type { InstallWhen } from './install-schedule.js';
import type { ModuleSelection } from './module-plan.js';

/** A staged download (separate mode), or a version with its modules in one go. */
export type InstallRequest = { jobId: string } | { version: string; modules: ModuleSelection[]; acknowledgeWarnings: boolean };

export interface InstallArgs {
  jobId?: string | null;
  version?: string | null;
  modules?: readonly ModuleSelection[] | null;
  acknowledgeWarnings?: boolean | null;
  /** The wait for calls before the stop: absent, the admin's defaults; null or `wait: false`, none (see `resolveDrainPolicy`). */
  drain?: DrainArgs | null;
  /** NOW (the default), in the next maintenance window, or AT `at`: only for a staged job. */
  when?: InstallWhen | null;
  at?: Date | null;
}

export function installRequest(args: InstallArgs): InstallRequest {
  if (!args.jobId === !args.version) {
    throw new InvalidInputError('Give either jobId (a staged download) or version (in one go).', args.jobId ? 'version' : 'jobId');
  }
  if ((args.when ?? 'NOW') !== 'NOW' && !args.jobId) {
    throw new InvalidInputError('Only a staged download (jobId) can be installed later; one go runs now.', 'when');
  }
  if (args.jobId) return { jobId: args.jobId };
  return { version: args.version!, modules: [...(args.modules ?? [])], acknowledgeWarnings: args.acknowledgeWarnings ?? false };
}

/** The installation whose unavailable time is foreseen: a staged job, a version in one go, or a backup's restore. */
export type EstimateRequest = { jobId: string } | { version: string } | { backupId: string };

export function estimateRequest(args: { jobId?: string | null; version?: string | null; backupId?: string | null }): EstimateRequest {
  const given = [args.jobId, args.version, args.backupId].filter((a) => a !== null && a !== undefined);
  if (given.length !== 1) throw new InvalidInputError('Give one of jobId, version or backupId.', null);
  return args.jobId ? { jobId: args.jobId } : args.backupId ? { backupId: args.backupId } : { version: args.version! };
}
