/** Failures of logging in. */
import { DomainError } from './domain-error.js';

export class InvalidCredentialsError extends DomainError<'INVALID_CREDENTIALS'> {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('The user name or the password is wrong.');
  }
}

/** Why a login was refused before its check: failures from its address, or too many checks at once. */
export type LoginThrottleReason = 'FAILURES' | 'BUSY';

export class LoginThrottledError extends DomainError<'LOGIN_THROTTLED'> {
  readonly code = 'LOGIN_THROTTLED';
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: LoginThrottleReason = 'FAILURES',
  ) {
    super(
      reason === 'BUSY'
        ? `Too many logins at once. Try again in ${retryAfterSeconds} seconds.`
        : `Too many failed logins. Try again in ${retryAfterSeconds} seconds.`,
    );
  }
}
