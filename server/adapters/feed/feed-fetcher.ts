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
import type { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import * as TufErrors from 'tuf-js/dist/error.js';

interface HttpClient {
  agent: EnvHttpProxyAgent;
  fetch: typeof undiciFetch;
}

export class FeedFetcher extends BaseFetcher {
  /**
   * undici (~4 MB of heap once loaded) is imported on the first request over HTTP, not at start: a
   * feed in a local directory never needs it, and a restarted Patchbay not until its next check.
   */
  private http: Promise<HttpClient> | null = null;

  constructor(private readonly timeoutMs: number) {
    super();
  }

  async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    if (url.startsWith('file:')) return this.readLocal(fileURLToPath(url));
    const { agent, fetch } = await (this.http ??= this.connect());
    const res = await fetch(url, {
      dispatcher: agent,
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

  private async connect(): Promise<HttpClient> {
    const { EnvHttpProxyAgent, fetch } = await import('undici');
    const t = this.timeoutMs;
    return { agent: new EnvHttpProxyAgent({ connectTimeout: t, headersTimeout: t, bodyTimeout: t }), fetch };
  }

  async close(): Promise<void> {
    if (this.http) await (await this.http).agent.close();
  }
}

/**
 * tuf-js checks `instanceof` its own DownloadHTTPError, which its package root does not export,
 * so the error is built from the very class tuf-js uses (tuf-js is pinned: the path is stable).
 */
function tufHttpError(message: string, status: number): Error {
  return new TufErrors.DownloadHTTPError(message, status);
}
