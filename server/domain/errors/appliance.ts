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

export type CallControlErrorCode = 'DRAIN_FAILED' | 'UNDRAIN_FAILED' | 'ACTIVE_CALLS_UNREADABLE';

/** Reading the active calls or switching the drain failed (a command failed, hung, or printed garbage). */
export class CallControlError extends CodedError<CallControlErrorCode> {}

/** This appliance has no way to report calls or drain (no commands configured). */
export class DrainUnsupportedError extends DomainError<'DRAIN_UNSUPPORTED'> {
  readonly code = 'DRAIN_UNSUPPORTED';
  constructor() {
    super('This appliance cannot report its calls or refuse new ones: no drain commands are configured.');
  }
}
