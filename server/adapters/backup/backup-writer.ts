/**
 * Making a backup, in `<dir>/.tmp-<id>/` renamed to `<dir>/<id>/` once complete: offline (the
 * appliance is stopped: the kernel copies each file, then each copy and its source are hashed) or
 * online (it runs: SQLite's backup API for the databases, the other files copied and hashed). The
 * copy is verified before its manifest is written; any failure removes what was written.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BackupError, DiskFullError, isDiskFull } from '../../domain/errors/index.js';
import { errno, exists, fsyncDir } from '../fs.js';
import type { NewBackupWorker } from './backup-worker.js';
import { entryOf, verifyTree } from './backup-verifier.js';
import type { CopyFile } from './file-copy.js';
import { type BackupFileEntry, type BackupManifest, type BackupMethod, ID_PATTERN, summarizeGroups, writeManifest } from './manifest.js';
import { type BackupSource, type Plan, type PlannedFile, resolved, scanSource } from './source-scan.js';
import { type Progress, ProgressReporter } from './transfer-progress.js';
import { WorkerPool } from './worker-pool.js';

export interface BackupMeta {
  reason: string;
  jobId: string | null;
  applianceVersion: string;
  dataSchemaVersion: number | null;
}

export interface BackupWriterOptions {
  dir: string;
  copyFile: CopyFile;
  now: () => Date;
  newId: () => string;
  newWorker: NewBackupWorker;
  progressIntervalMs: number;
}

export class BackupWriter {
  /** Backups being made by this process: their temporary directories are not leftovers. */
  private readonly inProgress = new Set<string>();

  constructor(private readonly options: BackupWriterOptions) {}

  isInProgress(id: string): boolean {
    return this.inProgress.has(id);
  }

  async create(method: BackupMethod, source: BackupSource, meta: BackupMeta, onProgress?: Progress): Promise<BackupManifest> {
    const { dir, now } = this.options;
    const id = this.options.newId();
    if (!ID_PATTERN.test(id)) throw new BackupError('BACKUP_FAILED', `The backup id ${JSON.stringify(id)} cannot name a directory.`);
    const temp = path.join(dir, `.tmp-${id}`);
    const final = path.join(dir, id);
    let renamed = false;
    const pool = new WorkerPool(this.options.newWorker);
    this.inProgress.add(id);
    try {
      const createdAt = now().toISOString();
      const copyStarted = performance.now();
      const plan = await scanSource(resolved(source), method);
      await fsp.mkdir(dir, { recursive: true });
      await fsp.mkdir(temp);
      for (const d of plan.directories) await fsp.mkdir(path.join(temp, ...d.split('/')), { recursive: true });
      const copied =
        method === 'OFFLINE' ? await this.copyOffline(plan, temp, pool, onProgress) : await this.copyOnline(plan, temp, pool, onProgress);
      const copyMs = Math.round(performance.now() - copyStarted);

      const verifyStarted = performance.now();
      const files = await verifyTree(temp, copied, pool, this.options.progressIntervalMs, onProgress);
      const verifyMs = Math.round(performance.now() - verifyStarted);

      const manifest: BackupManifest = {
        formatVersion: 1,
        id,
        createdAt,
        method,
        reason: meta.reason,
        jobId: meta.jobId,
        applianceVersion: meta.applianceVersion,
        dataSchemaVersion: meta.dataSchemaVersion,
        totalBytes: files.reduce((s, f) => s + f.size, 0),
        files,
        groups: summarizeGroups(files),
        copyMs,
        verifyMs,
        verifiedAt: now().toISOString(),
        directories: plan.directories,
      };
      // Only now, after verification, does the directory get its manifest: no backup on disk ever
      // claims a verification that did not happen.
      await writeManifest(temp, manifest);
      for (const d of [...plan.directories].reverse()) await fsyncDir(path.join(temp, ...d.split('/')));
      await fsyncDir(temp);
      await fsp.rename(temp, final);
      renamed = true;
      await fsyncDir(dir);
      return manifest;
    } catch (err) {
      // The failure is what the caller is told. Should a removal fail as well, what it leaves is
      // a `.tmp-*` that the next cleanupTemporary removes (or, after the rename, a complete backup).
      await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined);
      if (renamed) await fsp.rm(final, { recursive: true, force: true }).catch(() => undefined);
      throw creationError(err, method, temp);
    } finally {
      await pool.close();
      this.inProgress.delete(id);
    }
  }

  /**
   * Nothing writes the source any more: the kernel copies each file, and verifyTree then hashes
   * each copy and its source, which must agree. Returns the plan's files, to be verified.
   */
  private async copyOffline(plan: Plan, temp: string, pool: WorkerPool, onProgress?: Progress): Promise<PlannedFile[]> {
    const progress = new ProgressReporter('COPY', plan.files, onProgress, this.options.progressIntervalMs);
    await pool.inLanes(plan.files, progress, async (file, lane) => {
      const dest = path.join(temp, ...file.path.split('/'));
      await this.options.copyFile(file.abs, dest);
      progress.add(file.group, file.size);
      lane.wrote(dest, file.size);
    });
    return plan.files;
  }

  /**
   * The appliance runs: each database through SQLite's backup API (in the lane's worker, which
   * fsyncs and hashes the copy), the other files copied by the kernel, then hashed. The copy is the
   * snapshot: its hash is the manifest's.
   */
  private async copyOnline(plan: Plan, temp: string, pool: WorkerPool, onProgress?: Progress): Promise<BackupFileEntry[]> {
    const progress = new ProgressReporter('COPY', plan.files, onProgress, this.options.progressIntervalMs);
    const entries = await pool.inLanes(plan.files, progress, async (file, lane) => {
      const dest = path.join(temp, ...file.path.split('/'));
      const onBytes = (n: number) => progress.add(file.group, n);
      if (file.kind === 'sqlite') return entryOf(file, await lane.worker.backup(file.abs, dest, file.mode, onBytes));
      try {
        await this.options.copyFile(file.abs, dest);
      } catch (err) {
        // A file can go between the listing and the copy (the appliance's own temporary files,
        // for one). What is gone is not part of the snapshot.
        if (errno(err) === 'ENOENT' && !(await exists(file.abs))) return null;
        throw err;
      }
      const copied = await lane.worker.hash(dest, onBytes);
      lane.wrote(dest, copied.size);
      return entryOf(file, copied);
    });
    return entries.filter((e): e is BackupFileEntry => e !== null);
  }
}

/** A full disk is DISK_FULL wherever it happens; what is not already a backup failure becomes BACKUP_FAILED. */
function creationError(err: unknown, method: BackupMethod, temp: string): Error {
  if (isDiskFull(err)) return new DiskFullError(writtenPath(err) ?? temp, errno(err)!);
  if (err instanceof BackupError) return err;
  return new BackupError(
    'BACKUP_FAILED',
    `The ${method.toLowerCase()} backup failed: ${(err as Error).message}. The appliance's data was not touched.`,
    {
      cause: errno(err) ?? (err as Error).message,
    },
  );
}

/** The file a failed write was writing, as Node names it (`dest` of a copy, `path` of an open or write). */
export function writtenPath(err: unknown): string | undefined {
  const { dest, path: p } = err as { dest?: unknown; path?: unknown };
  return typeof dest === 'string' ? dest : typeof p === 'string' ? p : undefined;
}
