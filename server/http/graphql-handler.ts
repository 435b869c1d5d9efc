/**
 * The GraphQL-over-HTTP (and SSE) handler: graphql-yoga with the schema, query limits with stable
 * codes, masked unexpected errors (request errors without excerpts of the body), introspection only
 * with a credential, no suggestions, and a context carrying the request's principal and cookies.
 * The WebSocket transport (`graphql-ws.ts`) reuses its envelope, so both enforce the same rules.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaInitialContext, type YogaServerInstance } from 'graphql-yoga';
import { schema } from '../../schema/index.js';
import type { Context, Services, SessionCookies } from '../../schema/context.js';
import type { Logger } from '../adapters/logger.js';
import { authenticate, type Credential } from './authenticate.js';
import { introspectionNeedsCredential, noSuggestions } from './graphql-strictness.js';
import type { RequestFacts } from './request-facts.js';
import { clearedSessionCookie, readBearer, readCookie, SESSION_COOKIE, sessionCookie } from './credentials.js';
import type { OpenStreams } from './open-streams.js';
import { sharedSsePlugin } from './shared-sse.js';
import { sharedSubscriptionsPlugin } from './shared-subscriptions.js';
import { streamsPlugin } from './streams-plugin.js';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 15, maxCost: 5000, maxTokens: 2000 };

/** What the HTTP server hands yoga per request; a WebSocket operation carries `ws` instead. */
export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  /** The request's client as the HTTP server worked it out (TLS, address; proxies accounted for). */
  facts?: RequestFacts;
  ws?: { credential: Credential; address: string | null; userAgent: string | null };
}

export type GraphqlHandler = YogaServerInstance<ServerContext, Context>;

export interface GraphqlHandlerDeps {
  services: Services;
  logger: Logger;
  limits: QueryLimits;
  /** Where every subscription registers, to end with its credential. */
  streams: OpenStreams;
}

type TaggedError = GraphQLError & { extensions: Record<string, unknown> };

/** Gives graphql-armor's rejections a stable code, so that clients need not read messages. */
function tagged(code: string) {
  return [(_ctx: unknown, error: GraphQLError) => Object.assign((error as TaggedError).extensions, { code })];
}

/** Parse and validation failures get a stable code too (yoga leaves some without one). */
const codesPlugin: Plugin = {
  onParse() {
    return ({ result, replaceParseResult }) => {
      if (result instanceof GraphQLError && !result.extensions.code) {
        replaceParseResult(
          new GraphQLError(result.message, {
            source: result.source,
            positions: result.positions,
            extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
          }),
        );
      }
    };
  },
  onValidate() {
    return ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult(
        result.map((e) =>
          e.extensions.code
            ? e
            : new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }),
        ),
      );
    };
  },
};

export function createGraphqlHandler(deps: GraphqlHandlerDeps): GraphqlHandler {
  const { services, logger, limits } = deps;
  const pendingCookies = new WeakMap<Request, string[]>();

  const cookiePlugin: Plugin = {
    onResponse({ request, response }) {
      for (const c of pendingCookies.get(request) ?? []) response.headers.append('set-cookie', c);
    },
  };

  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL is served by `graphiql.ts`, behind the session check and with the SPA's headers.
    graphiql: false,
    maskedErrors: {
      maskError(error, message) {
        // yoga copies the JSON parser's message (which quotes the body) into its request errors.
        if (error instanceof GraphQLError && error.extensions.originalError) {
          const { originalError: _quoted, ...extensions } = error.extensions;
          return new GraphQLError(error.message, { extensions });
        }
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (error instanceof GraphQLError && !original) return error;
        if (error instanceof GraphQLError && original instanceof GraphQLError) return error;
        logger.error('unexpected error in a resolver', { err: original ?? error });
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    logging: {
      debug: (...args) => logger.debug(String(args[0]), { detail: args.slice(1).map(String) }),
      info: (...args) => logger.info(String(args[0]), { detail: args.slice(1).map(String) }),
      warn: (...args) => logger.warn(String(args[0]), { detail: args.slice(1).map(String) }),
      error: (...args) => logger.error(String(args[0]), { detail: args.slice(1).map(String) }),
    },
    plugins: [
      cookiePlugin,
      codesPlugin,
      maxTokensPlugin({ n: limits.maxTokens, onReject: tagged('QUERY_TOO_LARGE') }),
      maxDepthPlugin({ n: limits.maxDepth, onReject: tagged('QUERY_TOO_DEEP') }),
      maxAliasesPlugin({ n: limits.maxAliases, onReject: tagged('TOO_MANY_ALIASES') }),
      costLimitPlugin({ maxCost: limits.maxCost, onReject: tagged('QUERY_TOO_COSTLY') }),
      // Before the streams plugin, which wraps each subscriber's stream of shared results.
      sharedSubscriptionsPlugin(),
      streamsPlugin(deps.streams, logger),
      // After yoga's own result processors: an SSE stream's shared results are encoded once.
      sharedSsePlugin(),
      noSuggestions,
      introspectionNeedsCredential,
    ],
    context: (initial: YogaInitialContext & ServerContext): Context => {
      if (initial.ws) {
        return {
          principal: authenticate(services.accounts, initial.ws.credential),
          services,
          client: { address: initial.ws.address, userAgent: initial.ws.userAgent },
          cookies: null,
        };
      }
      const { request, facts } = initial;
      const { secure, address } = facts ?? { secure: false, address: null };
      const bearer = readBearer(request.headers.get('authorization'));
      const cookie = readCookie(request.headers.get('cookie') ?? undefined, SESSION_COOKIE);
      // A bearer token wins: it is explicit, whereas a cookie is ambient.
      const credential: Credential | null = bearer ? { kind: 'token', secret: bearer } : cookie ? { kind: 'cookie', secret: cookie } : null;
      const cookies: SessionCookies = {
        current: cookie,
        set(token, expiresAt) {
          pendingCookies.set(request, [...(pendingCookies.get(request) ?? []), sessionCookie(token, expiresAt, secure)]);
        },
        clear() {
          pendingCookies.set(request, [...(pendingCookies.get(request) ?? []), clearedSessionCookie(secure)]);
        },
      };
      return {
        principal: authenticate(services.accounts, credential),
        services,
        client: { address, userAgent: request.headers.get('user-agent') },
        cookies,
      };
    },
  });
}
