/** Refusals of an installation request, and the failures of an installation's steps. */
import { DomainError } from './domain-error.js';

export class JobNotReadyError extends DomainError<'JOB_NOT_READY'> {
  readonly code = 'JOB_NOT_READY';
  constructor(
    readonly jobId: string,
    readonly state: string,
  ) {
    super(
      state === 'SCHEDULED' || state === 'DOWNLOADING' || state === 'DOWNLOADED'
        ? `The download of this job is not finished (${state.toLowerCase()}): install it once it is staged.`
        : `A job that is ${state.toLowerCase()} cannot be installed.`,
    );
  }
}

export class OperationInProgressError extends DomainError<'OPERATION_IN_PROGRESS'> {
  readonly code = 'OPERATION_IN_PROGRESS';
  constructor(readonly operation: 'installation' | 'backup') {
    super(`Wait until the running ${operation === 'installation' ? 'installation or restore' : 'backup'} has finished.`);
  }
}

export class ReleaseNotAvailableError extends DomainError<'RELEASE_NOT_AVAILABLE'> {
  readonly code = 'RELEASE_NOT_AVAILABLE';
  constructor(readonly version: string) {
    super(`Release ${version}, which this backup's data belongs to, is no longer on the appliance: the backup cannot be restored.`);
  }
}

/** The installation journal on disk is not a journal (torn by hand, or written by something else). */
export class JournalCorruptError extends DomainError<'JOURNAL_CORRUPT'> {
  readonly code = 'JOURNAL_CORRUPT';
}
