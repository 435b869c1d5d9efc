/**
 * Typed client of `backup-worker-thread.mjs`: a worker thread per lane of a backup, verification
 * or restore, doing its blocking work off the event loop — the SHA-256 of every file copied or
 * checked, SQLite's online backup, PRAGMA integrity_check.
 */
import { Worker } from 'node:worker_threads';

export interface Hashed {
  size: number;
  sha256: string;
}

export interface IntegrityResult {
  ok: boolean;
  /** The first lines integrity_check reported, when not ok. */
  problems: string[];
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onBytes?: (n: number) => void;
}

type Reply =
  { id: number; bytes: number } | { id: number; result: unknown } | { id: number; error: { message: string; code: string | null } };

/** What a lane of a backup operation has its worker do. */
export interface BackupWorker {
  /** SHA-256 of a file, read in the worker. */
  hash(file: string, onBytes?: (n: number) => void): Promise<Hashed>;
  /** PRAGMA integrity_check on a read-only connection; leaves no -shm or empty -wal behind. */
  integrityCheck(file: string): Promise<IntegrityResult>;
  /** SQLite's online backup of `src` into the new file `dest` (fsynced, with `mode`), then its hash. */
  backup(src: string, dest: string, mode: number, onBytes?: (n: number) => void): Promise<Hashed>;
  close(): Promise<void>;
}

/** Starts a worker: the backup store is given this, so that constructing threads stays outside it. */
export type NewBackupWorker = () => BackupWorker;

export const newBackupWorkerThread: NewBackupWorker = () => new BackupWorkerThread();

export class BackupWorkerThread implements BackupWorker {
  // Without the parent's flags: under tsx they load its loader into every thread, which doubled
  // the start-up (60 ms to 120 ms); the thread is plain JavaScript and needs none of it.
  private readonly worker = new Worker(new URL('./backup-worker-thread.mjs', import.meta.url), { execArgv: [] });
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once the thread is gone: later calls fail at once instead of waiting forever. */
  private dead: Error | null = null;

  constructor() {
    this.worker.on('message', (reply: Reply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      if ('bytes' in reply) {
        call.onBytes?.(reply.bytes);
        return;
      }
      this.pending.delete(reply.id);
      if ('error' in reply) call.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code ?? undefined }));
      else call.resolve(reply.result);
    });
    const failAll = (error: Error) => {
      this.dead ??= error;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`the backup worker exited with code ${code}`)));
  }

  hash(file: string, onBytes?: (n: number) => void): Promise<Hashed> {
    return this.call({ op: 'hash', file }, onBytes) as Promise<Hashed>;
  }

  integrityCheck(file: string): Promise<IntegrityResult> {
    return this.call({ op: 'integrity', file }) as Promise<IntegrityResult>;
  }

  backup(src: string, dest: string, mode: number, onBytes?: (n: number) => void): Promise<Hashed> {
    return this.call({ op: 'backup', src, dest, mode }, onBytes) as Promise<Hashed>;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private call(message: Record<string, unknown>, onBytes?: (n: number) => void): Promise<unknown> {
    const id = this.nextId++;
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onBytes });
      this.worker.postMessage({ ...message, id });
    });
  }
}
