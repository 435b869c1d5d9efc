/**
 * A loopback HTTP server for one file, with the faults a download must survive: connections cut
 * mid-body, Range ignored, the file replaced between attempts, stalls, corrupted or extra bytes.
 * It counts the bytes it sends.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeServer {
  url: string;
  content: Buffer;
  etag: string;
  bytesSent: number;
  requests: { range: string | undefined; ifRange: string | undefined; status: number }[];
  /** Cut the connection after this many body bytes, for the next `times` requests. */
  cut: { afterBytes: number; times: number } | null;
  ignoreRange: boolean;
  /** Stop sending (keep the socket open) after this many body bytes, for the next request. */
  stallAfter: number | null;
  corruptByteAt: number | null;
  extraBytes: number;
  replace(content: Buffer): void;
  close(): Promise<void>;
}

export async function startRangeServer(content: Buffer): Promise<RangeServer> {
  const state = {
    content,
    etag: `"${crypto.createHash('sha256').update(content).digest('hex').slice(0, 16)}"`,
    bytesSent: 0,
    requests: [] as RangeServer['requests'],
    cut: null as RangeServer['cut'],
    ignoreRange: false,
    stallAfter: null as number | null,
    corruptByteAt: null as number | null,
    extraBytes: 0,
  };
  const server = http.createServer((req, res) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const useRange = range && !state.ignoreRange && (!ifRange || ifRange === state.etag);
    const start = useRange ? Number(range[1]) : 0;
    let body = state.content.subarray(start);
    if (state.corruptByteAt !== null) {
      body = Buffer.from(body);
      const i = state.corruptByteAt - start;
      if (i >= 0 && i < body.length) body[i]! ^= 0xff;
    }
    if (state.extraBytes) body = Buffer.concat([body, Buffer.alloc(state.extraBytes, 7)]);
    const status = useRange ? (start >= state.content.length ? 416 : 206) : 200;
    state.requests.push({ range: req.headers.range, ifRange: typeof ifRange === 'string' ? ifRange : undefined, status });
    if (status === 416) return void res.writeHead(416, { 'content-range': `bytes */${state.content.length}` }).end();
    res.writeHead(status, {
      etag: state.etag,
      'accept-ranges': 'bytes',
      'content-length': body.length,
      ...(status === 206 ? { 'content-range': `bytes ${start}-${state.content.length - 1}/${state.content.length}` } : {}),
    });
    let limit = body.length;
    let mode: 'cut' | 'stall' | null = null;
    if (state.cut && state.cut.times > 0) {
      state.cut.times -= 1;
      limit = Math.min(limit, state.cut.afterBytes);
      mode = 'cut';
    } else if (state.stallAfter !== null) {
      limit = Math.min(limit, state.stallAfter);
      state.stallAfter = null;
      mode = 'stall';
    }
    const send = body.subarray(0, limit);
    state.bytesSent += send.length;
    res.write(send, () => {
      // end() after the write flushes what was sent, then closes: the client sees a short body.
      if (mode === 'cut') res.socket?.end();
      else if (mode === null) res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle.tar.gz`,
    replace(next: Buffer) {
      state.content = next;
      state.etag = `"${crypto.createHash('sha256').update(next).digest('hex').slice(0, 16)}"`;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  }) as RangeServer;
}
