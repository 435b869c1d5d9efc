/** Why the vendor feed could not be read or trusted, with the facts an admin needs to fix it. */
import { CodedError, DomainError } from './domain-error.js';

export const FEED_ERROR_CODES = [
  'FEED_UNREACHABLE',
  'FEED_SIGNATURE_INVALID',
  'FEED_EXPIRED',
  'FEED_ROLLBACK',
  'FEED_MALFORMED',
  'FEED_TOO_LARGE',
  'FEED_NOT_FOUND',
  'FEED_NOT_CONFIGURED',
] as const;
export type FeedErrorCode = (typeof FEED_ERROR_CODES)[number];

export function isFeedErrorCode(code: unknown): code is FeedErrorCode {
  return (FEED_ERROR_CODES as readonly unknown[]).includes(code);
}

export interface FeedErrorDetails {
  host?: string;
  port?: number;
  cause?: string;
  role?: string;
  file?: string;
}

export class FeedError extends CodedError<FeedErrorCode, FeedErrorDetails> {}

export class CatalogInvalidError extends DomainError<'CATALOG_INVALID'> {
  readonly code = 'CATALOG_INVALID';
  constructor(readonly issues: string[]) {
    super(`The catalog is invalid: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`);
  }
}
