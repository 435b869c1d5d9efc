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

/** What a step found wrong, as facts (the English message is made from them). */
export type InstallStepFacts =
  | { code: 'APPLIANCE_UNHEALTHY'; state: string; reason: string | null }
  | { code: 'APPLIANCE_CHANGED'; running: string | null; expected: string }
  | { code: 'STAGED_RELEASE_MISSING'; version: string; release: boolean; modules: string[] }
  | { code: 'MODULE_FAILED'; moduleId: string; version: string; found: { id: string; version: string } | null };
export type InstallStepErrorCode = InstallStepFacts['code'];

/** A step of an installation refuses to go on: the appliance or the staged files are not as expected. */
export class InstallStepError<C extends InstallStepErrorCode = InstallStepErrorCode> extends DomainError<C> {
  readonly code: C;
  constructor(readonly facts: Extract<InstallStepFacts, { code: C }>) {
    super(stepErrorMessage(facts));
    this.code = facts.code;
  }
}

function stepErrorMessage(facts: InstallStepFacts): string {
  switch (facts.code) {
    case 'APPLIANCE_UNHEALTHY':
      return `The appliance is ${facts.state.toLowerCase()}${facts.reason ? ` (${facts.reason})` : ''}: an installation starts only from a healthy appliance, so that there is a known good state to go back to.`;
    case 'APPLIANCE_CHANGED':
      return `The appliance runs ${facts.running ?? 'no release'}, not ${facts.expected} as when the job was created.`;
    case 'STAGED_RELEASE_MISSING': {
      const missing = [...(facts.release ? [`the release ${facts.version}`] : []), ...facts.modules];
      return `Staged files are missing (${missing.join(', ')}): download again.`;
    }
    case 'MODULE_FAILED':
      return facts.found
        ? `The bundle of module ${facts.moduleId} ${facts.version} describes ${facts.found.id} ${facts.found.version}.`
        : `Module ${facts.moduleId} ${facts.version} was not staged.`;
  }
}

/** The journal names a job the database does not hold (the database was replaced or reset). */
export class JobNotInDatabaseError extends DomainError<'JOB_NOT_IN_DATABASE'> {
  readonly code = 'JOB_NOT_IN_DATABASE';
  constructor(readonly jobId: string) {
    super(`Job ${jobId} of the installation journal is not in the database.`);
  }
}

/** `installNow` for a job that is not waiting for its calls to end (any more, or not yet). */
export class JobNotWaitingForCallsError extends DomainError<'JOB_NOT_WAITING_FOR_CALLS'> {
  readonly code = 'JOB_NOT_WAITING_FOR_CALLS';
  constructor(
    readonly jobId: string,
    readonly state: string,
  ) {
    super(`Job ${jobId} is not waiting for calls to end (it is ${state.toLowerCase()}).`);
  }
}
