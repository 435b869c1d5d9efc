/**
 * GraphQL over WebSocket (graphql-ws) on the same yoga envelope as HTTP: the credential is taken
 * at connection time (connection params or, from an allowed browser origin, the cookie) and
 * checked again for every operation. The socket is registered in the open-streams registry and
 * closed with 4401 the moment its credential ends. A query over a limit (aliases, cost, depth,
 * tokens) or past the socket's cap is answered with an error for that operation; the socket and
 * its other subscriptions go on. Each result's `next` payload is serialized once for all the
 * sockets it goes to (`shared-frames.ts`; the server's sockets are `FrameSplicingSocket`s).
 */
import type { IncomingMessage } from 'node:http';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { AccountsService } from '../services/accounts.service.js';
import type { Logger } from '../adapters/logger.js';
import { TooManySubscriptionsError } from '../domain/errors/index.js';
import { authenticate, type Credential } from './authenticate.js';
import { readBearer, readCookie, SESSION_COOKIE } from './credentials.js';
import type { GraphqlHandler } from './graphql-handler.js';
import type { OpenStreams } from './open-streams.js';
import type { RequestFacts } from './request-facts.js';
import { frameReplacer, sharedPayload } from './shared-frames.js';
import { capRefusal } from './streams-plugin.js';

export interface GraphqlWsDeps {
  wss: WebSocketServer;
  yoga: GraphqlHandler;
  accounts: AccountsService;
  logger: Logger;
  streams: OpenStreams;
  /** Operations in flight on one socket (its subscriptions, mostly). */
  subscriptionsPerSocket: number;
  /** The upgrade request's client address, proxies accounted for. */
  requestFacts(req: IncomingMessage): RequestFacts;
}

export function serveGraphqlOverWs(deps: GraphqlWsDeps): void {
  const { wss, yoga, accounts, logger, streams, subscriptionsPerSocket } = deps;

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
        const principal = authenticate(accounts, credential);
        if (!principal) {
          logger.warn('websocket refused: no valid credential', { address: deps.requestFacts(request).address });
          return false;
        }
        ctx.extra.credential = credential!;
        const { socket } = ctx.extra;
        const release = streams.follow(principal, () => socket.close(4401, 'Credential no longer valid'));
        // Released at the socket's close itself: graphql-ws's onClose waits for every subscription to return first.
        socket.once('close', release);
        return true;
      },
      async onSubscribe(ctx, _id, payload) {
        // graphql-ws has registered this operation already: counted synchronously, a burst cannot pass the cap.
        if (Object.keys(ctx.subscriptions).length > subscriptionsPerSocket) {
          return [capRefusal(new TooManySubscriptionsError(subscriptionsPerSocket))];
        }
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
        let errors;
        try {
          errors = enveloped.validate(enveloped.schema, document);
        } catch (err) {
          // graphql-armor throws its rejection (over a limit, tagged with its code): it answers this operation only.
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
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
      onNext: (_ctx, _id, _payload, _args, result) => sharedPayload(result as ExecutionResult) as never,
      jsonMessageReplacer: frameReplacer,
      execute: (args) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    wss,
  );
}
