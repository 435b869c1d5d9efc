/** Refusals of a new subscription past the caps on what one WebSocket or one credential holds open. */
import { DomainError } from './domain-error.js';

export class TooManySubscriptionsError extends DomainError<'TOO_MANY_SUBSCRIPTIONS'> {
  readonly code = 'TOO_MANY_SUBSCRIPTIONS';
  constructor(readonly limit: number) {
    super(`This connection already runs ${limit} operations; end one before starting another.`);
  }
}

export class TooManyStreamsError extends DomainError<'TOO_MANY_STREAMS'> {
  readonly code = 'TOO_MANY_STREAMS';
  constructor(readonly limit: number) {
    super(`This credential already holds ${limit} subscriptions open (WebSocket and SSE together); end one before starting another.`);
  }
}
