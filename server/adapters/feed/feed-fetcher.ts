/**
 * How tuf-js reaches the feed: over HTTP(S) with timeouts and the proxy settings of the
 * environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), or in a local directory (offline appliances,
 * tests), where a missing file answers like an HTTP 404 so that tuf-js ends its root walk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { BaseFetcher } from 'tuf-js';
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import * as TufErrors from 'tuf-js/dist/error.js';

export class FeedFetcher extends BaseFetcher {
  private readonly agent: EnvHttpProxyAgent;

  constructor(private readonly timeoutMs: number) {
    super();
    this.agent = new EnvHttpProxyAgent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    if (url.startsWith('file:')) return this.readLocal(fileURLToPath(url));
    const res = await undiciFetch(url, {
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.timeoutMs * 3),
      headers: { 'user-agent': 'patchbay' },
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw tufHttpError(`HTTP ${res.status} for ${url}`, res.status);
    }
    return res.body as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  private readLocal(file: string): ReadableStream<Uint8Array<ArrayBuffer>> {
    if (!fs.existsSync(file)) throw tufHttpError(`${path.basename(file)} is missing from the feed directory ${path.dirname(file)}`, 404);
    return Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * tuf-js checks `instanceof` its own DownloadHTTPError, which its package root does not export,
 * so the error is built from the very class tuf-js uses (tuf-js is pinned: the path is stable).
 */
function tufHttpError(message: string, status: number): Error {
  return new TufErrors.DownloadHTTPError(message, status);
}
