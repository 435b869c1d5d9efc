/** Refusals of a maintenance-window setting: each names the field at fault and, for a window's field, its index. */
import { DomainError } from './domain-error.js';

/**
 * UNKNOWN_TIME_ZONE: not an IANA zone name. INVALID_START_TIME: not a local `HH:MM` from 00:00 to 23:59.
 * INVALID_LENGTH: not a whole number of minutes from 1 to 1440. NO_DAYS: a window without a weekday.
 * DUPLICATE_DAYS: a weekday given twice in one window. TOO_MANY_WINDOWS: more windows than the limit.
 */
export type MaintenanceWindowErrorCode =
  'UNKNOWN_TIME_ZONE' | 'INVALID_START_TIME' | 'INVALID_LENGTH' | 'NO_DAYS' | 'DUPLICATE_DAYS' | 'TOO_MANY_WINDOWS';

export class MaintenanceWindowError extends DomainError<MaintenanceWindowErrorCode> {
  constructor(
    readonly code: MaintenanceWindowErrorCode,
    message: string,
    /** The field at fault: `timeZone`, `windows`, or `windows[i].days|start|lengthMinutes`. */
    readonly field: string,
    /** The index of the window at fault; null for the time zone and the number of windows. */
    readonly windowIndex: number | null,
    /** The refused value as text (a zone name, a time, a length, a weekday, a count). */
    readonly value: string,
  ) {
    super(message);
  }
}

/** An installation asked for "in the next maintenance window" when no window is set. */
export class NoMaintenanceWindowError extends DomainError<'NO_MAINTENANCE_WINDOW'> {
  readonly code = 'NO_MAINTENANCE_WINDOW';
  constructor() {
    super('No maintenance window is set: set one first, or install now or at a chosen time.');
  }
}
