/** Accounts: login/logout, `me`, and API tokens for integrators. */
import type { ApiScope, Principal } from '../server/domain/auth.js';
import type { ApiTokenRow } from '../server/repositories/accounts.repository.js';
import type { LoginOutcome } from '../server/services/accounts.service.js';
import { builder, ErrorInterface } from './builder.js';
import { InvalidCredentialsError, InvalidInputError, LoginThrottledError, NotFoundError } from '../server/domain/errors/index.js';

const ApiScopeEnum = builder.enumType('ApiScope', {
  description: '`READ` sees everything; `OPERATE` also acts on the appliance (and implies `READ`).',
  values: { READ: { value: 'read' }, OPERATE: { value: 'operate' } } as const,
});

const AuthMethod = builder.enumType('AuthMethod', { values: ['SESSION', 'TOKEN'] as const });

interface Me {
  id: string;
  username: string;
  principal: Principal;
}

const User = builder.objectRef<Me>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    authMethod: t.field({ type: AuthMethod, resolve: (u) => (u.principal.kind === 'session' ? 'SESSION' : 'TOKEN') }),
    scopes: t.field({
      type: [ApiScopeEnum],
      description: 'What this credential may do (a session may do everything).',
      resolve: (u) => u.principal.scopes.filter((s): s is ApiScope => s !== 'admin'),
    }),
  }),
});

const ApiToken = builder.objectRef<ApiTokenRow>('ApiToken').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise it.' }),
    scopes: t.field({ type: [ApiScopeEnum], resolve: (r) => r.scopes as ApiScope[] }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.objectType(InvalidCredentialsError, {
  name: 'InvalidCredentialsError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof InvalidCredentialsError,
  fields: () => ({}),
});

builder.objectType(LoginThrottledError, {
  name: 'LoginThrottledError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof LoginThrottledError,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof NotFoundError,
  fields: (t) => ({ entity: t.exposeString('entity'), id: t.exposeID('id') }),
});

const LoginSuccess = builder.objectRef<LoginOutcome>('LoginSuccess').implement({
  fields: (t) => ({
    user: t.field({ type: User, resolve: (r) => ({ id: r.user.id, username: r.user.username, principal: r.principal }) }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'Absolute end of the session.' }),
  }),
});

const LogoutSuccess = builder.objectRef<{ loggedOut: true }>('LogoutSuccess').implement({
  fields: (t) => ({ loggedOut: t.exposeBoolean('loggedOut') }),
});

const CreateApiTokenSuccess = builder.objectRef<{ token: ApiTokenRow; secret: string }>('CreateApiTokenSuccess').implement({
  fields: (t) => ({
    token: t.field({ type: ApiToken, resolve: (r) => r.token }),
    secret: t.exposeString('secret', { description: 'Shown once: only its hash is stored.' }),
  }),
});

const RevokeApiTokenSuccess = builder.objectRef<ApiTokenRow>('RevokeApiTokenSuccess').implement({
  fields: (t) => ({ token: t.field({ type: ApiToken, resolve: (revoked) => revoked }) }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: User,
    nullable: true,
    description: 'The user behind the credential of this request.',
    resolve: (_root, _args, ctx) => {
      const p = ctx.principal!;
      return { id: p.userId, username: p.username, principal: p };
    },
  }),
  apiTokens: t.field({
    type: [ApiToken],
    authScopes: { admin: true },
    resolve: (_root, _args, ctx) => ctx.services.accounts.listApiTokens(),
  }),
}));

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginSuccess,
    skipTypeScopes: true,
    description: 'Opens a browser session (HttpOnly cookie). Over HTTP only.',
    errors: {
      types: [InvalidCredentialsError, LoginThrottledError, InvalidInputError],
      directResult: true,
      union: { name: 'LoginResult' },
    },
    args: { username: t.arg.string(), password: t.arg.string() },
    resolve: (_root, { username, password }, ctx) => ctx.services.accounts.login(username, password, ctx.client, ctx.cookies),
  }),
  logout: t.field({
    type: LogoutSuccess,
    authScopes: { session: true },
    resolve: (_root, _args, ctx) => {
      ctx.services.accounts.logout(ctx.principal!, ctx.cookies);
      return { loggedOut: true as const };
    },
  }),
  createApiToken: t.field({
    type: CreateApiTokenSuccess,
    authScopes: { admin: true },
    errors: { types: [InvalidInputError], directResult: true, union: { name: 'CreateApiTokenResult' } },
    args: {
      name: t.arg.string(),
      scopes: t.arg({ type: [ApiScopeEnum] }),
      expiresAt: t.arg({ type: 'DateTime', required: false }),
    },
    resolve: (_root, args, ctx) => ctx.services.accounts.createApiToken(ctx.principal!, args.name, args.scopes, args.expiresAt ?? null),
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenSuccess,
    authScopes: { admin: true },
    errors: { types: [NotFoundError], directResult: true, union: { name: 'RevokeApiTokenResult' } },
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => ctx.services.accounts.revokeApiToken(ctx.principal!, String(id)),
  }),
}));
