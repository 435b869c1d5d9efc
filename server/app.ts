/**
 * `buildApp(deps)`: one HTTP (or HTTPS) server on one port with GraphQL over HTTP and SSE
 * (graphql-yoga, `http/graphql-handler.ts`) and over WebSocket (graphql-ws, `http/graphql-ws.ts`)
 * on `/graphql`, GraphiQL, the built SPA, and `/healthz`. Every request but `/healthz` must be
 * addressed to one of this server's names (Host rule); GraphQL requests pass the Origin and
 * cross-site forgery rules first. Tests start it on port 0.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Services } from '../schema/context.js';
import type { Logger } from './adapters/logger.js';
import { addressRanges, type AddressRanges } from './domain/address-ranges.js';
import { type ForgeryRefusal, forgeryRefusal, hostAllowed, originAllowed, PREFLIGHT_HEADER } from './http/credentials.js';
import { createGraphiqlHandler, wantsGraphiql } from './http/graphiql.js';
import { createGraphqlHandler, DEFAULT_LIMITS, type QueryLimits } from './http/graphql-handler.js';
import { serveGraphqlOverWs } from './http/graphql-ws.js';
import { FrameSplicingSocket } from './http/shared-frames.js';
import { DEFAULT_STREAM_CAPS, OpenStreams, type StreamCaps } from './http/open-streams.js';
import { type RequestFacts, requestFacts } from './http/request-facts.js';
import { createStaticHandler } from './http/static-files.js';

export { DEFAULT_LIMITS, type QueryLimits } from './http/graphql-handler.js';
export { DEFAULT_STREAM_CAPS, type StreamCaps } from './http/open-streams.js';

export interface AppDeps {
  services: Services;
  logger: Logger;
  /** Origins besides the server's own that may use the session cookie; their host names may address it. */
  allowedOrigins: readonly string[];
  /** Whether GET /graphql from a browser serves GraphiQL (to a logged-in session). */
  graphiql: boolean;
  /** Directory of the built SPA; null serves the API only. */
  webDist: string | null;
  /** Subscriptions per WebSocket and per credential (WebSocket and SSE together). */
  streamCaps?: Partial<StreamCaps>;
  /** Largest accepted GraphQL request body. */
  maxBodyBytes?: number;
  limits?: Partial<QueryLimits>;
  /** Serve HTTPS and WSS with this certificate (PEM); null or absent: plain HTTP. */
  tls?: TlsKeyPair | null;
  /** Peers whose X-Forwarded-Proto/-Host/-For are believed (`http/request-facts.ts`); none by default. */
  trustedProxies?: AddressRanges;
}

export interface TlsKeyPair {
  cert: Buffer;
  key: Buffer;
}

export interface App {
  start(port: number, host?: string): Promise<void>;
  stop(): Promise<void>;
  /** Swaps the certificate for new connections; open ones keep theirs. Only for an app built with `tls`. */
  reloadTls(pair: TlsKeyPair): void;
  readonly url: string;
}

/** Browsers that once reached Patchbay over HTTPS refuse plain HTTP to it for a year. */
const HSTS = 'max-age=31536000';

export function buildApp(deps: AppDeps): App {
  const { services, logger } = deps;
  const maxBodyBytes = deps.maxBodyBytes ?? 1024 * 1024;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const trustedProxies = deps.trustedProxies ?? addressRanges([]);
  const factsOf = (req: IncomingMessage) => requestFacts(req, trustedProxies);
  const streamCaps = { ...DEFAULT_STREAM_CAPS, ...deps.streamCaps };
  const streams = new OpenStreams({
    events: services.events,
    accounts: services.accounts,
    logger,
    streamsPerCredential: streamCaps.streamsPerCredential,
  });
  const yoga = createGraphqlHandler({ services, logger, limits, streams });

  const serveStatic = deps.webDist ? createStaticHandler(deps.webDist, logger) : null;
  const serveGraphiql = deps.graphiql ? createGraphiqlHandler(services.accounts, logger) : null;

  // The names requests may be addressed to besides loopback: the public names, the listen address
  // (set at start), and per request the address the connection arrived on.
  const publicNames = deps.allowedOrigins.map((o) => new URL(o).hostname);
  let listenHost: string | null = null;
  const addressedHere = (req: IncomingMessage, facts: RequestFacts) =>
    hostAllowed(facts.host ?? undefined, [
      ...publicNames,
      ...(listenHost ? [listenHost] : []),
      ...(req.socket.localAddress ? [req.socket.localAddress] : []),
    ]);

  /** Every refusal before GraphQL, with its stable code. */
  type RefusalCode = 'MISDIRECTED_HOST' | 'FORBIDDEN_ORIGIN' | ForgeryRefusal | 'GRAPHIQL_OFF';
  const refuseRequest = (res: ServerResponse, status: number, code: RefusalCode, message: string) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));

  const handle: http.RequestListener = (req, res) => {
    const facts = factsOf(req);
    if (facts.secure) res.setHeader('strict-transport-security', HSTS);
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"status":"ok"}');
      return;
    }
    if (!addressedHere(req, facts)) {
      logger.warn('request refused: unknown host', { host: facts.host, address: facts.address });
      refuseRequest(res, 421, 'MISDIRECTED_HOST', 'This server does not answer to that host name.');
      return;
    }
    if (pathname === '/graphql') {
      if (!originAllowed(req.headers, deps.allowedOrigins, facts)) {
        logger.warn('request refused: foreign origin', { origin: req.headers.origin, address: facts.address });
        refuseRequest(res, 403, 'FORBIDDEN_ORIGIN', 'This origin may not call the API.');
        return;
      }
      const forgery = forgeryRefusal(req.method, req.headers);
      if (forgery) {
        logger.warn('request refused: possible cross-site forgery', { reason: forgery, address: facts.address });
        refuseRequest(
          res,
          403,
          forgery,
          forgery === 'ORIGIN_REQUIRED'
            ? 'A request with the session cookie must come from a browser page (Origin); scripts use an API token.'
            : `Send application/json, or add the header ${PREFLIGHT_HEADER} (GraphQL multipart uploads).`,
        );
        return;
      }
      if (wantsGraphiql(req)) {
        if (serveGraphiql) serveGraphiql(req, res);
        else refuseRequest(res, 404, 'GRAPHIQL_OFF', 'GraphiQL is turned off on this server (PATCHBAY_GRAPHIQL=off).');
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
      void yoga(req, res, { req, res, facts });
      return;
    }
    if (serveStatic) {
      serveStatic(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };
  const server = deps.tls ? https.createServer({ cert: deps.tls.cert, key: deps.tls.key }, handle) : http.createServer(handle);

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBodyBytes, WebSocket: FrameSplicingSocket });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0];
    const facts = factsOf(req);
    const refuse = (status: number, reason: string) => {
      logger.warn('websocket refused', { reason, origin: req.headers.origin, address: facts.address });
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (pathname !== '/graphql') return refuse(404, 'unknown path');
    if (!addressedHere(req, facts)) return refuse(421, 'unknown host');
    if (!originAllowed(req.headers, deps.allowedOrigins, facts)) return refuse(403, 'foreign origin');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  serveGraphqlOverWs({
    wss,
    yoga,
    accounts: services.accounts,
    logger,
    streams,
    subscriptionsPerSocket: streamCaps.subscriptionsPerSocket,
    requestFacts: factsOf,
  });

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
          // An unspecified address (0.0.0.0, ::) names no host; the connection's own address does.
          listenHost = host === '0.0.0.0' || host === '::' ? null : host;
          const address = server.address() as AddressInfo;
          const h = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          url = `${deps.tls ? 'https' : 'http'}://${h}:${address.port}`;
          resolve();
        });
      });
    },
    reloadTls(pair) {
      if (!(server instanceof https.Server)) throw new Error('reloadTls on an app that serves plain HTTP');
      server.setSecureContext({ cert: pair.cert, key: pair.key });
    },
    async stop() {
      await streams.stop();
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
