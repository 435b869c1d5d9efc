/**
 * GraphQL over WebSocket (graphql-ws) on the same yoga envelope as HTTP: the credential is taken
 * at connection time (connection params or, from an allowed browser origin, the cookie) and
 * re-checked for every operation and periodically, so that a socket ends with its credential.
 */
import type { IncomingMessage } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { AccountsService } from '../services/accounts.service.js';
import type { Logger } from '../adapters/logger.js';
import { authenticate, type Credential } from './authenticate.js';
import { readBearer, readCookie, SESSION_COOKIE } from './credentials.js';
import type { GraphqlHandler } from './graphql-handler.js';
import type { RequestFacts } from './request-facts.js';

export interface GraphqlWsDeps {
  wss: WebSocketServer;
  yoga: GraphqlHandler;
  accounts: AccountsService;
  logger: Logger;
  /** How often open WebSockets re-check their credential (logout, expiry, revocation). */
  recheckMs: number;
  /** The upgrade request's client address, proxies accounted for. */
  requestFacts(req: IncomingMessage): RequestFacts;
}

export interface GraphqlWs {
  /** Stops re-checking; the sockets themselves are closed by the server. */
  stop(): void;
}

export function serveGraphqlOverWs(deps: GraphqlWsDeps): GraphqlWs {
  const { wss, yoga, accounts, logger } = deps;
  const credentials = new Map<WebSocket, Credential>();

  useServer<Record<string, unknown> | undefined, { credential?: Credential }>(
    {
      onConnect(ctx) {
        const { request } = ctx.extra;
        const params = ctx.connectionParams ?? {};
        const token =
          readBearer(typeof params.authorization === 'string' ? params.authorization : null) ??
          readBearer(typeof params.Authorization === 'string' ? params.Authorization : null) ??
          (typeof params.token === 'string' ? params.token : null);
        // The cookie counts only from a browser page of an allowed origin (checked at the upgrade).
        const cookie = request.headers.origin ? readCookie(request.headers.cookie, SESSION_COOKIE) : null;
        const credential: Credential | null = token ? { kind: 'token', secret: token } : cookie ? { kind: 'cookie', secret: cookie } : null;
        if (!authenticate(accounts, credential)) {
          logger.warn('websocket refused: no valid credential', { address: deps.requestFacts(request).address });
          return false;
        }
        ctx.extra.credential = credential!;
        credentials.set(ctx.extra.socket, credential!);
        return true;
      },
      onClose(ctx) {
        credentials.delete(ctx.extra.socket);
      },
      async onSubscribe(ctx, _id, payload) {
        const { request } = ctx.extra;
        const enveloped = yoga.getEnveloped({
          ws: {
            credential: ctx.extra.credential!,
            address: deps.requestFacts(request).address,
            userAgent: request.headers['user-agent'] ?? null,
          },
        } as unknown as Parameters<typeof yoga.getEnveloped>[0]);
        let document;
        try {
          document = enveloped.parse(payload.query);
        } catch (err) {
          return [
            err instanceof GraphQLError ? err : new GraphQLError('Malformed query.', { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
          ];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length) return errors;
        const args: ExecutionArgs & { rootValue: { execute: typeof enveloped.execute; subscribe: typeof enveloped.subscribe } } = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    wss,
  );

  // Close sockets whose session ended or whose token was revoked since they connected.
  const recheck = setInterval(() => {
    for (const [ws, credential] of credentials) {
      if (!authenticate(accounts, credential)) {
        ws.close(4401, 'Credential no longer valid');
        credentials.delete(ws);
      }
    }
  }, deps.recheckMs);
  recheck.unref();

  return {
    stop() {
      clearInterval(recheck);
    },
  };
}
