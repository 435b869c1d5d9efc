/**
 * Downloads and installation: the download jobs and their runner, the backup store, the journaled
 * install engine and the install use cases.
 */
import path from 'node:path';
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { CallControl } from '../adapters/appliance/appliance-runtime.js';
import { MigrationRunner } from '../adapters/appliance/migration-runner.js';
import { BackupStore } from '../adapters/backup/backup-store.js';
import { measureCopySpeed } from '../adapters/backup/copy-speed.js';
import type { Clock } from '../adapters/clock.js';
import { statfsFree } from '../adapters/download/resumable-downloader.js';
import { DownloadArea } from '../adapters/download/download-area.js';
import { StagingArea } from '../adapters/download/staging-area.js';
import { randomIds } from '../adapters/ids.js';
import type { TufFeedClient } from '../adapters/feed/tuf-feed-client.js';
import { JournalStore } from '../adapters/install/journal-store.js';
import type { Logger } from '../adapters/logger.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { EventBus } from '../events.js';
import { DownloadRunner } from '../jobs/download.runner.js';
import { InstallScheduler } from '../jobs/install-scheduler.job.js';
import type { PatchbayOptions } from './patchbay-options.js';
import { JobsRepository, JobStepsRepository } from '../repositories/jobs.repository.js';
import type { SettingsRepository } from '../repositories/settings.repository.js';
import type { ApplianceSupervisor } from '../services/appliance-supervisor.js';
import { DownloadService } from '../services/download.service.js';
import type { DowntimeService } from '../services/downtime.service.js';
import { BackupService } from '../services/backup.service.js';
import { InstallEstimateService } from '../services/install-estimate.service.js';
import { InstallService } from '../services/install.service.js';
import { InstallScheduleService } from '../services/install-schedule.service.js';
import type { MaintenanceService } from '../services/maintenance.service.js';
import { InstallEngine } from '../services/install/install-engine.js';
import { JobRecordsService } from '../services/job-records.service.js';
import { OperationLock } from '../services/operation-lock.js';
import { DowntimeRepository } from '../repositories/downtime.repository.js';
import type { ModulesService } from '../services/modules.service.js';
import type { UpdatesService } from '../services/updates.service.js';

export interface InstallWiring {
  downloads: DownloadService;
  runner: DownloadRunner;
  engine: InstallEngine;
  install: InstallService;
  backups: BackupService;
  installEstimate: InstallEstimateService;
  jobRecords: JobRecordsService;
  /** The plans of scheduled installations (the unattended policy plans through it). */
  schedules: InstallScheduleService;
  /** The update jobs' table. */
  jobs: JobsRepository;
  /** Starts scheduled installations at their time: `start()` once an interrupted installation is recovered. */
  scheduler: InstallScheduler;
}

export function wireInstall(
  config: Readonly<Config>,
  deps: {
    db: Db;
    layout: ApplianceLayout;
    supervisor: ApplianceSupervisor;
    downtime: DowntimeService;
    /** The appliance's calls and drain: what the DRAIN step and the estimate use. */
    calls: CallControl;
    feedClient: TufFeedClient;
    updates: UpdatesService;
    modules: ModulesService;
    settings: SettingsRepository;
    maintenance: Pick<MaintenanceService, 'get'>;
    events: EventBus;
    clock: Clock;
    logger: Logger;
    nodePath: string;
    options: PatchbayOptions;
  },
): InstallWiring {
  const { db, layout, supervisor, downtime, updates, events, clock, logger, options } = deps;
  const freeSpace = options.freeSpace ?? statfsFree;
  const downloadArea = new DownloadArea(path.join(config.home, 'downloads'), freeSpace);
  const staging = new StagingArea(path.join(config.home, 'staging'));
  const jobsRepo = new JobsRepository(db);
  // The scheduler needs the install service, which tells it of each changed plan (as the download
  // runner does when a job planned while it downloaded is staged): bound late.
  let scheduler: InstallScheduler | null = null;
  const runner = new DownloadRunner({
    repo: jobsRepo,
    updates,
    targetUrl: (target) => deps.feedClient.targetUrl(target),
    downloads: downloadArea,
    staging,
    events,
    clock,
    logger: logger.child({ area: 'downloads' }),
    downloadOptions: options.downloadOptions,
    planned: () => scheduler?.wake(),
  });
  const downloads = new DownloadService({
    repo: jobsRepo,
    updates,
    modules: deps.modules,
    runner,
    downloads: downloadArea,
    events,
    clock,
    newId: randomIds,
  });

  const backups = new BackupStore({ dir: path.join(config.home, 'backups'), io: options.backupIo });
  const jobSteps = new JobStepsRepository(db);
  const lock = new OperationLock();
  const settings = { get: <T>(key: string) => deps.settings.getSetting<T>(key), put: deps.settings.putSetting.bind(deps.settings) };
  const backupService = new BackupService({
    store: backups,
    lock,
    layout,
    settings,
    freeSpace,
    logger: logger.child({ area: 'backups' }),
    clock,
  });
  const schedules = new InstallScheduleService({
    jobs: jobsRepo,
    windows: deps.maintenance,
    events,
    downloads,
    clock,
    wake: () => scheduler?.wake(),
  });
  // The appliance's calls (the DRAIN step, the estimate's warning).
  const { calls } = deps;
  const engine = new InstallEngine({
    journal: new JournalStore(path.join(config.home, 'install')),
    jobs: jobsRepo,
    steps: jobSteps,
    backups,
    layout,
    supervisor,
    calls,
    migrations: new MigrationRunner({ layout, nodePath: deps.nodePath }),
    bundles: runner,
    staging,
    downtime,
    schedules,
    lock,
    blockers: (version) => updates.blockersOf(version),
    freeSpace,
    keepBackups: () => backupService.retention(),
    events,
    clock,
    logger: logger.child({ area: 'install' }),
    options: {
      healthCheckTimeoutMs: options.install?.healthCheckTimeoutMs ?? config.installHealthTimeoutSeconds * 1000,
      hooks: options.install?.hooks,
    },
  });
  const install = new InstallService({
    jobs: jobsRepo,
    steps: jobSteps,
    engine,
    lock,
    events,
    downloads,
    updates,
    backups,
    layout,
    freeSpace,
    settings,
    clock,
    newId: randomIds,
    schedules,
  });
  scheduler = new InstallScheduler({ jobs: jobsRepo, schedules, install, clock, logger: logger.child({ area: 'schedule' }) });
  const installEstimate = new InstallEstimateService({
    jobs: jobsRepo,
    steps: jobSteps,
    updates,
    backups,
    layout,
    supervisor,
    settings,
    calls,
    drainDefaults: () => install.drainDefaults(),
    measureCopySpeed: () => measureCopySpeed(path.join(config.home, 'backups')),
    clock,
  });
  const jobRecords = new JobRecordsService({ steps: jobSteps, jobs: jobsRepo, downtime: new DowntimeRepository(db) });
  return { downloads, runner, engine, install, backups: backupService, installEstimate, jobRecords, schedules, jobs: jobsRepo, scheduler };
}
