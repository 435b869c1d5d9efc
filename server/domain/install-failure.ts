/**
 * Why an installation failed, as one code and its parameters: a domain error keeps its own code
 * (chosen by `instanceof`), a full disk is DISK_FULL wherever it happens, and any other failure
 * takes the code of the step it happened in. Pure: the engine records what this returns.
 */
import { DOWNLOAD_FAILURE_CODES, downloadFailure } from './download-failure.js';
import type { JournalFailure, JournalStep } from './install.js';
import {
  ApplianceError,
  ApplianceOperationError,
  BackupError,
  CallControlError,
  DiskFullError,
  DownloadError,
  InstallStepError,
  InsufficientDiskError,
  isDiskFull,
  JobNotInDatabaseError,
  MigrationError,
  NotInstallableError,
  ReleaseNotAvailableError,
  StagingError,
  UnsafeArchiveError,
} from './errors/index.js';
import { type Notice, type NoticeParam, count, notice, text, version } from './notice.js';

/** The code of a failure that no domain error explains, by the step it happened in. */
const STEP_CODES = {
  DRAIN: 'DRAIN_FAILED',
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
} as const satisfies Partial<Record<JournalStep, string>>;

/** Every code a failed installation's job can carry (its `errorCode`). */
export const INSTALL_FAILURE_CODES = [
  // by the step
  'DRAIN_FAILED',
  'STOP_FAILED',
  'DOWNLOAD_FAILED',
  'BACKUP_FAILED',
  'APPLY_FAILED',
  'MIGRATION_FAILED',
  'RESTORE_FAILED',
  'SWITCH_FAILED',
  'MODULE_FAILED',
  'START_FAILED',
  'HEALTHCHECK_FAILED',
  /** A step without a code of its own (the preflight, the commit) failed unexpectedly. */
  'INSTALL_FAILED',
  // the engine's own
  'INTERRUPTED',
  'ROLLBACK_FAILED',
  'RECOVERY_PENDING',
  /** A scheduled installation's wait for calls outlasted its window once more than allowed. */
  'POSTPONED_TOO_OFTEN',
  // the domain errors' own codes
  'APPLIANCE_UNHEALTHY',
  'APPLIANCE_CHANGED',
  'STAGED_RELEASE_MISSING',
  'JOB_NOT_IN_DATABASE',
  'NOT_INSTALLABLE',
  'RELEASE_NOT_AVAILABLE',
  'BACKUP_UNREADABLE',
  'BACKUP_NOT_VERIFIED',
  'BACKUP_NOT_FOUND',
  'APPLIANCE_NOT_INSTALLED',
  'APPLIANCE_LAYOUT_INVALID',
  'APPLIANCE_START_FAILED',
  'APPLIANCE_STOP_FAILED',
  'APPLIANCE_OPERATION_FAILED',
  'UNDRAIN_FAILED',
  'ACTIVE_CALLS_UNREADABLE',
  // a one-go installation's download fails as a download job does
  ...DOWNLOAD_FAILURE_CODES,
] as const satisfies readonly FailureCodeOfErrors[];
export type InstallFailureCode = (typeof INSTALL_FAILURE_CODES)[number];

/** The codes `classify` can produce: the list above must hold each of them (checked below). */
type FailureCodeOfErrors =
  | (typeof STEP_CODES)[keyof typeof STEP_CODES]
  | 'INSTALL_FAILED'
  | 'INTERRUPTED'
  | 'ROLLBACK_FAILED'
  | 'RECOVERY_PENDING'
  | 'POSTPONED_TOO_OFTEN'
  | DiskFullError['code']
  | ClassifiedError['code'];
type ClassifiedError =
  | InstallStepError
  | JobNotInDatabaseError
  | InsufficientDiskError
  | NotInstallableError
  | ReleaseNotAvailableError
  | BackupError
  | ApplianceError
  | ApplianceOperationError
  | CallControlError
  | MigrationError
  | DownloadError
  | UnsafeArchiveError
  | StagingError;
// A compile-time check that no code is missing from INSTALL_FAILURE_CODES.
const everyCodeListed: Exclude<FailureCodeOfErrors, InstallFailureCode> extends never ? true : false = true;
void everyCodeListed;

/** A failure as the job records it: the code, the English message, and the parameters the SPA words it with. */
export interface InstallFailure {
  code: InstallFailureCode;
  message: string;
  params: NoticeParam[];
}

function isClassified(err: unknown): err is ClassifiedError {
  return (
    err instanceof InstallStepError ||
    err instanceof JobNotInDatabaseError ||
    err instanceof InsufficientDiskError ||
    err instanceof NotInstallableError ||
    err instanceof ReleaseNotAvailableError ||
    err instanceof BackupError ||
    err instanceof ApplianceError ||
    err instanceof ApplianceOperationError ||
    err instanceof CallControlError ||
    err instanceof MigrationError ||
    err instanceof DownloadError ||
    err instanceof UnsafeArchiveError ||
    err instanceof StagingError
  );
}

function isDownloadFailure(err: unknown): err is DownloadError | UnsafeArchiveError | StagingError | DiskFullError | InsufficientDiskError {
  return (
    err instanceof DownloadError ||
    err instanceof UnsafeArchiveError ||
    err instanceof StagingError ||
    err instanceof DiskFullError ||
    err instanceof InsufficientDiskError
  );
}

/** The failure of `step` caused by `err`. */
export function classifyFailure(step: JournalStep, err: unknown): InstallFailure {
  const message = err instanceof Error ? err.message : String(err);
  const params = { step: text(step), ...factsOf(err) };
  // The download's failures are worded as the download job words them, with the same facts.
  if (isDownloadFailure(err)) {
    const d = downloadFailure(err);
    return { code: d.code, message, params: [...notice(d.code, { step: text(step) }).params, ...d.notice.params] };
  }
  if (isDiskFull(err)) return failure('DISK_FULL', message, { ...params, path: text(String((err as { path?: unknown }).path ?? '')) });
  if (isClassified(err)) return failure(err.code, message, params);
  const byStep = (STEP_CODES as Partial<Record<JournalStep, InstallFailureCode>>)[step];
  return failure(byStep ?? 'INSTALL_FAILED', message, params);
}

/** Patchbay stopped (a crash, a power cut) during `step`. */
export function interruptedFailure(step: JournalStep): InstallFailure {
  return failure('INTERRUPTED', `Patchbay stopped during ${step} (a crash or a power cut).`, { step: text(step) });
}

/** Postponed `count` times already, a scheduled installation's wait outlasted its window again. */
export function postponedTooOftenFailure(postponements: number): InstallFailure {
  return failure(
    'POSTPONED_TOO_OFTEN',
    `The calls did not end within the maintenance window, and the installation was already postponed ${postponements} times: it is not postponed again. Nothing was changed; download and install it again when the calls allow.`,
    { count: count(postponements) },
  );
}

/** The way back failed too, at `step`, after `first` (the failure that started it). */
export function rollbackFailure(first: JournalFailure | null, step: JournalStep, cause: InstallFailure): InstallFailure {
  return failure('ROLLBACK_FAILED', `${first ? `${first.message} ` : ''}Then the way back failed at ${step}: ${cause.message}`, {
    step: text(step),
    cause: text(cause.code),
    ...(first ? { firstCode: text(first.code), firstStep: text(first.step) } : {}),
  });
}

/**
 * The engine could not bring the job to a recorded end (its journal or the database could not be
 * written): the job is closed as failed, and the next start of Patchbay finishes it from the journal.
 */
export function recoveryPendingFailure(step: JournalStep, err: unknown): InstallFailure {
  const cause = classifyFailure(step, err);
  return failure(
    'RECOVERY_PENDING',
    `The installation could not be brought to a recorded end at ${step} (${cause.message}); the next start of Patchbay finishes it from its journal.`,
    { step: text(step), cause: text(cause.code) },
  );
}

export function failureNotice(f: Pick<InstallFailure, 'code'> & { params?: InstallFailure['params'] }): Notice {
  return { code: f.code, params: f.params ?? [] };
}

function failure(code: InstallFailureCode, message: string, params: Parameters<typeof notice>[1]): InstallFailure {
  return { code, message, params: notice(code, params).params };
}

/** The structured fields of the errors that have some worth showing. */
function factsOf(err: unknown): Parameters<typeof notice>[1] {
  if (err instanceof NotInstallableError || err instanceof ReleaseNotAvailableError) return { version: version(err.version) };
  if (err instanceof InstallStepError) {
    const facts = (err as InstallStepError).facts;
    switch (facts.code) {
      case 'APPLIANCE_UNHEALTHY':
        return { state: text(facts.state) };
      case 'APPLIANCE_CHANGED':
        return { running: version(facts.running ?? ''), expected: version(facts.expected) };
      case 'STAGED_RELEASE_MISSING':
        return { version: version(facts.version), modules: text(facts.modules.join(', ')) };
      case 'MODULE_FAILED':
        return { moduleId: text(facts.moduleId), version: version(facts.version) };
    }
  }
  return {};
}
