/**
 * Moving bytes for backups and restores. A file is read once, in large chunks; each chunk is
 * written and hashed while the next ones are read (reads and writes run on libuv's thread pool,
 * the hash in the ChunkHasher's thread), and its fsync runs behind the copy of the next files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { CHUNK_BYTES, type ChunkHasher } from './chunk-hasher.js';

export { CHUNK_BYTES };

/**
 * Files up to this size are read with synchronous calls. A data directory holds hundreds of small
 * config files; a read through the thread pool costs a thread handoff (tens of microseconds, more
 * when other processes compete for the cores), a synchronous one a few microseconds, and the event
 * loop waits no longer than that. Writes always go through the FileHandle that `openWrite` gave.
 */
export const SMALL_FILE_BYTES = 256 * 1024;

export type OpenWrite = (file: string) => Promise<FileHandle>;

export const openForWrite: OpenWrite = (file) => fsp.open(file, 'w', 0o600);

/** Two buffers, reused from file to file: one is written and hashed while the other is filled. */
export function chunkBuffers(): [Buffer, Buffer] {
  return [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
}

export interface Copied {
  size: number;
  sha256: string;
}

interface Reader {
  /** Fills `buffer` from `position`; 0 at the end of the file. */
  read(buffer: Buffer, position: number): Promise<number>;
  close(): Promise<void>;
}

/** `sizeHint`: the size the file had when listed; it only chooses how to read. */
async function openReader(file: string, sizeHint: number | undefined): Promise<Reader> {
  if (sizeHint !== undefined && sizeHint <= SMALL_FILE_BYTES) {
    const fd = fs.openSync(file, 'r');
    return {
      read: (buffer, position) => {
        try {
          return Promise.resolve(fs.readSync(fd, buffer, 0, buffer.length, position));
        } catch (err) {
          return Promise.reject(err as Error);
        }
      },
      close: async () => fs.closeSync(fd),
    };
  }
  const handle = await fsp.open(file, 'r');
  return {
    read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
    close: () => handle.close(),
  };
}

/**
 * Copies `src` to `dest` and returns what was written. The output's fsync and close are handed to
 * `syncs`, so the caller must drain it before relying on the copy.
 */
export async function copyHashed(
  src: string,
  dest: string,
  options: {
    openWrite: OpenWrite;
    hasher: ChunkHasher;
    syncs: BackgroundSyncs;
    sizeHint?: number;
    mode?: number;
    onBytes?: (n: number) => void;
  },
): Promise<Copied> {
  const input = await openReader(src, options.sizeHint);
  let output: FileHandle | null = null;
  const inFlight: Promise<unknown>[] = [];
  try {
    output = await options.openWrite(dest);
    if (options.mode !== undefined) fs.fchmodSync(output.fd, options.mode & 0o7777);
    const out = output;
    const hash = options.hasher.begin(options.sizeHint !== undefined && options.sizeHint <= SMALL_FILE_BYTES);
    let pos = 0;
    let failed = false;
    while (!failed) {
      const slot = await options.hasher.acquire();
      let n: number;
      try {
        n = await input.read(slot.buffer, pos);
      } catch (err) {
        options.hasher.release(slot);
        throw err;
      }
      if (n === 0) {
        options.hasher.release(slot);
        break;
      }
      const at = pos;
      pos += n;
      const chunk = settleBoth(writeFully(out, slot.buffer.subarray(0, n), at), hash.update(slot, n))
        .then(() => options.onBytes?.(n))
        .finally(() => options.hasher.release(slot));
      // Handled here (a failure stops the loop) and thrown below, by settleAll.
      chunk.catch(() => (failed = true));
      inFlight.push(chunk);
    }
    await settleAll(inFlight);
    const sha256 = await hash.digest();
    output = null;
    await options.syncs.add(out, pos);
    return { size: pos, sha256 };
  } finally {
    // After a failure, what is still being written or hashed finishes before the files close.
    await Promise.allSettled(inFlight);
    await input.close();
    await output?.close();
  }
}

/** SHA-256 and size of a file, reading the next chunk while hashing the current one. */
export async function hashFile(
  file: string,
  buffers: [Buffer, Buffer],
  options: { sizeHint?: number; onBytes?: (n: number) => void } = {},
): Promise<Copied> {
  const input = await openReader(file, options.sizeHint);
  try {
    const hash = crypto.createHash('sha256');
    let [current, spare] = buffers;
    let pos = 0;
    let n = await input.read(current, 0);
    while (n > 0) {
      const reading = input.read(spare, pos + n);
      hash.update(current.subarray(0, n));
      options.onBytes?.(n);
      pos += n;
      n = await reading;
      [current, spare] = [spare, current];
    }
    return { size: pos, sha256: hash.digest('hex') };
  } finally {
    await input.close();
  }
}

async function writeFully(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, off, chunk.length - off, position + off);
    if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten}`);
    off += bytesWritten;
  }
}

/** Like Promise.all, but waits for both: a slot is reused only when neither its write nor its hash still reads it. */
async function settleBoth<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** Waits for all, then throws the first failure. */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * fsync and close of finished files, off the copy's path. A large file is flushed at once, while
 * the next one is read, at most two at a time. Small files stay open and are flushed together, four
 * at a time (libuv's thread pool has four threads), at the end or every `batch` files: concurrent
 * fsyncs share the file system's journal commits, where one after the other each pays its own
 * (300 small files: 155-315 ms one by one, 37-45 ms four at a time, on this machine's ext4).
 */
export class BackgroundSyncs {
  private readonly running = new Set<Promise<void>>();
  private small: FileHandle[] = [];
  private failure: { error: unknown } | null = null;

  constructor(private readonly options: { largeBytes: number; batch: number } = { largeBytes: 1024 * 1024, batch: 256 }) {}

  async add(handle: FileHandle, size: number): Promise<void> {
    if (size < this.options.largeBytes) {
      this.small.push(handle);
      if (this.small.length >= this.options.batch) await this.flushSmall();
    } else {
      while (this.running.size >= 2) await Promise.race(this.running);
      const job: Promise<void> = this.syncAndClose(handle).finally(() => this.running.delete(job));
      this.running.add(job);
    }
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every fsync and closes every file; throws the first failure. */
  async drain(): Promise<void> {
    await this.flushSmall();
    await Promise.all(this.running);
    if (this.failure) throw this.failure.error;
  }

  private async flushSmall(): Promise<void> {
    const batch = this.small;
    this.small = [];
    let next = 0;
    const lane = async () => {
      while (next < batch.length) await this.syncAndClose(batch[next++]!);
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  }

  private async syncAndClose(handle: FileHandle): Promise<void> {
    try {
      // After a failure the files are only closed: the caller is about to delete them.
      if (!this.failure) await handle.sync();
    } catch (error) {
      this.failure ??= { error };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}

/**
 * Runs `task` over `items`, `lanes` at a time (`lane` tells the task which one runs it): while one
 * file waits for the disk, another moves. After a failure no new item starts; the ones in flight
 * finish before the first failure is thrown.
 */
export async function forEachInLanes<T>(items: readonly T[], lanes: number, task: (item: T, lane: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (_: unknown, index: number) => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  if (failure) throw (failure as { error: unknown }).error;
}
