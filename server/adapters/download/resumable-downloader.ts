/**
 * Downloads one bundle to disk, streaming and hashing on the fly, resuming after a dropped
 * connection or a restart with HTTP Range validated by If-Range (ETag), starting over when the
 * server ignores ranges or the file changed, retrying with exponential backoff and jitter, with
 * connect and idle timeouts, an optional bandwidth cap and a disk-space preflight. The result is
 * renamed into place only after its length and SHA-256 match the signed target info.
 *
 * On disk: `<dest>.part` (the bytes so far) and `<dest>.part.json` (where they came from).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { DiskFullError, DownloadError, InsufficientDiskError, isDiskFull } from '../../domain/errors/index.js';

export interface DownloadTarget {
  url: string;
  /** Signed length and SHA-256 (from TUF): nothing else is trusted. */
  length: number;
  sha256: string;
}

export type DownloadEvent =
  | { type: 'resume'; fromByte: number }
  /** The server sent the whole file (it ignored the range, or the file changed), or a range from elsewhere. */
  | { type: 'restart'; reason: 'RANGE_IGNORED' }
  | { type: 'restart'; reason: 'WRONG_RANGE'; askedFrom: number; answeredFrom: number }
  | { type: 'retry'; attempt: number; inMs: number; reason: string };

export interface DownloadProgress {
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
}

export interface DownloadOptions {
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Bytes per second; null or 0 means no cap. */
  bandwidthLimit?: number | null;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  onEvent?: (e: DownloadEvent) => void;
  /** Free bytes in a directory (injected in tests). */
  freeSpace?: (dir: string) => Promise<number>;
  /** Opens the partial file for appending (injected in tests, e.g. to fail with ENOSPC). */
  openAppend?: (file: string) => fs.WriteStream;
  random?: () => number;
  /** Progress at most this often. */
  progressIntervalMs?: number;
}

export interface DownloadResult {
  path: string;
  /** Bytes received over the network, over all attempts (what a resume saves shows here). */
  bytesFetched: number;
}

interface PartMeta {
  url: string;
  sha256: string;
  etag: string | null;
}

const SAFETY_MARGIN = 16 * 1024 * 1024;

export async function statfsFree(dir: string): Promise<number> {
  const s = await fsp.statfs(dir);
  return s.bavail * s.bsize;
}

/** Removes what a cancelled or failed download left. */
export async function discardPartial(dest: string): Promise<void> {
  await fsp.rm(`${dest}.part`, { force: true });
  await fsp.rm(`${dest}.part.json`, { force: true });
}

/**
 * A failure of the connection (refused, reset, cut, stalled, ended early): worth another attempt.
 * Everything else (the disk, a wrong hash, a refusal by the server) ends the download.
 */
class ConnectionFailure extends Error {}

const isAbsent = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';

/** Where the last bytes came from; null when there is none, or when a crash left it torn (start over then). */
async function readMeta(file: string): Promise<PartMeta | null> {
  let raw: string;
  try {
    raw = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (isAbsent(err)) return null;
    throw err;
  }
  try {
    return JSON.parse(raw) as PartMeta;
  } catch {
    return null;
  }
}

/** Feeds the partial file into `hash`; returns its length, 0 when there is no partial file. */
async function hashPartial(file: string, hash: crypto.Hash): Promise<number> {
  let n = 0;
  try {
    for await (const chunk of fs.createReadStream(file)) {
      hash.update(chunk as Buffer);
      n += (chunk as Buffer).length;
    }
  } catch (err) {
    if (isAbsent(err) && n === 0) return 0;
    throw err;
  }
  return n;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch (err) {
    if (isAbsent(err)) return 0;
    throw err;
  }
}

/** A failed write: a full disk is the disk's error, anything else the download's. */
function writeFailure(file: string, err: unknown): DiskFullError | DownloadError {
  const errno = (err as NodeJS.ErrnoException).code;
  if (isDiskFull(err)) return new DiskFullError(file, errno!);
  return new DownloadError('DISK_WRITE', `Writing ${file} failed: ${(err as Error).message}.`, { errno });
}

async function writing<T>(file: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw writeFailure(file, err);
  }
}

const cancelled = () => new DownloadError('CANCELLED', 'The download was cancelled.');

export async function download(target: DownloadTarget, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const part = `${dest}.part`;
  const metaFile = `${dest}.part.json`;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 60_000 };
  const random = options.random ?? Math.random;
  await fsp.mkdir(path.dirname(dest), { recursive: true });

  // A partial file from another bundle (or another URL) is of no use.
  let meta = await readMeta(metaFile);
  if (meta && (meta.sha256 !== target.sha256 || meta.url !== target.url)) {
    await discardPartial(dest);
    meta = null;
  }
  const existing = meta ? await sizeOf(part) : 0;
  if (!meta) await fsp.rm(part, { force: true });

  const free = await (options.freeSpace ?? statfsFree)(path.dirname(dest));
  const needed = target.length - existing;
  if (free < needed + SAFETY_MARGIN) throw new InsufficientDiskError(needed + SAFETY_MARGIN, free);

  let bytesFetched = 0;
  let lastProgress = 0;
  let rateWindow = { at: Date.now(), bytes: 0, rate: 0 };
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw cancelled();
    const hash = crypto.createHash('sha256');
    const offset = meta ? await hashPartial(part, hash) : 0;
    if (offset > target.length) {
      await discardPartial(dest);
      throw new DownloadError('TOO_LARGE', `The partial file is larger than the signed length ${target.length}.`);
    }
    try {
      const outcome = await fetchOnce(offset);
      if (outcome === 'restart') {
        await fsp.rm(part, { force: true });
        meta = { url: target.url, sha256: target.sha256, etag: null };
        continue;
      }
      break;
    } catch (err) {
      if (options.signal?.aborted) throw cancelled();
      const retryable = err instanceof ConnectionFailure || (err instanceof DownloadError && err.code === 'NETWORK');
      if (!retryable) {
        if (err instanceof DownloadError && (err.code === 'CHECKSUM_MISMATCH' || err.code === 'TOO_LARGE')) await discardPartial(dest);
        throw err;
      }
      if (attempt >= maxAttempts) {
        throw err instanceof DownloadError ? err : new DownloadError('NETWORK', `The download failed ${attempt} times: ${err.message}`);
      }
      const base = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
      const inMs = Math.round(base / 2 + random() * (base / 2));
      options.onEvent?.({ type: 'retry', attempt, inMs, reason: err.message });
      await sleep(inMs, options.signal);
    }

    async function fetchOnce(from: number): Promise<'done' | 'restart'> {
      const headers: Record<string, string> = { 'user-agent': 'patchbay' };
      if (from > 0 && meta?.etag) {
        headers.range = `bytes=${from}-`;
        headers['if-range'] = meta.etag;
      }
      const res = await request(target.url, headers, connectTimeoutMs, options.signal);
      const status = res.statusCode ?? 0;
      if (status === 416 && from === target.length) {
        res.resume();
        return finish();
      }
      if (status === 200 && from > 0) {
        // The server ignored the range, or the file changed (If-Range failed): start over.
        res.destroy();
        options.onEvent?.({ type: 'restart', reason: 'RANGE_IGNORED' });
        return 'restart';
      }
      if (status === 206) {
        const start = Number(/bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1] ?? -1);
        if (start !== from) {
          res.destroy();
          options.onEvent?.({ type: 'restart', reason: 'WRONG_RANGE', askedFrom: from, answeredFrom: start });
          return 'restart';
        }
        options.onEvent?.({ type: 'resume', fromByte: from });
      } else if (status !== 200) {
        res.resume();
        const code = status >= 500 || status === 429 ? 'NETWORK' : 'HTTP_STATUS';
        throw new DownloadError(code, `The server answered HTTP ${status} for ${target.url}.`, { status });
      }
      const etag = typeof res.headers.etag === 'string' && !res.headers.etag.startsWith('W/') ? res.headers.etag : null;
      meta = { url: target.url, sha256: target.sha256, etag };
      await writing(metaFile, () => fsp.writeFile(metaFile, JSON.stringify(meta)));
      // A large buffer keeps the disk from pausing the socket every 16 KiB.
      const out = (options.openAppend ?? ((f: string) => fs.createWriteStream(f, { flags: 'a', highWaterMark: 1 << 20 })))(part);
      let done = from;
      const attemptStart = Date.now();
      let attemptBytes = 0;
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        let waitingForDisk = false;
        let waitingForCap = false;
        let capWait: Promise<void> | null = null;
        const fail = (e: Error, writeFailed = false) => {
          if (settled) return;
          settled = true;
          clearTimeout(idle);
          res.destroy();
          // Keep what arrived: flush it to the partial file, so that the next attempt resumes there.
          // After a write error there is nothing to flush.
          if (writeFailed) {
            out.destroy();
            reject(e);
          } else {
            out.end(() => reject(e));
          }
        };
        const stalled = () => fail(new ConnectionFailure(`no data for ${idleTimeoutMs} ms`));
        let idle = setTimeout(stalled, idleTimeoutMs);
        out.on('error', (e) => fail(writeFailure(part, e), true));
        res.on('error', (e) => fail(new ConnectionFailure(e.message, { cause: e })));
        res.on('aborted', () => fail(new ConnectionFailure('the connection was cut')));
        res.on('data', (chunk: Buffer) => {
          clearTimeout(idle);
          idle = setTimeout(stalled, idleTimeoutMs);
          done += chunk.length;
          bytesFetched += chunk.length;
          attemptBytes += chunk.length;
          if (done > target.length) {
            fail(new DownloadError('TOO_LARGE', `The server sent more than the signed ${target.length} bytes.`));
            return;
          }
          hash.update(chunk);
          // Two reasons to hold the socket: the disk is behind, or the bandwidth cap is reached.
          if (!out.write(chunk)) {
            waitingForDisk = true;
            res.pause();
            out.once('drain', () => {
              waitingForDisk = false;
              if (!waitingForCap) res.resume();
            });
          }
          if (options.bandwidthLimit) {
            const ahead = (attemptBytes / options.bandwidthLimit) * 1000 - (Date.now() - attemptStart);
            if (ahead > 5 && !waitingForCap) {
              waitingForCap = true;
              res.pause();
              capWait = new Promise<void>((resume) =>
                setTimeout(() => {
                  waitingForCap = false;
                  if (!waitingForDisk && !settled) res.resume();
                  resume();
                }, ahead),
              );
            }
          }
          const now = Date.now();
          if (now - rateWindow.at >= 1000)
            rateWindow = { at: now, bytes: bytesFetched, rate: ((bytesFetched - rateWindow.bytes) * 1000) / (now - rateWindow.at) };
          if (options.onProgress && now - lastProgress >= (options.progressIntervalMs ?? 250)) {
            lastProgress = now;
            options.onProgress({ bytesDone: done, bytesTotal: target.length, bytesPerSecond: Math.round(rateWindow.rate) });
          }
        });
        res.on('end', async () => {
          if (settled) return;
          clearTimeout(idle);
          // The last bytes may arrive ahead of the cap: the download is not done before its time.
          await capWait;
          out.end(() => {
            if (settled) return;
            settled = true;
            if (done < target.length) reject(new ConnectionFailure(`the connection ended after ${done} of ${target.length} bytes`));
            else resolve();
          });
        });
      });
      return finish(hash);
    }

    async function finish(h?: crypto.Hash): Promise<'done'> {
      const digest = h
        ? h.digest('hex')
        : await (async () => {
            const x = crypto.createHash('sha256');
            await hashPartial(part, x);
            return x.digest('hex');
          })();
      const size = (await fsp.stat(part)).size;
      if (size !== target.length || digest !== target.sha256) {
        throw new DownloadError(
          'CHECKSUM_MISMATCH',
          `The downloaded file does not match its signed hash (got ${digest.slice(0, 12)}…, ${size} bytes): it was discarded.`,
          {
            expected: target.sha256,
            actual: digest,
          },
        );
      }
      await writing(part, async () => {
        const handle = await fsp.open(part, 'r');
        await handle.sync();
        await handle.close();
        await fsp.rename(part, dest);
      });
      await fsp.rm(metaFile, { force: true });
      options.onProgress?.({ bytesDone: target.length, bytesTotal: target.length, bytesPerSecond: Math.round(rateWindow.rate) });
      return 'done';
    }
  }
  return { path: dest, bytesFetched };
}

function request(
  url: string,
  headers: Record<string, string>,
  connectTimeoutMs: number,
  signal?: AbortSignal,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { headers, signal }, resolve);
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    req.on('response', () => clearTimeout(timer));
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err.name === 'AbortError' ? cancelled() : new ConnectionFailure(err.message, { cause: err }));
    });
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(cancelled());
      },
      { once: true },
    );
  });
}
