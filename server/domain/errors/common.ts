/** Failures any use case can return: bad input, an unknown id. */
import { DomainError } from './domain-error.js';

export class InvalidInputError extends DomainError<'INVALID_INPUT'> {
  readonly code = 'INVALID_INPUT';
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError<'NOT_FOUND'> {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`No ${entity} with id ${id}.`);
  }
}
