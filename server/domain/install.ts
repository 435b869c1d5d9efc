/**
 * The installation as a journaled state machine: the steps of each kind of job, the journal that
 * records them (before each acts), what a restart of Patchbay does with an unfinished journal, and
 * the foreseen unavailable time, and the room an installation needs on disk. Pure: the engine that
 * acts on these lives in services/install/.
 */
import type { DrainPolicy, DrainRecord } from './drain.js';
import type { InstallPlan } from './install-schedule.js';
import type { InstallFailureCode } from './install-failure.js';
import type { JobMode } from './jobs.js';
import type { NoticeParam } from './notice.js';
import type { ModuleChange, ModuleSelection } from './module-plan.js';
import type { InstalledModule } from './system.js';
import { median } from './statistics.js';

/** Forward steps. Not every mode runs every step (see `stepsFor`). */
export const INSTALL_STEPS = [
  'PREFLIGHT',
  'DRAIN',
  'STOP',
  'DOWNLOAD',
  'BACKUP',
  'APPLY',
  'MIGRATE',
  'RESTORE_DATA',
  'SWITCH',
  'MODULES',
  'START',
  'HEALTHCHECK',
  'COMMIT',
] as const;
export type InstallStep = (typeof INSTALL_STEPS)[number];

/** The way back after a failure: the data from the backup, the previous release, its health. */
export const ROLLBACK_STEPS = ['ROLLBACK_STOP', 'ROLLBACK_DATA', 'ROLLBACK_SWITCH', 'ROLLBACK_START', 'ROLLBACK_HEALTHCHECK'] as const;
export type RollbackStep = (typeof ROLLBACK_STEPS)[number];

export type JournalStep = InstallStep | RollbackStep;

/**
 * Every mode waits for the active calls to end (DRAIN) right before the STOP: the appliance still
 * runs during the wait, which is not part of the unavailable time.
 */
const MODE_STEPS: Record<JobMode, readonly InstallStep[]> = {
  SEPARATE: ['PREFLIGHT', 'DRAIN', 'STOP', 'BACKUP', 'APPLY', 'MIGRATE', 'SWITCH', 'MODULES', 'START', 'HEALTHCHECK', 'COMMIT'],
  // The manual: in one go, the appliance is unavailable during the download too.
  DOWNLOAD_AND_INSTALL: [
    'PREFLIGHT',
    'DRAIN',
    'STOP',
    'DOWNLOAD',
    'BACKUP',
    'APPLY',
    'MIGRATE',
    'SWITCH',
    'MODULES',
    'START',
    'HEALTHCHECK',
    'COMMIT',
  ],
  // An administrator's restore: a safety backup of what is replaced first, so that it can be undone too.
  RESTORE: ['PREFLIGHT', 'DRAIN', 'STOP', 'BACKUP', 'RESTORE_DATA', 'SWITCH', 'START', 'HEALTHCHECK', 'COMMIT'],
};

export function stepsFor(mode: JobMode): readonly InstallStep[] {
  return MODE_STEPS[mode];
}

/** The first step that changes the appliance's data: from there on, a failure needs the backup. */
const FIRST_DATA_STEP: Record<JobMode, InstallStep> = { SEPARATE: 'MIGRATE', DOWNLOAD_AND_INSTALL: 'MIGRATE', RESTORE: 'RESTORE_DATA' };

export function touchesData(mode: JobMode, step: InstallStep): boolean {
  const steps = stepsFor(mode);
  return steps.indexOf(step) >= steps.indexOf(FIRST_DATA_STEP[mode]);
}

export type JournalPhase = 'FORWARD' | 'ROLLING_BACK' | 'DONE';

/**
 * How a job ended. SUCCEEDED: the target runs. RESTORED: a failure after the data changed; the
 * backup was restored and the previous release runs. ROLLED_BACK: a failure before the data
 * changed; the previous release runs on its untouched data. ROLLBACK_FAILED: the way back failed
 * too (the worst case, reported as such). FAILED: nothing had been touched. CANCELLED: called off
 * while waiting for the calls to end (the admin's order, or the limit with CANCEL chosen), before
 * the appliance stopped: nothing was touched.
 */
export type JournalOutcome = 'SUCCEEDED' | 'RESTORED' | 'ROLLED_BACK' | 'ROLLBACK_FAILED' | 'FAILED' | 'CANCELLED';

export interface JournalFailure {
  code: InstallFailureCode;
  message: string;
  step: JournalStep;
  /** The parameters the SPA words the code with (absent in journals written before they existed). */
  params?: NoticeParam[];
}

/** Free space kept beyond what an operation writes (the journal, logs, the file system's own needs). */
export const DISK_MARGIN_BYTES = 64 * 1024 * 1024;

/** The free bytes an operation needs: a backup of `backupBytes`, `extraBytes` more, and the margin. */
export function roomNeeded(backupBytes: number, extraBytes = 0): number {
  return backupBytes + extraBytes + DISK_MARGIN_BYTES;
}

/**
 * UNDRAIN: Patchbay stopped while waiting for the calls to end: the appliance accepts calls again,
 * the job ends. PLAN_AGAIN: the same for a scheduled installation (or one stopped at its preflight,
 * before the wait): it is planned again, and the scheduler decides whether the window still allows it.
 */
export type RecoveryAction = 'NONE' | 'ROLL_BACK' | 'RESUME' | 'COMPLETE' | 'UNDRAIN' | 'PLAN_AGAIN';

export interface InstallJournal {
  formatVersion: 1;
  jobId: string;
  mode: JobMode;
  fromVersion: string;
  targetVersion: string;
  modules: ModuleSelection[];
  /** The backup an administrator's restore puts back (mode RESTORE). */
  sourceBackupId: string | null;
  /** The verified backup taken by this job, once it exists. */
  backupId: string | null;
  /** The wait for the active calls to end before the stop; null: none (absent in journals written before it existed). */
  drain?: DrainPolicy | null;
  /** How the wait ended, once it did (what History shows). */
  drained?: DrainRecord | null;
  /**
   * A scheduled installation: the plan it started from and the end of its maintenance window (null:
   * AT). The wait for calls ends with the window; a crash during it plans the installation again.
   */
  schedule?: { plan: InstallPlan; windowEnd: string | null } | null;
  /** Called off before the stop and planned again (postponed, or after a crash in the wait): the plan it goes back to. */
  plannedAgain?: InstallPlan | null;
  /** When the appliance was stopped (the start of the unavailable window). */
  stoppedAt: string | null;
  /** The module state to write at the MODULES step, fixed at preflight, and what changes. */
  moduleState: InstalledModule[] | null;
  moduleChanges: ModuleChange[];
  phase: JournalPhase;
  /** Fixed when a rollback starts: whether it restores the data from the backup. */
  rollbackRestoresData: boolean | null;
  /** The step being run: recorded before it acts. */
  step: JournalStep;
  stepsDone: JournalStep[];
  failure: JournalFailure | null;
  outcome: JournalOutcome | null;
  recoveries: { at: string; step: JournalStep; action: RecoveryAction }[];
  startedAt: string;
  updatedAt: string;
}

/**
 * What a restart of Patchbay does with the journal it finds:
 * - a finished journal: nothing;
 * - a rollback under way: run it again from its start (each of its steps is safe to repeat);
 * - while waiting for the calls to end: nothing was touched, but the PBX may still refuse new
 *   calls: it is undrained (once it runs) and the job ends;
 * - a scheduled installation at its preflight or its wait for calls (Patchbay killed when its window
 *   opened, or during the wait): nothing was touched; it is undrained and planned again, never
 *   installed at boot outside the time the admin allowed;
 * - before the data changed (stop, download, backup, apply): roll back, which restarts the previous
 *   release on its untouched data; rerunning a long backup or download at an unknown hour after a
 *   crash is not what the admin asked for;
 * - the new release in place and its data migrated (start, health check): resume once, starting it
 *   and checking its health; a crash during that resumed attempt rolls back instead;
 * - the commit: complete it, starting the new release again first (a power cut stopped it);
 * - anything else after the data changed (migrate, restore data, switch, modules): roll back, which
 *   restores the backup.
 */
export function recoveryAction(journal: InstallJournal): RecoveryAction {
  if (journal.phase === 'DONE') return 'NONE';
  if (journal.phase === 'ROLLING_BACK') return 'ROLL_BACK';
  const step = journal.step as InstallStep;
  if (journal.schedule && (step === 'PREFLIGHT' || step === 'DRAIN')) return 'PLAN_AGAIN';
  if (step === 'DRAIN') return 'UNDRAIN';
  if (step === 'COMMIT') return 'COMPLETE';
  if (step === 'START' || step === 'HEALTHCHECK') {
    return journal.recoveries.some((r) => r.action === 'RESUME') ? 'ROLL_BACK' : 'RESUME';
  }
  return 'ROLL_BACK';
}

/** Whether a rollback of this journal must restore data from the backup (decided when it starts). */
export function rollbackRestoresData(journal: InstallJournal): boolean {
  if (journal.rollbackRestoresData !== null) return journal.rollbackRestoresData;
  if (journal.backupId === null) return false;
  const forward = [...journal.stepsDone, journal.phase === 'FORWARD' ? journal.step : null].filter(
    (s): s is InstallStep => s !== null && (INSTALL_STEPS as readonly string[]).includes(s),
  );
  return forward.some((s) => touchesData(journal.mode, s));
}

export function newJournal(
  input: Pick<InstallJournal, 'jobId' | 'mode' | 'fromVersion' | 'targetVersion' | 'modules' | 'sourceBackupId'> & {
    now: Date;
    drain?: DrainPolicy | null;
    schedule?: InstallJournal['schedule'];
  },
): InstallJournal {
  const at = input.now.toISOString();
  return {
    formatVersion: 1,
    jobId: input.jobId,
    mode: input.mode,
    fromVersion: input.fromVersion,
    targetVersion: input.targetVersion,
    modules: input.modules,
    sourceBackupId: input.sourceBackupId,
    backupId: null,
    drain: input.drain ?? null,
    drained: null,
    schedule: input.schedule ?? null,
    stoppedAt: null,
    moduleState: null,
    moduleChanges: [],
    phase: 'FORWARD',
    rollbackRestoresData: null,
    step: 'PREFLIGHT',
    stepsDone: [],
    failure: null,
    outcome: null,
    recoveries: [],
    startedAt: at,
    updatedAt: at,
  };
}

export interface DowntimeEstimateInput {
  mode: JobMode;
  /** Bytes a backup copies (the data directory and module state). */
  dataBytes: number;
  /** Measured backup speed on this machine (copy + fsync + verify), bytes per second. */
  backupBytesPerSecond: number;
  /** Past installations on this machine: their unavailable time and the part of it the backup took. */
  pastInstalls: { unavailableMs: number; backupMs: number }[];
  /** How long the appliance took to stop and start the last time (measured by the supervisor). */
  restartMs: number | null;
  /** One-go mode: the bytes still to download and the speed of the last download, if known. */
  downloadBytes?: number;
  downloadBytesPerSecond?: number | null;
}

export interface DowntimeEstimate {
  /** The expected unavailable time. */
  seconds: number;
  backupSeconds: number;
  /** Stop, apply, migrate, switch, start, health check: from past installations, or the last restart. */
  otherSeconds: number;
  /** One-go mode: the download, while the appliance is stopped; null when its speed is unknown. */
  downloadSeconds: number | null;
  /** If the installation fails and the backup is restored: the restore and a second restart on top. */
  worstCaseSeconds: number;
  basis: string;
}

/** With no history, steps besides the backup are taken as this long (a stop, a migration, a start). */
export const DEFAULT_OTHER_MS = 15_000;

export function estimateDowntime(input: DowntimeEstimateInput): DowntimeEstimate {
  const backupMs = (input.dataBytes / Math.max(input.backupBytesPerSecond, 1)) * 1000;
  const history = input.pastInstalls.map((p) => Math.max(0, p.unavailableMs - p.backupMs));
  const otherMs = history.length ? median(history) : input.restartMs !== null ? input.restartMs + 5_000 : DEFAULT_OTHER_MS;
  let downloadMs: number | null = 0;
  if (input.mode === 'DOWNLOAD_AND_INSTALL') {
    downloadMs = input.downloadBytesPerSecond ? ((input.downloadBytes ?? 0) / input.downloadBytesPerSecond) * 1000 : null;
  }
  const expected = backupMs + otherMs + (downloadMs ?? 0);
  // A restore copies the data back (about as long as the backup) and starts the appliance again.
  const worst = expected + backupMs + (input.restartMs ?? otherMs);
  const basis = [
    `backup of ${input.dataBytes} bytes at ${Math.round(input.backupBytesPerSecond)} bytes/s measured here`,
    history.length
      ? `other steps: median of ${history.length} past installation(s)`
      : input.restartMs !== null
        ? 'other steps: the last measured restart of the appliance and 5 s'
        : 'other steps: 15 s (no installation or restart measured yet)',
    input.mode === 'DOWNLOAD_AND_INSTALL'
      ? downloadMs === null
        ? 'download: speed unknown (no download measured yet)'
        : `download of ${input.downloadBytes} bytes at the last measured speed`
      : null,
  ].filter(Boolean);
  return {
    seconds: Math.ceil(expected / 1000),
    backupSeconds: Math.ceil(backupMs / 1000),
    otherSeconds: Math.ceil(otherMs / 1000),
    downloadSeconds: downloadMs === null ? null : Math.ceil(downloadMs / 1000),
    worstCaseSeconds: Math.ceil(worst / 1000),
    basis: basis.join('; '),
  };
}
