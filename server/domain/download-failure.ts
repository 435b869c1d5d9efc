/**
 * Why a download job failed, as the job records it: a stable code, the English message, and the
 * parameters the SPA words it with (`notice.<CODE>` in the admin's language).
 */
import { DiskFullError, DownloadError, InsufficientDiskError, StagingError, UnsafeArchiveError } from './errors/index.js';
import { bytes, count, type Notice, notice, text } from './notice.js';

export type DownloadFailureCode =
  | DownloadError['code']
  | DiskFullError['code']
  | InsufficientDiskError['code']
  | UnsafeArchiveError['code']
  | StagingError['code']
  | 'DOWNLOAD_FAILED';

export interface DownloadFailure {
  code: DownloadFailureCode;
  message: string;
  notice: Notice<DownloadFailureCode>;
}

/** Every download failure code (the SPA has words for each). */
export const DOWNLOAD_FAILURE_CODES: readonly DownloadFailureCode[] = [
  'CHECKSUM_MISMATCH',
  'TOO_LARGE',
  'NETWORK',
  'HTTP_STATUS',
  'CANCELLED',
  'DISK_WRITE',
  'DISK_FULL',
  'INSUFFICIENT_DISK',
  'UNSAFE_ARCHIVE',
  'STAGING_UNREADABLE',
  'STAGING_CORRUPT',
  'DOWNLOAD_FAILED',
];

export function downloadFailure(err: unknown): DownloadFailure {
  const message = err instanceof Error ? err.message : String(err);
  const of = (n: Notice<DownloadFailureCode>): DownloadFailure => ({ code: n.code, message, notice: n });
  if (err instanceof DiskFullError) return of(notice(err.code, { path: text(err.path) }));
  if (err instanceof InsufficientDiskError) {
    return of(notice(err.code, { needed: bytes(err.neededBytes), free: bytes(err.freeBytes) }));
  }
  if (err instanceof UnsafeArchiveError) {
    return of(notice(err.code, { problems: count(err.problems.length), first: text(err.problems[0] ?? '') }));
  }
  if (err instanceof StagingError) return of(notice(err.code, { path: text(err.path) }));
  if (err instanceof DownloadError) {
    switch (err.code) {
      case 'HTTP_STATUS':
        return of(notice(err.code, { status: text(String(err.details.status ?? '')) }));
      case 'DISK_WRITE':
        return of(notice(err.code, { errno: text(String(err.details.errno ?? '')) }));
      case 'NETWORK':
      case 'CHECKSUM_MISMATCH':
      case 'TOO_LARGE':
      case 'CANCELLED':
        return of(notice(err.code));
    }
  }
  return of(notice('DOWNLOAD_FAILED', { message: text(message) }));
}
