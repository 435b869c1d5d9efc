/**
 * The backups of the appliance's data (`<root>/data/` and `<root>/modules/state.json`), one
 * directory each under `dir`:
 *
 *   <dir>/<id>/manifest.json        written last, after verification (see manifest.ts)
 *   <dir>/<id>/data/...             mirror of the data directory (SQLite `-shm` files left out)
 *   <dir>/<id>/modules/state.json   when the appliance had one
 *   <dir>/.tmp-<id>/                a backup being made; <dir>/.removing-<id>/ one being deleted
 *
 * The operations the rest of Patchbay uses: making one (backup-writer.ts), verifying it
 * (backup-verifier.ts), putting one back (restorer.ts), listing, pruning and clearing what a killed
 * process left.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../../domain/errors/index.js';
import { exists, fsyncDir, ifMissing, readdirOrEmpty } from '../fs.js';
import { type NewBackupWorker, newBackupWorkerThread } from './backup-worker.js';
import { verifyTree } from './backup-verifier.js';
import { type BackupMeta, BackupWriter } from './backup-writer.js';
import { type CopyFile, kernelCopy } from './file-copy.js';
import { type BackupEntry, type BackupManifest, compareText, ID_PATTERN, newBackupId, readBackup } from './manifest.js';
import { Restorer } from './restorer.js';
import { type BackupSource, resolved, scanSource } from './source-scan.js';
import type { Progress } from './transfer-progress.js';
import { WorkerPool } from './worker-pool.js';

export type { BackupEntry, BackupFileEntry, BackupManifest, BackupMethod, BackupProblem, BackupStatus } from './manifest.js';
export type { BackupMeta } from './backup-writer.js';
export type { BackupSource } from './source-scan.js';
export type { TransferProgress } from './transfer-progress.js';

export interface BackupIo {
  /** Copies a source file into the backup being made (tests inject a full disk, corruption or a kill here). */
  copyFile: CopyFile;
}

export interface BackupStoreOptions {
  dir: string;
  io?: Partial<BackupIo>;
  now?: () => Date;
  newId?: () => string;
  /** Starts the worker thread of a lane (hashing and SQLite work). */
  newWorker?: NewBackupWorker;
  /** At most one progress event per group this often, plus one at the end of each group. */
  progressIntervalMs?: number;
}

export class BackupStore {
  private readonly dir: string;
  private readonly newWorker: NewBackupWorker;
  private readonly progressIntervalMs: number;
  private readonly writer: BackupWriter;
  private readonly restorer: Restorer;

  constructor(options: BackupStoreOptions) {
    this.dir = options.dir;
    const now = options.now ?? (() => new Date());
    this.newWorker = options.newWorker ?? newBackupWorkerThread;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.writer = new BackupWriter({
      dir: this.dir,
      copyFile: options.io?.copyFile ?? kernelCopy,
      now,
      newId: options.newId ?? (() => newBackupId(now())),
      newWorker: this.newWorker,
      progressIntervalMs: this.progressIntervalMs,
    });
    this.restorer = new Restorer({ now, newWorker: this.newWorker, progressIntervalMs: this.progressIntervalMs });
  }

  /** The appliance is STOPPED: a plain fast copy (db + its -wal together; -shm skipped), then each copy checked against its source. */
  createOffline(source: BackupSource, meta: BackupMeta, onProgress?: Progress): Promise<BackupManifest> {
    return this.writer.create('OFFLINE', source, meta, onProgress);
  }

  /** The appliance RUNS: each SQLite database through SQLite's online backup API, other files copied; -wal/-shm not copied. */
  createOnline(source: BackupSource, meta: BackupMeta, onProgress?: Progress): Promise<BackupManifest> {
    return this.writer.create('ONLINE', source, meta, onProgress);
  }

  /** Re-reads every file of a stored backup against its manifest and runs PRAGMA integrity_check on every database. */
  async verify(id: string, onProgress?: Progress): Promise<void> {
    const manifest = await this.require(id);
    const pool = new WorkerPool(this.newWorker);
    try {
      await verifyTree(path.join(this.dir, id), manifest.files, pool, this.progressIntervalMs, onProgress);
    } finally {
      await pool.close();
    }
  }

  /**
   * Every backup directory, each with its status: readable ones newest first, then the unreadable
   * ones (their time is unknown) by id, newest first too. Temporary directories are not backups.
   */
  async list(): Promise<BackupEntry[]> {
    const dirents = await fsp.readdir(this.dir, { withFileTypes: true }).catch(ifMissing([]));
    const names = dirents.filter((d) => d.isDirectory() && ID_PATTERN.test(d.name)).map((d) => d.name);
    const entries = (await Promise.all(names.map((n) => readBackup(this.dir, n)))).filter((e): e is BackupEntry => e !== null);
    const key = (e: BackupEntry) => e.manifest?.createdAt ?? null;
    return entries.sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      if (ka === null || kb === null) return ka === kb ? compareText(b.id, a.id) : ka === null ? 1 : -1;
      return ka === kb ? compareText(b.id, a.id) : compareText(kb, ka);
    });
  }

  /** What the backup `id` is, with its status; null when there is no such backup. */
  find(id: string): Promise<BackupEntry | null> {
    return readBackup(this.dir, id);
  }

  /**
   * The manifest of backup `id` (also when a restore found it does not verify); null when there is
   * no such backup; BACKUP_UNREADABLE when there is one whose manifest cannot be read.
   */
  async get(id: string): Promise<BackupManifest | null> {
    const entry = await this.find(id);
    if (!entry) return null;
    if (entry.status === 'UNREADABLE')
      throw new BackupError('BACKUP_UNREADABLE', entry.problem.message, { id, problem: entry.problem.code });
    return entry.manifest;
  }

  /**
   * Puts the backup's data back into `to`, byte for byte (see restorer.ts). A file that does not
   * match the manifest marks the backup VERIFICATION_FAILED.
   */
  async restore(id: string, to: BackupSource, onProgress?: Progress): Promise<void> {
    const manifest = await this.require(id);
    await this.restorer.restore(path.join(this.dir, id), manifest, resolved(to), onProgress);
  }

  /** Keeps the newest `keep` backups and every id in `protect`; returns the removed ids. Unreadable ones are left alone. */
  async prune(keep: number, protect: readonly string[] = []): Promise<string[]> {
    const backups = (await this.list()).filter((b) => b.status !== 'UNREADABLE');
    const kept = new Set([...backups.slice(0, Math.max(0, Math.floor(keep))).map((b) => b.id), ...protect]);
    const removed: string[] = [];
    for (const b of backups) {
      if (kept.has(b.id)) continue;
      await this.remove(b.id);
      removed.push(b.id);
    }
    return removed;
  }

  /** Renamed away first, so that a kill halfway through leaves a temporary directory, not half a backup. */
  async remove(id: string): Promise<void> {
    if (!ID_PATTERN.test(id) || !(await exists(path.join(this.dir, id)))) {
      throw new BackupError('BACKUP_NOT_FOUND', `There is no backup ${id}.`, { id });
    }
    const doomed = path.join(this.dir, `.removing-${id}`);
    await fsp.rm(doomed, { recursive: true, force: true });
    await fsp.rename(path.join(this.dir, id), doomed);
    await fsyncDir(this.dir);
    await fsp.rm(doomed, { recursive: true, force: true });
  }

  /**
   * Removes what a killed process left: backup temporary directories and, with a target, the
   * leftovers of a restore. A restore killed in the middle of its swap (data directory renamed
   * aside, the new one not yet in place) is rolled back; one killed after the swap is finished
   * (the module state put in place). Returns the paths that are gone.
   */
  async cleanupTemporary(target?: BackupSource): Promise<string[]> {
    const gone: string[] = [];
    for (const name of await readdirOrEmpty(this.dir)) {
      const m = /^\.(?:tmp|removing)-(.+)$/.exec(name);
      if (!m || this.writer.isInProgress(m[1]!)) continue;
      await fsp.rm(path.join(this.dir, name), { recursive: true, force: true });
      gone.push(path.join(this.dir, name));
    }
    if (target) gone.push(...(await this.restorer.recover(resolved(target))));
    return gone;
  }

  /** Bytes and files an offline backup of `source` would copy (for disk preflight and downtime estimates). */
  async measure(source: BackupSource): Promise<{ bytes: number; files: number }> {
    const plan = await scanSource(resolved(source), 'OFFLINE');
    return { bytes: plan.files.reduce((s, f) => s + f.size, 0), files: plan.files.length };
  }

  /** A backup with a readable manifest, or BACKUP_NOT_FOUND / BACKUP_UNREADABLE. */
  private async require(id: string): Promise<BackupManifest> {
    const manifest = await this.get(id);
    if (!manifest) throw new BackupError('BACKUP_NOT_FOUND', `There is no backup ${id}.`, { id });
    return manifest;
  }
}
