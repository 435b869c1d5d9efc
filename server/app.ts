/**
 * `buildApp(deps)`: one HTTP server on one port with GraphQL over HTTP and SSE (graphql-yoga) and
 * over WebSocket (graphql-ws) on `/graphql`, the built SPA, and `/healthz`. Tests start it on port 0.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import { schema } from '../schema/index.js';
import type { Context, Services, SessionCookies } from '../schema/context.js';
import type { Logger } from './adapters/logger.js';
import type { Principal } from './domain/auth.js';
import { clearedSessionCookie, originAllowed, readBearer, readCookie, SESSION_COOKIE, sessionCookie } from './http/credentials.js';
import { createStaticHandler } from './http/static-files.js';

export interface AppDeps {
  services: Services;
  logger: Logger;
  /** Origins besides the server's own that may use the session cookie. */
  allowedOrigins: readonly string[];
  /** Directory of the built SPA; null serves the API only. */
  webDist: string | null;
  /** How often open WebSockets re-check their credential (logout, expiry, revocation). */
  socketRecheckMs?: number;
  /** Largest accepted GraphQL request body. */
  maxBodyBytes?: number;
  limits?: Partial<QueryLimits>;
}

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 10, maxAliases: 15, maxCost: 5000, maxTokens: 2000 };

export interface App {
  start(port: number, host?: string): Promise<void>;
  stop(): Promise<void>;
  readonly url: string;
}

/** What graphql-ws keeps per connection: the credential, re-checked for every operation. */
interface WsCredential {
  kind: 'cookie' | 'token';
  secret: string;
}

interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  ws?: { credential: WsCredential; address: string | null; userAgent: string | null };
}

type CodedError = GraphQLError & { extensions: Record<string, unknown> };

/** Gives graphql-armor's rejections a stable code, so that clients need not read messages. */
function tagged(code: string) {
  return [(_ctx: unknown, error: GraphQLError) => Object.assign((error as CodedError).extensions, { code })];
}

export function buildApp(deps: AppDeps): App {
  const { services, logger } = deps;
  const maxBodyBytes = deps.maxBodyBytes ?? 1024 * 1024;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const pendingCookies = new WeakMap<Request, string[]>();
  const secureRequest = (req: IncomingMessage | undefined) => !!req && 'encrypted' in req.socket && !!req.socket.encrypted;

  const authenticate = (credential: WsCredential | null): Principal | null => {
    if (!credential) return null;
    return credential.kind === 'token'
      ? services.accounts.authenticateToken(credential.secret)
      : services.accounts.authenticateSession(credential.secret);
  };

  const cookiePlugin: Plugin = {
    onResponse({ request, response }) {
      for (const c of pendingCookies.get(request) ?? []) response.headers.append('set-cookie', c);
    },
  };

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

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'Patchbay GraphQL', subscriptionsProtocol: 'WS', credentials: 'same-origin' },
    renderGraphiQL,
    maskedErrors: {
      maskError(error, message) {
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
      blockFieldSuggestionsPlugin(),
    ],
    context: (initial: YogaInitialContext & ServerContext): Context => {
      if (initial.ws) {
        return {
          principal: authenticate(initial.ws.credential),
          services,
          client: { address: initial.ws.address, userAgent: initial.ws.userAgent },
          cookies: null,
        };
      }
      const { request, req } = initial;
      const secure = secureRequest(req);
      const bearer = readBearer(request.headers.get('authorization'));
      const cookie = readCookie(request.headers.get('cookie') ?? undefined, SESSION_COOKIE);
      // A bearer token wins: it is explicit, whereas a cookie is ambient.
      const credential: WsCredential | null = bearer
        ? { kind: 'token', secret: bearer }
        : cookie
          ? { kind: 'cookie', secret: cookie }
          : null;
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
        principal: authenticate(credential),
        services,
        client: { address: req?.socket.remoteAddress ?? null, userAgent: request.headers.get('user-agent') },
        cookies,
      };
    },
  });

  const serveStatic = deps.webDist ? createStaticHandler(deps.webDist) : null;

  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"ok"}');
      return;
    }
    if (pathname === '/graphql') {
      if (!originAllowed(req.headers, deps.allowedOrigins, secureRequest(req))) {
        logger.warn('request refused: foreign origin', { origin: req.headers.origin, address: req.socket.remoteAddress });
        res
          .writeHead(403, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ message: 'This origin may not call the API.', extensions: { code: 'FORBIDDEN_ORIGIN' } }] }));
        return;
      }
      // The body limit is enforced on the declared length, so a body must declare it.
      if (req.method === 'POST' && req.headers['content-length'] === undefined) {
        res
          .writeHead(411, { 'content-type': 'application/json', connection: 'close' })
          .end(JSON.stringify({ errors: [{ message: 'Send a Content-Length.', extensions: { code: 'LENGTH_REQUIRED' } }] }));
        return;
      }
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > maxBodyBytes) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end(
          JSON.stringify({
            errors: [{ message: `Request body over ${maxBodyBytes} bytes.`, extensions: { code: 'REQUEST_TOO_LARGE' } }],
          }),
        );
        return;
      }
      void yoga(req, res, { req, res });
      return;
    }
    if (serveStatic) {
      serveStatic(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBodyBytes });
  const credentials = new Map<WebSocket, WsCredential>();

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0];
    const refuse = (status: number, reason: string) => {
      logger.warn('websocket refused', { reason, origin: req.headers.origin, address: req.socket.remoteAddress });
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (pathname !== '/graphql') return refuse(404, 'unknown path');
    if (!originAllowed(req.headers, deps.allowedOrigins, secureRequest(req))) return refuse(403, 'foreign origin');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  useServer<Record<string, unknown> | undefined, { credential?: WsCredential }>(
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
        const credential: WsCredential | null = token
          ? { kind: 'token', secret: token }
          : cookie
            ? { kind: 'cookie', secret: cookie }
            : null;
        if (!authenticate(credential)) {
          logger.warn('websocket refused: no valid credential', { address: request.socket.remoteAddress });
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
            address: request.socket.remoteAddress ?? null,
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
      if (!authenticate(credential)) {
        ws.close(4401, 'Credential no longer valid');
        credentials.delete(ws);
      }
    }
  }, deps.socketRecheckMs ?? 15_000);
  recheck.unref();

  let url = '';
  return {
    get url() {
      return url;
    },
    start(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const h = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `http://${h}:${address.port}`;
          resolve();
        });
      });
    },
    async stop() {
      clearInterval(recheck);
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Streams (SSE) do not end by themselves: give them a moment, then cut them.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      wss.close();
    },
  };
}
