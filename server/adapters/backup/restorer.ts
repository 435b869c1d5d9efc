/**
 * Putting a backup's data back, byte for byte, checking each file's hash as it copies. The copy is
 * made next to the data directory (`<dataDir>.restore-<id>`), then swapped in with renames (the old
 * data aside as `<dataDir>.replaced-<id>`); whatever an earlier, killed run left is rolled back or
 * finished first, so running it again always ends with the backup's data. A backup found not to
 * match its manifest is marked so, and is no longer offered for restoring.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BackupError, DiskFullError, isDiskFull } from '../../domain/errors/index.js';
import { errno, exists, fsyncDir, newestOf, readdirOrEmpty } from '../fs.js';
import type { NewBackupWorker } from './backup-worker.js';
import { writtenPath } from './backup-writer.js';
import { kernelCopy } from './file-copy.js';
import { type BackupFileEntry, type BackupManifest, MODULE_STATE_PATH, writeVerificationFailure } from './manifest.js';
import type { BackupSource } from './source-scan.js';
import { type Progress, ProgressReporter } from './transfer-progress.js';
import { WorkerPool } from './worker-pool.js';

export interface RestorerOptions {
  now: () => Date;
  newWorker: NewBackupWorker;
  progressIntervalMs: number;
}

export class Restorer {
  constructor(private readonly options: RestorerOptions) {}

  /** `root` holds the backup of `manifest`; `target` is absolute (see `resolved`). */
  async restore(root: string, manifest: BackupManifest, target: BackupSource, onProgress?: Progress): Promise<void> {
    const { id } = manifest;
    const staging = `${target.dataDir}.restore-${id}`;
    const aside = `${target.dataDir}.replaced-${id}`;
    const moduleTemp = `${target.moduleStateFile}.restore-${id}`;
    const moduleEntry = manifest.files.find((f) => f.path === MODULE_STATE_PATH);
    await this.recover(target);

    const progress = new ProgressReporter('RESTORE', manifest.files, onProgress, this.options.progressIntervalMs);
    const pool = new WorkerPool(this.options.newWorker);
    // Set by the lane that finds a file different from the manifest: the backup, not the disk, is at fault.
    const found: { mismatch?: { file: BackupFileEntry; reason: string } } = {};
    const mismatched = (file: BackupFileEntry, reason: string): Error => {
      found.mismatch ??= { file, reason };
      return new Error(reason);
    };
    try {
      await fsp.mkdir(path.dirname(target.dataDir), { recursive: true });
      const dataDirs = [...new Set(['data', ...(manifest.directories ?? []), ...manifest.files.map((f) => path.posix.dirname(f.path))])]
        .filter((d) => d === 'data' || d.startsWith('data/'))
        .sort();
      for (const d of dataDirs) await fsp.mkdir(path.join(staging, ...d.split('/').slice(1)), { recursive: true });
      if (moduleEntry) await fsp.mkdir(path.dirname(target.moduleStateFile), { recursive: true });
      // Each copy is hashed once written, so what gets swapped in is checked, not only the backup.
      await pool.inLanes(manifest.files, progress, async (file, lane) => {
        const dest = file === moduleEntry ? moduleTemp : path.join(staging, ...file.path.split('/').slice(1));
        const src = path.join(root, ...file.path.split('/'));
        try {
          await kernelCopy(src, dest);
        } catch (err) {
          if (errno(err) === 'ENOENT' && !(await exists(src))) throw mismatched(file, 'it is missing from the backup');
          throw err;
        }
        await fsp.chmod(dest, (file.mode ?? 0o644) & 0o7777);
        lane.wrote(dest, file.size);
        const copied = await lane.worker.hash(dest, (n) => progress.add(file.group, n));
        if (copied.size !== file.size || copied.sha256 !== file.sha256) {
          const reason = `${copied.size} bytes with SHA-256 ${copied.sha256.slice(0, 12)}…, the manifest says ${file.size} bytes, ${file.sha256.slice(0, 12)}…`;
          throw mismatched(file, reason);
        }
      });
      for (const d of [...dataDirs].reverse()) await fsyncDir(path.join(staging, ...d.split('/').slice(1)));
      if (moduleEntry) await fsyncDir(path.dirname(moduleTemp));
    } catch (err) {
      await fsp.rm(staging, { recursive: true, force: true });
      await fsp.rm(moduleTemp, { force: true });
      if (found.mismatch) throw await this.markFailed(root, found.mismatch);
      if (isDiskFull(err)) throw new DiskFullError(writtenPath(err) ?? staging, errno(err)!);
      throw new BackupError(
        'RESTORE_FAILED',
        `Restoring backup ${id} failed before the data was swapped (${(err as Error).message}); the current data was not touched.`,
        { id, cause: errno(err) ?? (err as Error).message },
      );
    } finally {
      await pool.close();
    }

    // The swap: from here on, every state a kill (or a failure) can leave is rolled back or
    // finished by the next restore or by cleanupTemporary.
    const parent = path.dirname(target.dataDir);
    try {
      if (await exists(target.dataDir)) await fsp.rename(target.dataDir, aside);
      await fsp.rename(staging, target.dataDir);
      await fsyncDir(parent);
      if (moduleEntry) {
        await fsp.rename(moduleTemp, target.moduleStateFile);
        await fsyncDir(path.dirname(target.moduleStateFile));
      }
      // Last, and without an fsync after it: a removal a power cut undoes leaves a `.replaced-*`
      // that the next run removes, and an fsync here would wait for the file system to discard
      // every freed block of the old data (ext4 mounted with `discard`, as here).
      await fsp.rm(aside, { recursive: true, force: true });
    } catch (err) {
      throw new BackupError(
        'RESTORE_FAILED',
        `Restoring backup ${id} failed while swapping it in (${(err as Error).message}). Running the restore again finishes it; ` +
          `cleanupTemporary goes back to the old data if the new data is not in place yet.`,
        { id, cause: errno(err) ?? (err as Error).message },
      );
    }
  }

  /**
   * Leftovers of a killed restore, told apart by what is on disk (the swap renames the data
   * directory aside, renames the staged copy in, renames the module state in, then removes the old
   * data; the module state is staged only after the data is complete):
   *   data missing, `.replaced-*` present       killed within the swap: the old data goes back
   *   `.restore-*` present                      killed before the swap: the staged copy is dropped
   *   module `.restore-*` without staged data   killed after the swap: the module state goes in
   *   data present, `.replaced-*` present       killed after the swap: the old data is removed
   * Returns the paths that are gone.
   */
  async recover(target: BackupSource): Promise<string[]> {
    const gone: string[] = [];
    const parent = path.dirname(target.dataDir);
    const base = path.basename(target.dataDir);
    const moduleDir = path.dirname(target.moduleStateFile);
    const moduleBase = path.basename(target.moduleStateFile);
    const siblings = await readdirOrEmpty(parent);
    const idsOf = (names: string[], prefix: string) => names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
    const staged = new Set(idsOf(siblings, `${base}.restore-`));
    const aside = idsOf(siblings, `${base}.replaced-`);
    const moduleStaged = idsOf(await readdirOrEmpty(moduleDir), `${moduleBase}.restore-`);

    if (!(await exists(target.dataDir)) && aside.length > 0) {
      const newest = await newestOf(aside.map((id) => `${target.dataDir}.replaced-${id}`));
      await fsp.rename(newest, target.dataDir);
      await fsyncDir(parent);
      gone.push(newest);
      // The swap did not happen: the staged module state belongs to it.
      for (const id of moduleStaged) staged.add(id);
    }
    for (const id of aside) {
      const dir = `${target.dataDir}.replaced-${id}`;
      if (await exists(dir)) {
        await fsp.rm(dir, { recursive: true, force: true });
        gone.push(dir);
      }
    }
    for (const id of staged) {
      const dir = `${target.dataDir}.restore-${id}`;
      if (await exists(dir)) {
        await fsp.rm(dir, { recursive: true, force: true });
        gone.push(dir);
      }
    }
    for (const id of moduleStaged) {
      const file = `${target.moduleStateFile}.restore-${id}`;
      if (staged.has(id)) {
        await fsp.rm(file, { force: true });
      } else {
        await fsp.rename(file, target.moduleStateFile);
      }
      gone.push(file);
    }
    if (moduleStaged.length > 0) await fsyncDir(moduleDir);
    if (gone.length > moduleStaged.length) await fsyncDir(parent);
    return gone;
  }

  /**
   * Records beside the manifest that the backup does not verify, then returns the restore's
   * failure. Should the record itself fail, the failure says so: the backup stays listed as verified.
   */
  private async markFailed(root: string, mismatch: { file: BackupFileEntry; reason: string }): Promise<BackupError> {
    const { file, reason } = mismatch;
    let unmarked: string | null = null;
    try {
      await writeVerificationFailure(root, { at: this.options.now().toISOString(), file: file.path, reason });
    } catch (err) {
      unmarked = (err as Error).message;
    }
    return new BackupError(
      'RESTORE_FAILED',
      `The backup's ${file.path} does not match its manifest (${reason}); the current data was not touched.` +
        (unmarked === null ? '' : ` The backup could not be marked as failed (${unmarked}).`),
      { file: file.path, reason, marked: unmarked === null },
    );
  }
}
