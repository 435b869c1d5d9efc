/**
 * The feed of `npm run bench:realtime`: the test feed with 8.2.0 padded to a large release, behind
 * a loopback proxy that sends every response body at a capped rate, so that a download lasts for
 * the whole of a benchmark phase (Patchbay's own bandwidth setting stays untouched).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { publishInstallFeed, RELEASE_8_2_0, type InstallFeed } from '../helpers/install-feed.js';

const PIECE = 16 * 1024;

/** Passes bytes on no faster than `bytesPerSecond`, in pieces of 16 KiB, from the first byte on. */
class RateCap extends Transform {
  private sent = 0;
  private began = 0;

  constructor(private readonly bytesPerSecond: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.began) this.began = performance.now();
    const pieces: Buffer[] = [];
    for (let i = 0; i < chunk.length; i += PIECE) pieces.push(chunk.subarray(i, i + PIECE));
    const next = () => {
      const piece = pieces.shift();
      if (!piece) return done();
      this.sent += piece.length;
      this.push(piece);
      const due = this.began + (this.sent / this.bytesPerSecond) * 1000;
      setTimeout(next, Math.max(0, due - performance.now()));
    };
    next();
  }
}

export interface CappedFeed extends InstallFeed {
  /** The proxy's URL: what Patchbay is given as PATCHBAY_FEED (`env` says so). */
  cappedUrl: string;
}

export async function publishCappedFeed(dir: string, releaseBytes: number, bytesPerSecond: number): Promise<CappedFeed> {
  const feed = await publishInstallFeed(dir, { releases: [{ ...RELEASE_8_2_0, paddingBytes: releaseBytes }] });
  const upstream = new URL(feed.url);
  const proxy = http.createServer((req, res) => {
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(new RateCap(bytesPerSecond)).pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    // A client that goes away (a cancelled download) ends the upstream request too.
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const cappedUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`;
  return {
    ...feed,
    cappedUrl,
    env: { ...feed.env, PATCHBAY_FEED: cappedUrl },
    async close() {
      await new Promise<void>((r) => {
        proxy.close(() => r());
        proxy.closeAllConnections();
      });
      await feed.close();
    },
  };
}
