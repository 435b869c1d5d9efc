/** Failures of logging in. */
import { DomainError } from './domain-error.js';

export class InvalidCredentialsError extends DomainError<'INVALID_CREDENTIALS'> {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('The user name or the password is wrong.');
  }
}

export class LoginThrottledError extends DomainError<'LOGIN_THROTTLED'> {
  readonly code = 'LOGIN_THROTTLED';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed logins. Try again in ${retryAfterSeconds} seconds.`);
  }
}
