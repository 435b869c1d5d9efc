/** Failures and refusals of downloading and staging an update. */
import type { Blocker } from '../upgrade-path.js';
import { CodedError, DomainError } from './domain-error.js';

/** Not enough room, and a full disk, are the disk's own errors (`InsufficientDiskError`, `DiskFullError`). */
export type DownloadErrorCode = 'CHECKSUM_MISMATCH' | 'TOO_LARGE' | 'NETWORK' | 'HTTP_STATUS' | 'CANCELLED' | 'DISK_WRITE';

/** A bundle could not be fetched or does not match its signed length and hash. */
export class DownloadError extends CodedError<DownloadErrorCode> {}

/** A bundle holds entries that may not be unpacked (links, absolute paths, `..`, too large…). */
export class UnsafeArchiveError extends DomainError<'UNSAFE_ARCHIVE'> {
  readonly code = 'UNSAFE_ARCHIVE';
  constructor(readonly problems: string[]) {
    super(`The bundle is refused: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}.`);
  }
}

export class NotInstallableError extends DomainError<'NOT_INSTALLABLE'> {
  readonly code = 'NOT_INSTALLABLE';
  constructor(
    readonly version: string,
    readonly blockers: Blocker[],
  ) {
    super(`Version ${version} cannot be installed: ${blockers.map((b) => b.message).join(' ')}`);
  }
}

export class InvalidStartTimeError extends DomainError<'INVALID_START_TIME'> {
  readonly code = 'INVALID_START_TIME';
}

export class JobAlreadyActiveError extends DomainError<'JOB_ALREADY_ACTIVE'> {
  readonly code = 'JOB_ALREADY_ACTIVE';
  constructor(readonly jobId: string | null) {
    super('Another update job is active: cancel it or let it finish first.');
  }
}

export class JobNotCancellableError extends DomainError<'JOB_NOT_CANCELLABLE'> {
  readonly code = 'JOB_NOT_CANCELLABLE';
  constructor(readonly state: string) {
    super(
      state === 'INSTALLING' || state === 'RESTORING'
        ? 'An installation cannot be cancelled: it ends installed, or with the previous state restored.'
        : `A job that is ${state} cannot be cancelled.`,
    );
  }
}

export type StagingErrorCode = 'STAGING_UNREADABLE' | 'STAGING_CORRUPT';

/** The staging area of a job exists but cannot be read (permissions) or holds a manifest that is not valid. */
export class StagingError extends DomainError<StagingErrorCode> {
  constructor(
    readonly code: StagingErrorCode,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}
