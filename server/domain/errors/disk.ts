/**
 * The disk: not enough room for an operation (found before it starts), or full while writing
 * (found during it). A full disk is one code wherever it happens: download, staging, backup,
 * restore, journal.
 */
import { DomainError } from './domain-error.js';

export class InsufficientDiskError extends DomainError<'INSUFFICIENT_DISK'> {
  readonly code = 'INSUFFICIENT_DISK';
  constructor(
    readonly neededBytes: number,
    readonly freeBytes: number,
  ) {
    super(`The operation needs ${neededBytes} bytes free; ${freeBytes} bytes are free.`);
  }
}

export class DiskFullError extends DomainError<'DISK_FULL'> {
  readonly code = 'DISK_FULL';
  constructor(
    /** The file being written when the disk filled up. */
    readonly path: string,
    /** The system's code: ENOSPC, EDQUOT or SQLITE_FULL. */
    readonly errno: string,
  ) {
    super(`The disk is full (writing ${path}).`);
  }
}

/** True for the system's ways of saying that the disk is full. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}
