/**
 * The installation engine: runs a job's steps in order, each recorded in the journal before it acts
 * and safe to run again; on a failure after the appliance was stopped it rolls back (stop, restore
 * the backup when the data had changed, switch back, start the previous release, check its
 * health), streaming restore events; at Patchbay's start it finishes or undoes an installation a
 * crash interrupted (see `recoveryAction`). Every side effect goes through an injected object.
 */
import path from 'node:path';
import semver from 'semver';
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { BackupSource, BackupStore } from '../adapters/backup/backup-store.js';
import type { StagingArea } from '../adapters/download/staging-area.js';
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import {
  type InstallJournal,
  type InstallStep,
  type JournalOutcome,
  type JournalStep,
  type RecoveryAction,
  recoveryAction,
  rollbackRestoresData,
  type RollbackStep,
  stepsFor,
} from '../domain/install.js';
import type { JobState } from '../domain/jobs.js';
import { moduleStateAfter } from '../domain/module-plan.js';
import type { Blocker } from '../domain/upgrade-path.js';
import type { EventBus, ProgressEvent, RestoreEvent, RestoreEventType } from '../events.js';
import type { JobRow, JobsRepository, JobStepsRepository } from '../repositories/jobs.repository.js';
import { DEFAULT_BACKUP_RETENTION } from './backup.service.js';
import type { ApplianceSupervisor } from './appliance-supervisor.js';
import type { DowntimeService } from './downtime.service.js';

/** What the installer needs of the backup store. */
export type BackupPort = Pick<BackupStore, 'createOffline' | 'restore' | 'get' | 'prune' | 'cleanupTemporary' | 'measure'>;

/** The download of a one-go job (the download runner's fetch and stage, without its states). */
export interface BundlePort {
  fetch(job: JobRow, signal: AbortSignal, onProgress: (bytesDone: number, bytesPerSecond: number) => void): Promise<void>;
  stage(job: JobRow): Promise<void>;
  discard(job: JobRow): Promise<void>;
}

export interface InstallerHooks {
  /** Called once a step is journaled, before it acts (tests kill the process here). */
  afterJournal?(journal: InstallJournal): void | Promise<void>;
}

export interface InstallerDeps {
  journal: { read(): Promise<InstallJournal | null>; write(j: InstallJournal): Promise<void>; cleanupTemporary(): Promise<string[]> };
  jobs: JobsRepository;
  steps: JobStepsRepository;
  backups: BackupPort;
  layout: ApplianceLayout;
  supervisor: Pick<ApplianceSupervisor, 'stopForMaintenance' | 'launch' | 'awaitHealthy' | 'getState' | 'startAfterMaintenance'>;
  migrations: { run(releaseDir: string): Promise<{ ran: boolean; output: string }> };
  bundles: BundlePort;
  staging: Pick<StagingArea, 'releaseDir' | 'moduleDir' | 'manifest'>;
  downtime: Pick<DowntimeService, 'plan' | 'unplan'>;
  /** Blockers of a version now (licences, contract, path): re-checked at preflight. */
  blockers: (version: string) => Promise<Blocker[]>;
  freeSpace: (dir: string) => Promise<number>;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  options?: {
    healthCheckTimeoutMs?: number;
    /** Old releases kept besides the current one, for rollback. */
    keepReleases?: number;
    keepBackups?: () => number;
    hooks?: InstallerHooks;
  };
}

/** An expected failure of a step: a stable code for the job, a message for the admin. */
export class StepError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

class Interrupted extends Error {}

/** Jobs whose restore events stay in memory for late subscribers (this process's runs). */
const RESTORE_LOGS_KEPT = 5;

const STEP_TEXT: Record<JournalStep, string> = {
  PREFLIGHT: 'Checking disk space, licences and the appliance',
  STOP: 'Stopping the appliance',
  DOWNLOAD: 'Downloading and verifying the bundles',
  BACKUP: 'Backing up the data',
  APPLY: 'Putting the new release in place',
  MIGRATE: 'Migrating the data',
  RESTORE_DATA: 'Restoring the chosen backup',
  SWITCH: 'Switching to the new release',
  MODULES: 'Updating the modules',
  START: 'Starting the appliance',
  HEALTHCHECK: 'Waiting for the appliance to be healthy',
  COMMIT: 'Finishing',
  ROLLBACK_STOP: 'Stopping the appliance',
  ROLLBACK_DATA: 'Restoring the data from the backup',
  ROLLBACK_SWITCH: 'Switching back to the previous release',
  ROLLBACK_START: 'Starting the previous release',
  ROLLBACK_HEALTHCHECK: 'Waiting for the previous release to be healthy',
};

/** Codes for failures that are not StepErrors, by the error's own code or by the step. */
const STEP_CODES: Partial<Record<JournalStep, string>> = {
  STOP: 'STOP_FAILED',
  DOWNLOAD: 'DOWNLOAD_FAILED',
  BACKUP: 'BACKUP_FAILED',
  APPLY: 'APPLY_FAILED',
  MIGRATE: 'MIGRATION_FAILED',
  RESTORE_DATA: 'RESTORE_FAILED',
  SWITCH: 'SWITCH_FAILED',
  MODULES: 'MODULE_FAILED',
  START: 'START_FAILED',
  HEALTHCHECK: 'HEALTHCHECK_FAILED',
};

export class Installer {
  private running: Promise<void> | null = null;
  private stopping = false;
  private readonly abort = new AbortController();
  private readonly restoreLog = new Map<string, RestoreEvent[]>();
  private readonly latest = new Map<string, ProgressEvent>();

  constructor(private readonly deps: InstallerDeps) {}

  /** True while an installation, a restore or a recovery runs. */
  busy(): boolean {
    return this.running !== null;
  }

  /** Resolves when the running installation (if any) has ended. */
  async settled(): Promise<void> {
    await this.running;
  }

  /** Live figures of a running installation step (for clients that poll). */
  progress(jobId: string): ProgressEvent | null {
    return this.latest.get(jobId) ?? null;
  }

  /** The restore events of a job so far (this process's run), for late subscribers. */
  restoreEvents(jobId: string): RestoreEvent[] {
    return [...(this.restoreLog.get(jobId) ?? [])];
  }

  /** Runs a new job in the background; its row exists already (INSTALLING, step PREFLIGHT). */
  async begin(journal: InstallJournal): Promise<void> {
    if (this.running) throw new Error('an installation is running');
    await this.deps.journal.write(journal);
    this.track(this.drive(journal, stepsFor(journal.mode)[0]!));
  }

  /**
   * At Patchbay's start, before the appliance is started: cleans what a killed run left and, when
   * the journal is unfinished, completes or undoes the installation in the background.
   * Returns what it does, or null when there is nothing to recover (the caller starts the appliance).
   */
  async recover(): Promise<{ jobId: string; action: RecoveryAction } | null> {
    const { journal: store, jobs, steps, clock, logger } = this.deps;
    await store.cleanupTemporary();
    const journal = await store.read();
    if (!journal) return null;
    if (journal.phase === 'DONE') {
      this.reconcile(journal);
      return null;
    }
    const action = recoveryAction(journal);
    const now = clock.now();
    journal.recoveries.push({ at: now.toISOString(), step: journal.step, action });
    await this.save(journal);
    steps.interrupt(journal.jobId, now, 'Patchbay stopped during this step.');
    const what: Record<RecoveryAction, string> = {
      NONE: '',
      ROLL_BACK: 'restoring the previous state',
      RESUME: 'starting the new release again and checking its health',
      COMPLETE: 'completing the installation (starting the new release again first)',
    };
    jobs.addEvent(journal.jobId, now, 'RECOVERY', `Patchbay restarted during ${journal.step}: ${what[action]}.`);
    logger.warn('unfinished installation found', { jobId: journal.jobId, step: journal.step, phase: journal.phase, action });
    await this.deps.layout.cleanupTemporary();
    await this.deps.backups.cleanupTemporary(this.source());
    this.deps.downtime.plan(journal.jobId, this.cause(journal));
    if (action === 'ROLL_BACK') {
      journal.failure ??= {
        code: 'INTERRUPTED',
        message: `Patchbay stopped during ${journal.step} (a crash or a power cut).`,
        step: journal.step,
      };
      this.track(this.rollback(journal));
    } else {
      // Resuming or completing, the new release must run again first: the crash (a power cut) may
      // have stopped it, or left it running unsupervised. Starting, checking and committing are
      // each safe to repeat.
      this.track(this.drive(journal, 'START'));
    }
    return { jobId: journal.jobId, action };
  }

  /** Stops at the next step boundary; the journal says where, and the next start carries on. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.running;
  }

  private track(run: Promise<void>): void {
    this.running = run
      .catch((err: unknown) => this.deps.logger.error('installation engine failed', { err }))
      .finally(() => {
        this.running = null;
      });
  }

  private source(): BackupSource {
    return { dataDir: this.deps.layout.dataDir, moduleStateFile: this.deps.layout.moduleStateFile };
  }

  private cause(j: InstallJournal): string {
    return j.mode === 'RESTORE' ? `restore of backup ${j.sourceBackupId}` : `installation of ${j.targetVersion}`;
  }

  private job(j: InstallJournal): JobRow {
    const row = this.deps.jobs.find(j.jobId);
    if (!row) throw new Error(`job ${j.jobId} of the journal is not in the database`);
    return row;
  }

  private async save(j: InstallJournal): Promise<void> {
    j.updatedAt = this.deps.clock.now().toISOString();
    await this.deps.journal.write(j);
  }

  // ---- forward ----

  private async drive(j: InstallJournal, from: InstallStep): Promise<void> {
    const steps = stepsFor(j.mode);
    let step: InstallStep = from;
    try {
      for (let i = steps.indexOf(from); i < steps.length; i++) {
        step = steps[i]!;
        if (this.stopping) throw new Interrupted();
        await this.enter(j, step);
        const note = await this.act(j, step);
        await this.leave(j, step, note);
      }
      // Only once the last step is recorded is the job announced as ended.
      await this.succeed(j);
    } catch (err) {
      // Stopping aborts a running download too: the journal says where, and the next start decides.
      if (err instanceof Interrupted || this.stopping) return;
      await this.fail(j, step, err);
    }
  }

  private async enter(j: InstallJournal, step: JournalStep): Promise<void> {
    const now = this.deps.clock.now();
    j.step = step;
    await this.save(j);
    this.deps.steps.start(j.jobId, step, now);
    this.deps.jobs.update(j.jobId, { step });
    this.publish(j, 0, 0, `${STEP_TEXT[step]}…`);
    await this.deps.options?.hooks?.afterJournal?.(j);
  }

  private async leave(j: InstallJournal, step: JournalStep, note: string | null): Promise<void> {
    if (!j.stepsDone.includes(step)) j.stepsDone.push(step);
    await this.save(j);
    const now = this.deps.clock.now();
    this.deps.steps.finish(j.jobId, step, now, 'DONE', note);
    if (note) this.deps.jobs.addEvent(j.jobId, now, step, note);
  }

  private async act(j: InstallJournal, step: InstallStep): Promise<string | null> {
    switch (step) {
      case 'PREFLIGHT':
        return this.preflight(j);
      case 'STOP': {
        this.deps.downtime.plan(j.jobId, this.cause(j));
        await this.deps.supervisor.stopForMaintenance(
          j.mode === 'RESTORE' ? `restoring backup ${j.sourceBackupId}` : `installing ${j.targetVersion}`,
        );
        j.stoppedAt ??= this.deps.clock.now().toISOString();
        return 'The appliance is stopped: telephony is unavailable until the end of the installation.';
      }
      case 'DOWNLOAD': {
        const job = this.job(j);
        await this.deps.bundles.fetch(job, this.abort.signal, (done, rate) => this.publish(j, done, job.bytesTotal, null, rate));
        this.deps.jobs.update(j.jobId, { bytesDone: job.bytesTotal });
        await this.deps.bundles.stage(job);
        return 'Downloaded, verified against the signed hashes, and unpacked.';
      }
      case 'BACKUP': {
        const installed = await this.deps.layout.readInstalled();
        const manifest = await this.deps.layout.readManifest(await this.deps.layout.currentReleaseDir());
        const backup = await this.deps.backups.createOffline(
          this.source(),
          {
            reason: j.mode === 'RESTORE' ? `before restoring backup ${j.sourceBackupId}` : `before installing ${j.targetVersion}`,
            jobId: j.jobId,
            applianceVersion: installed.version,
            dataSchemaVersion: manifest.dataSchemaVersion,
          },
          (p) => this.publish(j, p.bytesDone, p.bytesTotal, `${p.group}`),
        );
        j.backupId = backup.id;
        await this.save(j);
        this.deps.jobs.update(j.jobId, { backupId: backup.id });
        return `Backup ${backup.id}: ${backup.totalBytes} bytes copied in ${backup.copyMs} ms and verified in ${backup.verifyMs} ms.`;
      }
      case 'APPLY': {
        const staged = this.deps.staging.releaseDir(j.jobId);
        if (await this.deps.staging.manifest(staged)) {
          await this.deps.layout.applyRelease(staged, j.targetVersion);
        } else if ((await this.releaseVersion(j.targetVersion)) !== j.targetVersion) {
          throw new StepError('STAGED_RELEASE_MISSING', `The staged release ${j.targetVersion} is missing: download it again.`);
        }
        return `Release ${j.targetVersion} is in place next to ${j.fromVersion}.`;
      }
      case 'MIGRATE': {
        const outcome = await this.deps.migrations.run(this.deps.layout.releaseDir(j.targetVersion));
        return outcome.ran ? 'The data was migrated.' : 'This release has no separate migration (it migrates at start).';
      }
      case 'RESTORE_DATA': {
        await this.deps.backups.restore(j.sourceBackupId!, this.source(), (p) => this.publish(j, p.bytesDone, p.bytesTotal, `${p.group}`));
        return `The data of backup ${j.sourceBackupId} is back in place.`;
      }
      case 'SWITCH':
        await this.deps.layout.switchCurrent(j.targetVersion);
        return `current → releases/${j.targetVersion}`;
      case 'MODULES':
        return this.applyModules(j);
      case 'START':
        await this.deps.supervisor.launch(`starting ${j.targetVersion}`);
        return null;
      case 'HEALTHCHECK':
        await this.deps.supervisor.awaitHealthy(this.deps.options?.healthCheckTimeoutMs ?? 60_000);
        return `${j.targetVersion} is healthy.`;
      case 'COMMIT':
        await this.commit(j);
        return null;
    }
  }

  private async preflight(j: InstallJournal): Promise<string> {
    const { supervisor, layout } = this.deps;
    const live = supervisor.getState();
    if (live.state !== 'RUNNING') {
      throw new StepError(
        'APPLIANCE_UNHEALTHY',
        `The appliance is ${live.state.toLowerCase()}${live.reason ? ` (${live.reason})` : ''}: an installation starts only from a healthy appliance, so that there is a known good state to go back to.`,
      );
    }
    const current = await layout.currentVersion();
    if (current !== j.fromVersion) {
      throw new StepError('APPLIANCE_CHANGED', `The appliance runs ${current}, not ${j.fromVersion} as when the job was created.`);
    }
    const job = this.job(j);
    let needed = (await this.deps.backups.measure(this.source())).bytes;
    if (j.mode === 'RESTORE') {
      const backup = await this.deps.backups.get(j.sourceBackupId!);
      if (!backup) throw new StepError('BACKUP_NOT_FOUND', `Backup ${j.sourceBackupId} does not exist any more.`);
      if ((await this.releaseVersion(backup.applianceVersion)) !== backup.applianceVersion) {
        throw new StepError('RELEASE_NOT_AVAILABLE', `Release ${backup.applianceVersion} of this backup is no longer on the appliance.`);
      }
    } else {
      const blockers = await this.deps.blockers(j.targetVersion);
      if (blockers.length) {
        throw new StepError(
          'NOT_INSTALLABLE',
          `Version ${j.targetVersion} cannot be installed: ${blockers.map((b) => b.message).join(' ')}`,
        );
      }
      if (j.mode === 'SEPARATE') {
        const { staging } = this.deps;
        const missing = [
          ...((await staging.manifest(staging.releaseDir(j.jobId))) ? [] : ['the release']),
          ...(
            await Promise.all(
              j.modules.map(async (m) => ((await staging.manifest(staging.moduleDir(j.jobId, m.moduleId))) ? null : m.moduleId)),
            )
          ).filter((m): m is string => m !== null),
        ];
        if (missing.length)
          throw new StepError('STAGED_RELEASE_MISSING', `Staged files are missing (${missing.join(', ')}): download again.`);
      } else {
        // One go: the bundles, and their unpacked copy.
        needed += job.bytesTotal * 2;
      }
      const installed = await layout.readInstalled();
      const infos = await Promise.all(
        installed.modules.map(async (m) => ({ ...m, supportedSystem: await layout.moduleSupportedSystem(m.id, m.version) })),
      );
      const after = moduleStateAfter(infos, j.targetVersion, j.modules);
      j.moduleState = after.modules;
      j.moduleChanges = after.changes;
    }
    const margin = 64 * 1024 * 1024;
    const free = await this.deps.freeSpace(path.dirname(layout.root));
    if (free < needed + margin) {
      throw new StepError(
        'INSUFFICIENT_DISK',
        `The installation needs ${needed + margin} bytes free (backup and release); ${free} are free.`,
      );
    }
    await this.save(j);
    return `Ready: ${needed} bytes to back up, ${free} bytes free.`;
  }

  private async applyModules(j: InstallJournal): Promise<string> {
    const { layout, staging } = this.deps;
    for (const m of j.modules) {
      const staged = staging.moduleDir(j.jobId, m.moduleId);
      const manifest = await staging.manifest(staged);
      if (manifest) {
        if (manifest.id !== m.moduleId || manifest.version !== m.version) {
          throw new StepError(
            'MODULE_FAILED',
            `The bundle of module ${m.moduleId} ${m.version} describes ${String(manifest.id)} ${String(manifest.version)}.`,
          );
        }
        await layout.applyModule(staged, m.moduleId, m.version);
      } else if (!(await layout.hasModule(m.moduleId, m.version))) {
        throw new StepError('MODULE_FAILED', `Module ${m.moduleId} ${m.version} was not staged.`);
      }
    }
    await layout.writeModuleState(j.moduleState ?? (await layout.readModules()));
    const parts = j.moduleChanges.map((c) => (c.disabled ? `${c.name} ${c.from} disabled` : `${c.name} ${c.from} → ${c.to}`));
    return parts.length ? `Modules: ${parts.join(', ')}.` : 'No module changes.';
  }

  /** Removes what the installation no longer needs; safe to repeat. */
  private async commit(j: InstallJournal): Promise<void> {
    const { layout } = this.deps;
    const job = this.job(j);
    await this.deps.bundles.discard(job);
    const current = await layout.currentVersion();
    const keep = this.deps.options?.keepReleases ?? 2;
    const others = (await layout.listReleases()).filter((v) => v !== current).sort(compareVersionsDesc);
    for (const v of others.slice(keep)) await layout.removeRelease(v);
    await this.pruneBackups(j);
  }

  private async succeed(j: InstallJournal): Promise<void> {
    const { jobs, clock } = this.deps;
    await this.finish(j, 'SUCCEEDED');
    const windowMs = j.stoppedAt ? clock.now().getTime() - Date.parse(j.stoppedAt) : null;
    jobs.addEvent(
      j.jobId,
      clock.now(),
      'SUCCEEDED',
      j.mode === 'RESTORE'
        ? `Backup ${j.sourceBackupId} restored; ${j.targetVersion} runs.`
        : `${j.targetVersion} is installed and running${windowMs !== null ? `; the appliance was unavailable for ${Math.round(windowMs / 100) / 10} s` : ''}.`,
    );
  }

  private async pruneBackups(j: InstallJournal): Promise<void> {
    const keep = this.deps.options?.keepBackups?.() ?? DEFAULT_BACKUP_RETENTION;
    const protect = [j.backupId, j.sourceBackupId].filter((id): id is string => !!id);
    try {
      await this.deps.backups.prune(keep, protect);
    } catch (err) {
      this.deps.logger.warn('pruning backups failed', { err });
    }
  }

  // ---- failure and rollback ----

  private async fail(j: InstallJournal, step: JournalStep, err: unknown): Promise<void> {
    const { code, message } = describe(step, err);
    const now = this.deps.clock.now();
    j.failure = { code, message, step };
    this.deps.steps.finish(j.jobId, step, now, 'FAILED', message);
    this.deps.jobs.update(j.jobId, { errorCode: code, errorMessage: message });
    this.deps.jobs.addEvent(j.jobId, now, 'FAILED', `${step}: ${message}`);
    this.deps.logger.warn('installation step failed', { jobId: j.jobId, step, code, message });
    if (step === 'PREFLIGHT') {
      // Nothing was touched: the appliance never stopped.
      await this.finish(j, 'FAILED');
      return;
    }
    await this.rollback(j);
  }

  private async rollback(j: InstallJournal): Promise<void> {
    const { jobs, layout, supervisor, clock } = this.deps;
    const restoreData = rollbackRestoresData(j);
    if (j.phase !== 'ROLLING_BACK') {
      j.phase = 'ROLLING_BACK';
      j.rollbackRestoresData = restoreData;
      await this.save(j);
    }
    jobs.move(j.jobId, ['INSTALLING', 'RESTORING'], 'RESTORING');
    this.restoreEvent(
      j,
      'STARTED',
      null,
      0,
      0,
      restoreData
        ? `Restoring the state before the installation from backup ${j.backupId}, then starting ${j.fromVersion}.`
        : `The data was not changed; starting ${j.fromVersion} again.`,
    );
    let step: RollbackStep = 'ROLLBACK_STOP';
    try {
      step = 'ROLLBACK_STOP';
      await this.enterRollback(j, step);
      await supervisor.stopForMaintenance(`restoring the state before ${this.cause(j)}`);
      await this.leave(j, step, null);

      step = 'ROLLBACK_DATA';
      await this.enterRollback(j, step);
      if (restoreData) {
        let group: string | null = null;
        await this.deps.backups.restore(j.backupId!, this.source(), (p) => {
          if (p.group !== group) group = p.group;
          this.publish(j, p.bytesDone, p.bytesTotal, p.group);
          this.restoreEvent(
            j,
            p.groupDone ? 'GROUP_RESTORED' : 'GROUP_PROGRESS',
            p.group,
            p.groupBytesDone,
            p.groupBytesTotal,
            p.groupDone ? `${groupLabel(p.group)} restored (${p.groupBytesTotal} bytes).` : `Restoring ${groupLabel(p.group)}…`,
          );
        });
      }
      await this.leave(j, step, restoreData ? `The data of backup ${j.backupId} is back in place.` : null);

      step = 'ROLLBACK_SWITCH';
      await this.enterRollback(j, step);
      if ((await layout.currentVersion()) !== j.fromVersion) await layout.switchCurrent(j.fromVersion);
      this.restoreEvent(j, 'SWITCHED_BACK', null, 0, 0, `current → releases/${j.fromVersion}`);
      await this.leave(j, step, null);

      step = 'ROLLBACK_START';
      await this.enterRollback(j, step);
      await supervisor.launch(`starting ${j.fromVersion} again`);
      await this.leave(j, step, null);

      step = 'ROLLBACK_HEALTHCHECK';
      await this.enterRollback(j, step);
      await supervisor.awaitHealthy(this.deps.options?.healthCheckTimeoutMs ?? 60_000);
      this.restoreEvent(j, 'APPLIANCE_HEALTHY', null, 0, 0, `${j.fromVersion} is running and healthy.`);
      await this.leave(j, step, null);
    } catch (err) {
      if (err instanceof Interrupted) return;
      const { message } = describe(step, err);
      const now = clock.now();
      this.deps.steps.finish(j.jobId, step, now, 'FAILED', message);
      const first = j.failure ? `${j.failure.message} ` : '';
      j.failure = { code: 'ROLLBACK_FAILED', message: `${first}Then the way back failed at ${step}: ${message}`, step };
      jobs.update(j.jobId, { errorCode: 'ROLLBACK_FAILED', errorMessage: j.failure.message });
      this.restoreEvent(j, 'FAILED', null, 0, 0, `The way back failed at ${step}: ${message}`);
      await this.finish(j, 'ROLLBACK_FAILED');
      // Hand the appliance back to the supervisor, which keeps trying to start it (DEGRADED meanwhile).
      supervisor
        .startAfterMaintenance()
        .catch((startErr: unknown) => this.deps.logger.error('the appliance does not start after a failed rollback', { err: startErr }));
      return;
    }
    await this.cleanupAfterRollback(j);
    await this.finish(j, restoreData ? 'RESTORED' : 'ROLLED_BACK');
    this.restoreEvent(
      j,
      'FINISHED',
      null,
      0,
      0,
      restoreData
        ? `Restored: ${j.fromVersion} runs with the data as it was before the installation.`
        : `${j.fromVersion} runs again; its data was not changed.`,
    );
  }

  private async enterRollback(j: InstallJournal, step: RollbackStep): Promise<void> {
    if (this.stopping) throw new Interrupted();
    await this.enter(j, step);
  }

  /** What a failed installation leaves: its staged files, the release and modules it added. */
  private async cleanupAfterRollback(j: InstallJournal): Promise<void> {
    const { layout } = this.deps;
    const job = this.job(j);
    await this.deps.bundles.discard(job);
    if (j.mode !== 'RESTORE' && j.targetVersion !== j.fromVersion) {
      // A leftover release is pruned at the next commit; it does not make the rollback fail.
      await layout
        .removeRelease(j.targetVersion)
        .catch((err: unknown) => this.deps.logger.warn('could not remove the release of a failed installation', { err }));
    }
    const inUse = new Set((await layout.readModules()).map((m) => `${m.id}/${m.version}`));
    for (const m of j.modules) {
      if (!inUse.has(`${m.moduleId}/${m.version}`)) await layout.removeModuleVersion(m.moduleId, m.version);
    }
  }

  /** Ends the job: the journal first (the source of truth), then the database. */
  private async finish(j: InstallJournal, outcome: JournalOutcome): Promise<void> {
    j.phase = 'DONE';
    j.outcome = outcome;
    await this.save(j);
    this.reconcile(j);
    this.deps.downtime.unplan();
    this.latest.delete(j.jobId);
    this.publish(j, 0, 0, j.failure?.message ?? null);
  }

  /** Makes the job row say what the finished journal says (also after a crash between the two). */
  private reconcile(j: InstallJournal): void {
    if (j.phase !== 'DONE' || !j.outcome) return;
    this.deps.jobs.move(j.jobId, ['STAGED', 'INSTALLING', 'RESTORING'], jobStateOf(j), {
      finishedAt: this.deps.clock.now(),
      outcome: j.outcome,
      restored: j.outcome === 'RESTORED',
      ...(j.failure ? { errorCode: j.failure.code, errorMessage: j.failure.message } : {}),
    });
  }

  // ---- events ----

  private publish(j: InstallJournal, bytesDone: number, bytesTotal: number, message: string | null, bytesPerSecond = 0): void {
    const event: ProgressEvent = {
      jobId: j.jobId,
      state: jobStateOf(j),
      step: j.phase === 'DONE' ? null : j.step,
      bytesDone,
      bytesTotal,
      bytesPerSecond,
      secondsLeft: bytesPerSecond > 0 ? Math.ceil((bytesTotal - bytesDone) / bytesPerSecond) : null,
      message,
    };
    if (j.phase !== 'DONE') this.latest.set(j.jobId, event);
    this.deps.events.publish(`job/${j.jobId}/progress`, event);
  }

  private restoreEvent(
    j: InstallJournal,
    type: RestoreEventType,
    group: string | null,
    bytesDone: number,
    bytesTotal: number,
    message: string,
  ): void {
    let log = this.restoreLog.get(j.jobId);
    if (!log) {
      log = [];
      this.restoreLog.set(j.jobId, log);
      // Older jobs' logs are in their event log in the database: keep only the recent ones here.
      for (const old of [...this.restoreLog.keys()].slice(0, -RESTORE_LOGS_KEPT)) this.restoreLog.delete(old);
    }
    const event: RestoreEvent = {
      jobId: j.jobId,
      seq: log.length + 1,
      at: this.deps.clock.now(),
      type,
      group,
      bytesDone,
      bytesTotal,
      message,
    };
    // Progress events are many; keep the log bounded, and every milestone.
    if (type !== 'GROUP_PROGRESS' || log.length < 2000) log.push(event);
    if (type !== 'GROUP_PROGRESS') this.deps.jobs.addEvent(j.jobId, event.at, `RESTORE_${type}`, message);
    this.deps.events.publish(`job/${j.jobId}/restore`, event);
  }

  private async releaseVersion(version: string): Promise<string | null> {
    try {
      return (await this.deps.layout.readManifest(this.deps.layout.releaseDir(version))).version;
    } catch {
      return null;
    }
  }
}

/** The job's state, as the journal says it: the database mirrors it. */
function jobStateOf(j: InstallJournal): JobState {
  if (j.phase === 'FORWARD') return 'INSTALLING';
  if (j.phase === 'ROLLING_BACK') return 'RESTORING';
  return j.outcome === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
}

function describe(step: JournalStep, err: unknown): { code: string; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  const own = (err as { code?: unknown }).code;
  if (err instanceof StepError) return { code: err.code, message };
  if (typeof own === 'string' && /^[A-Z_]+$/.test(own)) {
    // A full disk is reported the same way wherever it happens.
    if (own === 'ENOSPC' || own === 'EDQUOT') return { code: 'DISK_FULL', message };
    if (!own.startsWith('E')) return { code: own, message };
  }
  return { code: STEP_CODES[step] ?? 'INSTALL_FAILED', message };
}

function groupLabel(group: string): string {
  return group === 'files' ? 'configuration files' : group === 'modules' ? 'module state' : `database ${group}`;
}

/** Newest first; directories that are not versions go last (and are pruned first). */
function compareVersionsDesc(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.rcompare(va, vb);
  return va ? -1 : vb ? 1 : b.localeCompare(a);
}
