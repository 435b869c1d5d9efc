/**
 * Serves the built SPA: hashed assets cached forever, `index.html` for every other path (client
 * routing), never anything outside the dist directory; text compressed (brotli or gzip) when accepted.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from '../adapters/logger.js';
import { CompressedBodies } from './compression.js';
import { securityHeaders } from './security-headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Text types, worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

export function createStaticHandler(distDir: string, logger: Logger) {
  const bodies = new CompressedBodies();
  const root = path.resolve(distDir);
  const indexFile = path.join(root, 'index.html');

  return function serveStatic(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const candidate = path.resolve(root, '.' + pathname);
    const inside = candidate.startsWith(root + path.sep);
    let file = indexFile;
    if (inside && !pathname.includes('\0')) {
      try {
        if (fs.statSync(candidate).isFile()) file = candidate;
      } catch {
        // not a file: the SPA's router handles the path
      }
    }
    const isAsset = file !== indexFile && pathname.startsWith('/assets/');
    if (file === indexFile && pathname.startsWith('/assets/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const stat = fs.statSync(file);
    const headers = {
      ...securityHeaders(),
      'content-type': type,
      'cache-control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (COMPRESSIBLE.has(path.extname(file))) {
      const body = { key: file, version: `${stat.size}:${stat.mtimeMs}`, bytes: fs.readFileSync(file) };
      bodies.send(req, res, headers, body).catch((err: unknown) => {
        logger.error('static file not sent', { err, file });
        res.destroy();
      });
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': stat.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    fs.createReadStream(file).pipe(res);
  };
}
