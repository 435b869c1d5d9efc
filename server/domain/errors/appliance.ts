/** Failures of driving the appliance: its layout on disk, its process, its migrations. */
import { CodedError, DomainError } from './domain-error.js';

/** The appliance could not be driven as asked (start, stop or health failed). */
export class ApplianceOperationError extends DomainError<'APPLIANCE_OPERATION_FAILED'> {
  readonly code = 'APPLIANCE_OPERATION_FAILED';
  constructor(
    message: string,
    readonly operation: 'start' | 'stop' | 'restart',
  ) {
    super(message);
  }
}

export type ApplianceErrorCode =
  'APPLIANCE_NOT_INSTALLED' | 'APPLIANCE_LAYOUT_INVALID' | 'APPLIANCE_START_FAILED' | 'APPLIANCE_STOP_FAILED';

/** Typed failures of the appliance layer, each with a stable code and the facts behind it. */
export class ApplianceError extends CodedError<ApplianceErrorCode> {}

export class MigrationError extends DomainError<'MIGRATION_FAILED'> {
  readonly code = 'MIGRATION_FAILED';
  constructor(
    message: string,
    readonly details: { exitCode: number | null; signal: string | null; stderr: string },
  ) {
    super(message);
  }
}
