/**
 * Serves a feed repository directory over HTTP on loopback: what the embedded demo vendor uses
 * (and what any web server or CDN would do for a real vendor). GET/HEAD only, no directory
 * listings, nothing outside the directory, ETag and Range support for resumable downloads.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface StaticFeedServer {
  url: string;
  close(): Promise<void>;
}

export function serveFeedDirectory(dir: string, port = 0, host = '127.0.0.1'): Promise<StaticFeedServer> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return void res.writeHead(400).end();
    }
    const file = path.resolve(root, '.' + rel);
    if (!file.startsWith(root + path.sep)) return void res.writeHead(404).end();
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (err) {
      // Only a file that is not there is "not found" (ENOTDIR: a part of its path is a file);
      // a file that cannot be read is the server's failure, and says so.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return void res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot read the file (${code ?? 'error'})`);
    }
    if (!stat.isFile()) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const headers: http.OutgoingHttpHeaders = {
      etag,
      'accept-ranges': 'bytes',
      'cache-control': rel.endsWith('timestamp.json') ? 'no-cache' : 'public, max-age=300',
      'content-type': rel.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (!ifRange || ifRange === etag)) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), stat.size - 1) : stat.size - 1;
      if (start >= stat.size || start > end) {
        return void res.writeHead(416, { ...headers, 'content-range': `bytes */${stat.size}` }).end();
      }
      res.writeHead(206, { ...headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${stat.size}` });
      if (req.method === 'HEAD') return void res.end();
      fs.createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': stat.size });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${p}/`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
