/**
 * Compressed responses for what Patchbay serves from memory (SPA files, GraphiQL): the encoding the
 * client accepts (brotli, else gzip), each variant compressed once off the event loop and kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/** Bodies this small gain nothing from compression. */
const MIN_BYTES = 1024;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The encoding to answer with for an Accept-Encoding header: brotli, else gzip, unless refused with q=0. */
export function preferredEncoding(acceptEncoding: string | undefined): Encoding | null {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return null;
}

function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  // Brotli's quality 11 takes seconds on the multi-megabyte GraphiQL page; 5 is close in size and fast.
  return encoding === 'br' ? brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }) : gzip(body);
}

export interface Body {
  /** What the body is (a file path, a page name). */
  key: string;
  /** Changes whenever the body does (a file's size and mtime), so that stale variants are replaced. */
  version: string;
  bytes: Buffer;
}

export class CompressedBodies {
  private readonly variants = new Map<string, { version: string; compressed: Promise<Buffer> }>();

  /** Sends `body` in the best encoding the request accepts, with `headers` and the encoding's own. */
  async send(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, body: Body): Promise<void> {
    const encoding = body.bytes.length >= MIN_BYTES ? preferredEncoding(req.headers['accept-encoding']) : null;
    const payload = encoding ? await this.variant(body, encoding) : body.bytes;
    res.writeHead(200, {
      ...headers,
      vary: 'accept-encoding',
      ...(encoding ? { 'content-encoding': encoding } : {}),
      'content-length': String(payload.length),
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
  }

  private variant(body: Body, encoding: Encoding): Promise<Buffer> {
    const id = `${encoding}:${body.key}`;
    const known = this.variants.get(id);
    if (known?.version === body.version) return known.compressed;
    const compressed = compress(body.bytes, encoding);
    this.variants.set(id, { version: body.version, compressed });
    // A failed compression is not kept: the next request tries again.
    compressed.catch(() => {
      if (this.variants.get(id)?.compressed === compressed) this.variants.delete(id);
    });
    return compressed;
  }
}
