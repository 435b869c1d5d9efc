/** Refusals of a licence file at import. */
import { DomainError } from './domain-error.js';

export type LicenceErrorCode =
  | 'LICENCE_MALFORMED'
  | 'LICENCE_TOO_LARGE'
  | 'LICENCE_SIGNATURE_INVALID'
  | 'LICENCE_WRONG_SYSTEM'
  | 'LICENCE_EXPIRED'
  | 'LICENCE_SUPERSEDED';

export class LicenceError extends DomainError<LicenceErrorCode> {
  constructor(
    readonly code: LicenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
