/**
 * The base of every expected failure: a stable, literal `code` that clients and the code itself
 * switch on, and structured fields instead of text to parse. The GraphQL layer exposes them as
 * union members implementing the `Error` interface; anything that is not one is unexpected and
 * gets masked. `message` is English, for logs and integrators; the SPA words the code itself.
 */
export abstract class DomainError<C extends string = string> extends Error {
  abstract readonly code: C;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The failure of an area that has several codes: the code, and the facts behind it (structured,
 * for logs and for the SPA), given where it is thrown.
 */
export abstract class CodedError<C extends string, D extends object = Record<string, unknown>> extends DomainError<C> {
  constructor(
    readonly code: C,
    message: string,
    readonly details: D = {} as D,
  ) {
    super(message);
  }
}
