/** What the installation engine works with: every side effect is one of these injected objects. */
import type { CallControl } from '../../adapters/appliance/appliance-runtime.js';
import type { ApplianceLayout } from '../../adapters/appliance/appliance-layout.js';
import type { BackupStore } from '../../adapters/backup/backup-store.js';
import type { StagingArea } from '../../adapters/download/staging-area.js';
import type { Clock } from '../../adapters/clock.js';
import type { Logger } from '../../adapters/logger.js';
import type { InstallJournal } from '../../domain/install.js';
import type { Blocker } from '../../domain/upgrade-path.js';
import type { EventBus } from '../../events.js';
import type { JobRow, JobsRepository, JobStepsRepository } from '../../repositories/jobs.repository.js';
import type { ApplianceSupervisor } from '../appliance-supervisor.js';
import type { DowntimeService } from '../downtime.service.js';
import type { InstallScheduleService } from '../install-schedule.service.js';
import type { OperationLock } from '../operation-lock.js';

/** What the engine reads and changes of the appliance's files. */
export type LayoutPort = Pick<
  ApplianceLayout,
  | 'root'
  | 'dataDir'
  | 'moduleStateFile'
  | 'readInstalled'
  | 'readManifest'
  | 'currentReleaseDir'
  | 'currentVersion'
  | 'listReleases'
  | 'releaseDir'
  | 'applyRelease'
  | 'switchCurrent'
  | 'removeRelease'
  | 'readModules'
  | 'writeModuleState'
  | 'applyModule'
  | 'hasModule'
  | 'moduleSupportedSystem'
  | 'removeModuleVersion'
  | 'cleanupTemporary'
>;

/** What the engine needs of the backup store. */
export type BackupPort = Pick<BackupStore, 'createOffline' | 'restore' | 'get' | 'prune' | 'cleanupTemporary' | 'measure'>;

/** The download of a one-go job (the download runner's fetch and stage, without its states). */
export interface BundlePort {
  fetch(job: JobRow, signal: AbortSignal, onProgress: (bytesDone: number, bytesPerSecond: number) => void): Promise<void>;
  stage(job: JobRow): Promise<void>;
  discard(job: JobRow): Promise<void>;
}

export interface InstallEngineHooks {
  /** Called once a step is journaled, before it acts (tests kill the process here). */
  afterJournal?(journal: InstallJournal): void | Promise<void>;
}

export interface JournalPort {
  read(): Promise<InstallJournal | null>;
  write(j: InstallJournal): Promise<void>;
  cleanupTemporary(): Promise<string[]>;
}

export interface InstallEngineDeps {
  journal: JournalPort;
  jobs: JobsRepository;
  steps: JobStepsRepository;
  backups: BackupPort;
  layout: LayoutPort;
  supervisor: Pick<ApplianceSupervisor, 'stopForMaintenance' | 'launch' | 'awaitHealthy' | 'getState' | 'startAfterMaintenance'>;
  /** The appliance's calls: the DRAIN step refuses new ones and waits for the active ones to end. */
  calls: CallControl;
  migrations: { run(releaseDir: string): Promise<{ ran: boolean; output: string }> };
  bundles: BundlePort;
  staging: Pick<StagingArea, 'releaseDir' | 'moduleDir' | 'manifest'>;
  downtime: Pick<DowntimeService, 'plan' | 'unplan'>;
  /** Scheduled installations: a wait that outlasted its window is postponed (or not) by these rules; a job planned again wakes the scheduler. */
  schedules: Pick<InstallScheduleService, 'postponement' | 'planChanged'>;
  /** One disruptive operation at a time: held from the request (or the recovery) to the final outcome. */
  lock: Pick<OperationLock, 'acquire'>;
  /** Blockers of a version now (licences, contract, path): re-checked at preflight. */
  blockers: (version: string) => Promise<Blocker[]>;
  freeSpace: (dir: string) => Promise<number>;
  /** How many backups are kept (the admin's setting): older ones go at a commit. */
  keepBackups: () => number;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  options?: {
    healthCheckTimeoutMs?: number;
    /** Old releases kept besides the current one, for rollback. */
    keepReleases?: number;
    hooks?: InstallEngineHooks;
  };
}
