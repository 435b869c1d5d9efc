/**
 * GraphiQL for a logged-in admin session: the page rendered once (it inlines ~9 MB of script),
 * compressed like the SPA's files and served with the SPA's security headers, its CSP allowing
 * exactly its own inline scripts (by hash) and the editor's blob: workers. The renderer is imported
 * on the first request for the page, not at start: its module is that script as a ~17 MB string
 * literal, ~30 MB of V8 heap for as long as the process runs, for a page most appliances never open.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../adapters/logger.js';
import type { AccountsService } from '../services/accounts.service.js';
import { CompressedBodies } from './compression.js';
import { readCookie, SESSION_COOKIE } from './credentials.js';
import { SPA_CSP, securityHeaders } from './security-headers.js';

/** Whether a request asks for the GraphiQL page rather than a GraphQL result (yoga's own test). */
export function wantsGraphiql(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${crypto.createHash('sha256').update(m[1]!).digest('base64')}'`,
  );
}

interface Page {
  bytes: Buffer;
  headers: Record<string, string>;
}

export function createGraphiqlHandler(accounts: AccountsService, logger: Logger) {
  let page: Promise<Page> | null = null;
  const bodies = new CompressedBodies();

  const render = async (): Promise<Page> => {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    const html = renderGraphiQL({
      title: 'Patchbay GraphQL',
      subscriptionsProtocol: 'WS',
      credentials: 'same-origin',
      endpoint: '/graphql',
    });
    const csp = {
      ...SPA_CSP,
      'script-src': ["'self'", ...inlineScriptHashes(html)],
      'worker-src': ["'self'", 'blob:'],
      'font-src': ["'self'", 'data:'],
    };
    return {
      bytes: Buffer.from(html),
      headers: { ...securityHeaders(csp), 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    };
  };

  return function serveGraphiql(req: IncomingMessage, res: ServerResponse): void {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!cookie || !accounts.authenticateSession(cookie)) {
      res
        .writeHead(401, { ...securityHeaders(), 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(
          '<!doctype html><title>Patchbay GraphQL</title><p>GraphiQL needs a logged-in session: <a href="/login">log in</a>, then come back.</p>',
        );
      return;
    }
    const rendering = (page ??= render());
    // A failed render is not kept: the next request tries again.
    rendering.catch(() => {
      if (page === rendering) page = null;
    });
    rendering
      .then(({ headers, bytes }) => bodies.send(req, res, headers, { key: 'graphiql', version: '1', bytes }))
      .catch((err: unknown) => {
        logger.error('GraphiQL page not sent', { err });
        res.destroy();
      });
  };
}
