/**
 * The Pothos builder: plugins, scalars, auth scopes and the shared `Error` interface. Every root
 * type requires the `read` scope by default; fields add stricter scopes, and only `login` opts out.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError, Kind } from 'graphql';
import type { Context } from './context.js';
import { DomainError, InvalidInputError } from '../server/domain/errors/index.js';
import { parseInstant } from '../server/domain/instant.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { read: boolean; operate: boolean; admin: boolean; session: boolean };
  Scalars: { DateTime: { Input: Date; Output: Date | string }; File: { Input: File; Output: never } };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      read: ctx.principal?.scopes.includes('read') ?? false,
      operate: ctx.principal?.scopes.includes('operate') ?? false,
      admin: ctx.principal?.scopes.includes('admin') ?? false,
      session: ctx.principal?.kind === 'session',
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.principal
        ? new GraphQLError('This credential lacks the scope this operation needs.', { extensions: { code: 'FORBIDDEN' } })
        : new GraphQLError('Log in or present an API token.', { extensions: { code: 'UNAUTHENTICATED' } }),
  },
  errors: { defaultTypes: [] },
});

/** A scalar's refusal: a typed `INVALID_INPUT`, as a wrong argument to a resolver would be. */
const invalidInput = (message: string) => new GraphQLError(message, { extensions: { code: 'INVALID_INPUT' } });

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string with a time zone (e.g. 2026-11-24T12:00:00Z); impossible dates are refused.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});

function parseDateTime(value: unknown): Date {
  // A time zone is required: an instant without one means different things on different machines.
  const date = typeof value === 'string' ? parseInstant(value) : null;
  if (!date) throw invalidInput('DateTime must be a real ISO 8601 date and time with a time zone, e.g. 2026-11-24T12:00:00Z.');
  return date;
}

builder.scalarType('File', {
  description: 'A file sent with the GraphQL multipart request specification.',
  serialize: () => {
    throw new GraphQLError('A File is only accepted as input.');
  },
  parseValue: (value) => {
    if (isUploadedFile(value)) return value;
    throw invalidInput('A File must be sent as a part of a GraphQL multipart request.');
  },
  parseLiteral: () => {
    throw invalidInput('A File must be sent as a part of a GraphQL multipart request, not written in the query.');
  },
});

/** yoga hands uploads over as its own File class; a JSON variable can never carry methods. */
function isUploadedFile(value: unknown): value is File {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as File).arrayBuffer === 'function' &&
    typeof (value as File).name === 'string'
  );
}

export const ErrorInterface = builder.interfaceRef<{ code: string; message: string }>('Error').implement({
  description: 'Shared by every expected failure; clients switch on `code` (stable) and show `message`.',
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

/**
 * A subscription has no result union for an expected refusal at its start (a NotFoundError for an
 * unknown id): it becomes the response's one GraphQL error, with the domain code in `extensions`
 * as the scope checks give theirs, and the stream ends. Anything else stays unexpected (masked).
 */
export async function refusalAsError<T>(stream: Promise<T>): Promise<T> {
  try {
    return await stream;
  } catch (err) {
    if (err instanceof DomainError) throw new GraphQLError(err.message, { extensions: { code: err.code } });
    throw err;
  }
}

builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidInputError,
  fields: (t) => ({
    field: t.exposeString('field', { nullable: true, description: 'The argument at fault, when one is.' }),
  }),
});

builder.queryType({ authScopes: { read: true } });
builder.mutationType({ authScopes: { read: true } });
builder.subscriptionType({ authScopes: { read: true } });
