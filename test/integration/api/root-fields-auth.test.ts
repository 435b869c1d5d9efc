/**
 * Walks every root field of the schema and proves that none but `login` answers without a
 * credential, and that tokens get exactly their scopes. A new field without auth fails here.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../../schema/index.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { HttpClient } from '../../helpers/graphql-clients.js';

/** A syntactically valid literal for any input type: the auth check runs before it is looked at. */
function sample(type: GraphQLInputType): string {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return `[${sample(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
    return `{ ${fields.map((f) => `${f.name}: ${sample(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
      case 'Float':
        return '1';
      case 'Boolean':
        return 'true';
      case 'DateTime':
        return '"2030-01-01T00:00:00Z"';
      default:
        return '"x"';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

/** A file cannot be written as a literal: it is a variable, sent as a multipart upload. */
const isFile = (type: GraphQLInputType) => getNamedType(type).name === 'File';
const fileArgs = (field: GraphQLField<unknown, unknown>) => field.args.filter((a) => isNonNullType(a.type) && isFile(a.type));

function operation(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a) => isNonNullType(a.type));
  const argList = args.length ? `(${args.map((a) => `${a.name}: ${isFile(a.type) ? `$${a.name}` : sample(a.type)}`).join(', ')})` : '';
  const files = fileArgs(field);
  const variables = files.length ? `(${files.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')}) ` : '';
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? '' : '{ __typename }';
  return `${kind} ${variables}{ ${field.name}${argList} ${selection} }`;
}

/** Sends the operation of `field`, as a multipart upload when it takes a file. */
function send(client: HttpClient, kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>) {
  const files = fileArgs(field);
  if (!files.length) return client.query(operation(kind, field));
  return client.multipart(operation(kind, field), Object.fromEntries(files.map((a) => [a.name, new File(['{}'], 'sample.json')])));
}

const roots: ['query' | 'mutation' | 'subscription', GraphQLObjectType | null | undefined][] = [
  ['query', schema.getQueryType()],
  ['mutation', schema.getMutationType()],
  ['subscription', schema.getSubscriptionType()],
];
const fields = roots.flatMap(([kind, type]) => Object.values(type?.getFields() ?? {}).map((f) => ({ kind, field: f })));
const PUBLIC = new Set(['login']);
/**
 * A read token may use every query and subscription but those for admins; every mutation needs
 * more than `read` (operate, or an admin session).
 */
const ADMIN_QUERIES = new Set(['apiTokens']);
const readMayUse = (kind: string, name: string) => kind !== 'mutation' && !ADMIN_QUERIES.has(name);

describe('every root field', () => {
  let app: TestApp;
  let readToken: string;

  beforeAll(async () => {
    app = await startTestApp();
    readToken = await app.token(['READ']);
  });
  afterAll(() => app.close());

  it('covers at least the fields known today', () => {
    expect(fields.map((f) => f.field.name)).toEqual(expect.arrayContaining(['me', 'system', 'login', 'logout', 'systemState']));
  });

  it.each(fields.filter((f) => !PUBLIC.has(f.field.name)).map((f) => [f.kind, f.field.name, f] as const))(
    '%s %s refuses an anonymous caller with UNAUTHENTICATED',
    async (kind, _name, { field }) => {
      const query = operation(kind, field);
      if (kind === 'subscription') {
        const res = await fetch(`${app.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ query }),
        });
        const text = await res.text();
        expect(text).toContain('UNAUTHENTICATED');
        return;
      }
      const res = await send(app.anonymous(), kind, field);
      expect(res.errors?.map((e) => e.extensions?.code)).toContain('UNAUTHENTICATED');
      expect(res.data?.[field.name as never] ?? null).toBeNull();
    },
  );

  it.each(
    fields.filter((f) => !PUBLIC.has(f.field.name) && !readMayUse(f.kind, f.field.name)).map((f) => [f.kind, f.field.name, f] as const),
  )('%s %s refuses a read-only token with FORBIDDEN', async (kind, _name, { field }) => {
    const client = new HttpClient(app.url);
    client.bearer = readToken;
    if (kind === 'subscription') {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${readToken}` },
        body: JSON.stringify({ query: operation(kind, field) }),
      });
      expect(await res.text()).toContain('FORBIDDEN');
      return;
    }
    const res = await send(client, kind, field);
    expect(res.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  });

  it('lets an anonymous caller reach login', async () => {
    const res = await app.anonymous().query(operation('mutation', schema.getMutationType()!.getFields().login!));
    expect(res.errors).toBeUndefined();
  });
});
