/** Failures of making, verifying and restoring backups (a full disk is `DiskFullError`). */
import { CodedError } from './domain-error.js';

/**
 * BACKUP_UNREADABLE: the backup is there, its manifest cannot be read or is not valid.
 * BACKUP_NOT_VERIFIED: a copy differs from its source, or a restore found the backup different from its manifest.
 */
export type BackupErrorCode = 'BACKUP_FAILED' | 'BACKUP_NOT_VERIFIED' | 'BACKUP_NOT_FOUND' | 'BACKUP_UNREADABLE' | 'RESTORE_FAILED';

export class BackupError extends CodedError<BackupErrorCode> {}
