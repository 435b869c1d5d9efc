/** Refusals of a version or module selection. */
import { DomainError } from './domain-error.js';

export class VersionNotFoundError extends DomainError<'VERSION_NOT_FOUND'> {
  readonly code = 'VERSION_NOT_FOUND';
  constructor(readonly version: string) {
    super(`Version ${version} is not in the verified catalog. Search for updates first, or pick a listed version.`);
  }
}

export class WarningsNotAcknowledgedError extends DomainError<'WARNINGS_NOT_ACKNOWLEDGED'> {
  readonly code = 'WARNINGS_NOT_ACKNOWLEDGED';
  constructor(readonly moduleIds: string[]) {
    super(`Acknowledge the module warnings first (${moduleIds.join(', ')}).`);
  }
}

export type InvalidModuleSelectionCode = 'UNKNOWN_MODULE' | 'MODULE_VERSION_INCOMPATIBLE';

export class InvalidModuleSelectionError extends DomainError<InvalidModuleSelectionCode> {
  constructor(
    readonly code: InvalidModuleSelectionCode,
    message: string,
    readonly moduleId: string,
  ) {
    super(message);
  }
}
