/** Failures of making, verifying and restoring backups (a full disk is `DiskFullError`). */
import { DomainError } from './domain-error.js';

export type BackupErrorCode = 'BACKUP_DISK_FULL' | 'BACKUP_FAILED' | 'BACKUP_NOT_VERIFIED' | 'BACKUP_NOT_FOUND' | 'RESTORE_FAILED';

export class BackupError extends DomainError<BackupErrorCode> {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
