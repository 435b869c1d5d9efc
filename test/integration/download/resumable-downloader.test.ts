/**
 * The downloader against a real loopback server that misbehaves in every way the download issue
 * lists; each case ends verified and complete, or with a typed error and no partial file left.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  discardPartial,
  download,
  type DownloadEvent,
  type DownloadTarget,
} from '../../../server/adapters/download/resumable-downloader.js';
import { DiskFullError, DownloadError, InsufficientDiskError } from '../../../server/domain/errors/index.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';
import { startRangeServer, type RangeServer } from '../../helpers/range-server.js';

const SIZE = 2 * 1024 * 1024;
const fast = { backoff: { initialMs: 10, maxMs: 40 }, idleTimeoutMs: 500, connectTimeoutMs: 1000 };

describe('download', () => {
  let dir: string;
  let server: RangeServer;
  let target: DownloadTarget;
  let dest: string;
  let content: Buffer;

  beforeEach(async () => {
    dir = tmpDir('download');
    content = crypto.randomBytes(SIZE);
    server = await startRangeServer(content);
    target = { url: server.url, length: SIZE, sha256: crypto.createHash('sha256').update(content).digest('hex') };
    dest = path.join(dir, 'bundle.tar.gz');
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('downloads and verifies a bundle, reporting progress up to the total', async () => {
    const progress: number[] = [];
    const sut = await download(target, dest, { ...fast, onProgress: (p) => progress.push(p.bytesDone), progressIntervalMs: 0 });
    expect(sut.bytesFetched).toBe(SIZE);
    expect(fs.readFileSync(dest).equals(content)).toBe(true);
    expect(progress.at(-1)).toBe(SIZE);
    expect(fs.existsSync(`${dest}.part`) || fs.existsSync(`${dest}.part.json`)).toBe(false);
  });

  it('resumes with Range and If-Range after the connection is cut, fetching nothing twice', async () => {
    server.cut = { afterBytes: 700_000, times: 2 };
    const events: DownloadEvent[] = [];
    const sut = await download(target, dest, { ...fast, onEvent: (e) => events.push(e) });
    expect(fs.readFileSync(dest).equals(content)).toBe(true);
    expect(sut.bytesFetched).toBe(SIZE);
    expect(server.requests.slice(1).every((r) => r.status === 206 && r.ifRange === server.etag)).toBe(true);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    // Each attempt resumes where the partial file ended (a little before the cut: what was still
    // in flight when the socket closed is not kept).
    const resumes = events.filter((e) => e.type === 'resume').map((e) => (e as { fromByte: number }).fromByte);
    expect(resumes).toHaveLength(2);
    expect(resumes[0]).toBeGreaterThan(600_000);
    expect(resumes[0]).toBeLessThanOrEqual(700_000);
    expect(resumes[1]! - resumes[0]!).toBeGreaterThan(600_000);
  });

  it('resumes a partial download left by a previous run (a restart of Patchbay)', async () => {
    server.cut = { afterBytes: 1_000_000, times: 1 };
    await expect(download(target, dest, { ...fast, maxAttempts: 1 })).rejects.toMatchObject({ code: 'NETWORK' });
    const kept = fs.statSync(`${dest}.part`).size;
    expect(kept).toBeGreaterThan(900_000);
    expect(kept).toBeLessThanOrEqual(1_000_000);
    const sut = await download(target, dest, fast);
    expect(sut.bytesFetched).toBe(SIZE - kept);
    expect(fs.readFileSync(dest).equals(content)).toBe(true);
  });

  it('starts over when the server ignores Range', async () => {
    server.cut = { afterBytes: 500_000, times: 1 };
    server.ignoreRange = true;
    const events: DownloadEvent[] = [];
    const sut = await download(target, dest, { ...fast, onEvent: (e) => events.push(e) });
    expect(fs.readFileSync(dest).equals(content)).toBe(true);
    expect(events.some((e) => e.type === 'restart')).toBe(true);
    expect(sut.bytesFetched).toBeGreaterThan(SIZE + 400_000);
    expect(sut.bytesFetched).toBeLessThanOrEqual(SIZE + 500_000);
  });

  it('starts over when the file changed between attempts, and verifies against the signed hash', async () => {
    server.cut = { afterBytes: 500_000, times: 1 };
    await expect(download(target, dest, { ...fast, maxAttempts: 1 })).rejects.toMatchObject({ code: 'NETWORK' });
    // The vendor republished: same URL, new bytes, new ETag. The signed target info is the new one.
    const next = crypto.randomBytes(SIZE);
    server.replace(next);
    const sut = await download({ ...target, sha256: crypto.createHash('sha256').update(next).digest('hex') }, dest, fast);
    expect(fs.readFileSync(dest).equals(next)).toBe(true);
    expect(server.requests.at(-1)).toMatchObject({ status: 200 });
    expect(sut.bytesFetched).toBe(SIZE);
  });

  it('gives up on a stalled connection after the idle timeout and resumes', async () => {
    server.stallAfter = 300_000;
    const events: DownloadEvent[] = [];
    await download(target, dest, { ...fast, onEvent: (e) => events.push(e) });
    expect(fs.readFileSync(dest).equals(content)).toBe(true);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ reason: 'no data for 500 ms' });
  });

  it('fails with CHECKSUM_MISMATCH on corrupted bytes and discards the file', async () => {
    server.corruptByteAt = 1234;
    await expect(download(target, dest, fast)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a bundle bigger than its signed length', async () => {
    server.extraBytes = 10;
    await expect(download(target, dest, fast)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses to start without the disk space it needs, saying how much it needs', async () => {
    const err = await download(target, dest, { ...fast, freeSpace: async () => SIZE }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsufficientDiskError);
    expect(err).toMatchObject({ code: 'INSUFFICIENT_DISK', neededBytes: SIZE + 16 * 1024 * 1024, freeBytes: SIZE });
    expect(server.requests).toHaveLength(0);
  });

  /** Opens the partial file so that writes past 600 kB fail with `errno`. */
  const failingAfter = (errno: string) => (file: string) => {
    const stream = fs.createWriteStream(file, { flags: 'a' });
    let written = 0;
    const write = stream.write.bind(stream);
    stream.write = ((chunk: Buffer, ...rest: never[]) => {
      written += chunk.length;
      if (written > 600_000) {
        process.nextTick(() => stream.emit('error', Object.assign(new Error(`write failed (${errno})`), { code: errno })));
        return false;
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
    return stream;
  };

  it('fails with DISK_FULL when the disk fills up while writing, without retrying', async () => {
    const err = await download(target, dest, { ...fast, openAppend: failingAfter('ENOSPC') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err).toMatchObject({ code: 'DISK_FULL', errno: 'ENOSPC', path: `${dest}.part`, message: expect.stringMatching(/disk is full/) });
    expect(server.requests).toHaveLength(1);
    await discardPartial(dest);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('counts an exhausted quota as a full disk too', async () => {
    await expect(download(target, dest, { ...fast, openAppend: failingAfter('EDQUOT') })).rejects.toMatchObject({ code: 'DISK_FULL' });
  });

  it('fails with DISK_WRITE on another write error, naming it', async () => {
    const err = await download(target, dest, { ...fast, openAppend: failingAfter('EIO') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err).toMatchObject({ code: 'DISK_WRITE', details: { errno: 'EIO' }, message: expect.stringMatching(/write failed \(EIO\)/) });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a partial file it cannot read, instead of starting over from byte 0', async () => {
    // What a previous run left: its metadata, and in place of the partial file something unreadable.
    fs.writeFileSync(`${dest}.part.json`, JSON.stringify({ url: target.url, sha256: target.sha256, etag: server.etag }));
    fs.mkdirSync(`${dest}.part`);
    await expect(download(target, dest, fast)).rejects.toMatchObject({ code: 'EISDIR' });
    expect(server.requests).toHaveLength(0);
  });

  it('starts over when the metadata of the partial file was torn by a crash', async () => {
    fs.writeFileSync(`${dest}.part`, content.subarray(0, 1000));
    fs.writeFileSync(`${dest}.part.json`, '{"url":');
    const sut = await download(target, dest, fast);
    expect(sut.bytesFetched).toBe(SIZE);
    expect(fs.readFileSync(dest).equals(content)).toBe(true);
  });

  it('keeps to a bandwidth cap', async () => {
    const small = content.subarray(0, 400_000);
    server.replace(small);
    const started = Date.now();
    await download({ url: server.url, length: small.length, sha256: crypto.createHash('sha256').update(small).digest('hex') }, dest, {
      ...fast,
      bandwidthLimit: 1_000_000,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('stops when cancelled, leaving the partial file for discardPartial', async () => {
    const controller = new AbortController();
    server.stallAfter = 100_000;
    // Cancelled while it waits on the stalled server, once it has every byte sent before the stall.
    const pending = download(target, dest, {
      ...fast,
      idleTimeoutMs: 5000,
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.bytesDone >= 100_000) setImmediate(() => controller.abort());
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await discardPartial(dest);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
