/** Failures of making, verifying and restoring backups (a full disk is `DiskFullError`). */
import { CodedError } from './domain-error.js';

export type BackupErrorCode = 'BACKUP_DISK_FULL' | 'BACKUP_FAILED' | 'BACKUP_NOT_VERIFIED' | 'BACKUP_NOT_FOUND' | 'RESTORE_FAILED';

export class BackupError extends CodedError<BackupErrorCode> {}
