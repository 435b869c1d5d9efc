/**
 * The events of a download job as notices: one code per kind of event, its parameters named in
 * the comment. The SPA has words for each (`web/src/i18n/notices/download.<locale>.ts`).
 */
import { type Notice, notice } from './notice.js';

export const DOWNLOAD_NOTICE_CODES = [
  /** version, startAt (ISO 8601), by */
  'DOWNLOAD_SCHEDULED',
  /** by */
  'DOWNLOAD_CANCELLED',
  'DOWNLOAD_RESUMED_AFTER_RESTART',
  /** startAt (ISO 8601) */
  'DOWNLOAD_START_MISSED',
  /** version */
  'DOWNLOAD_STARTED',
  'DOWNLOAD_VERIFIED',
  'DOWNLOAD_STAGED',
  /** bundle, reason, attempt, wait */
  'DOWNLOAD_RETRY',
  /** bundle, from */
  'DOWNLOAD_RESUME',
  /** bundle */
  'DOWNLOAD_RESTART_RANGE_IGNORED',
  /** bundle, asked, answered */
  'DOWNLOAD_RESTART_WRONG_RANGE',
  /** reason */
  'DOWNLOAD_CLEANUP_FAILED',
] as const;

export type DownloadNoticeCode = (typeof DOWNLOAD_NOTICE_CODES)[number];

export const downloadNotice = (code: DownloadNoticeCode, params?: Parameters<typeof notice>[1]): Notice<DownloadNoticeCode> =>
  notice(code, params);
