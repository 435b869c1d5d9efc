/** Why a feed could not be read, with a stable code and the facts an admin needs to fix it. */
export type FeedErrorCode =
  | 'FEED_UNREACHABLE'
  | 'FEED_SIGNATURE_INVALID'
  | 'FEED_EXPIRED'
  | 'FEED_ROLLBACK'
  | 'FEED_MALFORMED'
  | 'FEED_TOO_LARGE'
  | 'FEED_NOT_FOUND'
  | 'FEED_NOT_CONFIGURED';

export interface FeedErrorDetails {
  host?: string;
  port?: number;
  cause?: string;
  role?: string;
  file?: string;
}

export class FeedError extends Error {
  constructor(
    readonly code: FeedErrorCode,
    message: string,
    readonly details: FeedErrorDetails = {},
  ) {
    super(message);
    this.name = 'FeedError';
  }
}
