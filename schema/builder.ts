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

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string with a time zone (e.g. 2026-11-24T12:00:00Z).',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string.');
    return parseDateTime(ast.value);
  },
});

function parseDateTime(value: unknown): Date {
  // A time zone is required: an instant without one means different things on different machines.
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new GraphQLError('DateTime must be an ISO 8601 string with a time zone, e.g. 2026-11-24T12:00:00Z.');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime ${value} is not a valid date.`);
  return date;
}

builder.scalarType('File', {
  description: 'A file sent with the GraphQL multipart request specification.',
  serialize: () => {
    throw new GraphQLError('A File is only accepted as input.');
  },
});

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
