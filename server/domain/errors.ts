/**
 * Expected failures: each class has a stable `code` that clients switch on, and structured
 * fields instead of text to parse. The GraphQL layer exposes them as union members implementing
 * the `Error` interface; anything that is not one of these is unexpected and gets masked.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly code = 'INVALID_INPUT';
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export class InvalidCredentialsError extends DomainError {
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('The user name or the password is wrong.');
  }
}

export class LoginThrottledError extends DomainError {
  readonly code = 'LOGIN_THROTTLED';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed logins. Try again in ${retryAfterSeconds} seconds.`);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`No ${entity} with id ${id}.`);
  }
}

/** The appliance could not be driven as asked (start, stop or health failed). */
export class ApplianceOperationError extends DomainError {
  readonly code = 'APPLIANCE_OPERATION_FAILED';
  constructor(
    message: string,
    readonly operation: 'start' | 'stop' | 'restart',
  ) {
    super(message);
  }
}
