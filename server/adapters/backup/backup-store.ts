/**
 * The backups of the appliance's data (`<root>/data/` and `<root>/modules/state.json`), one
 * directory each under `dir`:
 *
 *   <dir>/<id>/manifest.json        written last, after verification: a directory without one is no backup
 *   <dir>/<id>/data/...             mirror of the data directory (SQLite `-shm` files left out)
 *   <dir>/<id>/modules/state.json   when the appliance had one
 *   <dir>/.tmp-<id>/                a backup being made; <dir>/.removing-<id>/ one being deleted
 *
 * Owns making them (offline: a plain copy by the kernel, then each copy and its source hashed;
 * online: SQLite's backup API for the databases), verifying them, putting one back (through
 * `<dataDir>.restore-<id>` and `<dataDir>.replaced-<id>`, safe to repeat after a kill at any
 * point), listing and pruning them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { fsyncDir, writeFileAtomic } from '../appliance/appliance-layout.js';
import { forEachInLanes, kernelCopy, syncFiles, type CopyFile } from './file-copy.js';
import { SqliteWorker, type Hashed } from './sqlite-worker.js';
import { BackupError } from '../../domain/errors/index.js';

export type BackupMethod = 'OFFLINE' | 'ONLINE';

export interface BackupSource {
  dataDir: string;
  moduleStateFile: string;
}

export interface BackupFileEntry {
  /** Posix, relative to the backup directory: 'data/calls.db', 'data/config/pbx.json', 'modules/state.json'. */
  path: string;
  size: number;
  sha256: string;
  kind: 'sqlite' | 'sqlite-wal' | 'file';
  group: string;
  /** Permission bits of the original, given back on restore. */
  mode?: number;
}

export interface BackupManifest {
  formatVersion: 1;
  id: string;
  createdAt: string;
  method: BackupMethod;
  reason: string;
  jobId: string | null;
  applianceVersion: string;
  dataSchemaVersion: number | null;
  totalBytes: number;
  files: BackupFileEntry[];
  groups: { name: string; bytes: number; files: number }[];
  copyMs: number;
  verifyMs: number;
  verifiedAt: string;
  /** Every directory of the copy ('data', 'data/config', …), so that empty ones come back too. */
  directories?: string[];
}

export interface BackupMeta {
  reason: string;
  jobId: string | null;
  applianceVersion: string;
  dataSchemaVersion: number | null;
}

export interface TransferProgress {
  phase: 'COPY' | 'VERIFY' | 'RESTORE';
  group: string;
  bytesDone: number;
  bytesTotal: number;
  groupBytesDone: number;
  groupBytesTotal: number;
  groupDone: boolean;
}

export interface BackupIo {
  /** Copies a source file into the backup being made (tests inject a full disk, corruption or a kill here). */
  copyFile: CopyFile;
}

export interface BackupStoreOptions {
  dir: string;
  io?: Partial<BackupIo>;
  now?: () => Date;
  newId?: () => string;
  /** At most one progress event per group this often, plus one at the end of each group. */
  progressIntervalMs?: number;
}

type Progress = (p: TransferProgress) => void;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const FILES_GROUP = 'files';
const MODULES_GROUP = 'modules';
const MODULE_STATE_PATH = 'modules/state.json';
/**
 * Files copied or hashed at once, each lane with its own worker thread: one per core. While one
 * lane waits for the kernel's copy, the other goes on.
 */
const LANES = 2;
/** Also keeps ids usable as directory names: no dot first, no separators. */
const ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  id: z.string().regex(ID_PATTERN),
  createdAt: z.string().datetime(),
  method: z.enum(['OFFLINE', 'ONLINE']),
  reason: z.string(),
  jobId: z.string().nullable(),
  applianceVersion: z.string(),
  dataSchemaVersion: z.number().int().nullable(),
  totalBytes: z.number().int().nonnegative(),
  files: z.array(
    z.object({
      path: z.string().refine(isSafeBackupPath, 'not a path inside the backup'),
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      kind: z.enum(['sqlite', 'sqlite-wal', 'file']),
      group: z.string().min(1),
      mode: z.number().int().optional(),
    }),
  ),
  groups: z.array(z.object({ name: z.string(), bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() })),
  copyMs: z.number().nonnegative(),
  verifyMs: z.number().nonnegative(),
  verifiedAt: z.string().datetime(),
  directories: z.array(z.string().refine(isSafeBackupPath, 'not a path inside the backup')).optional(),
});

/** `data/...` or the module state file, never outside the backup directory. */
function isSafeBackupPath(p: string): boolean {
  if (p === MODULE_STATE_PATH || p === 'data' || p === 'modules') return true;
  const parts = p.split('/');
  return parts[0] === 'data' && parts.length > 1 && parts.every((s) => s !== '' && s !== '.' && s !== '..');
}

/** `20261125T120501Z-3fa9c2`: sorts by time, unique enough for one appliance. */
export function newBackupId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

/** One file of the source, as the backup will hold it. */
interface PlannedFile {
  abs: string;
  path: string;
  kind: BackupFileEntry['kind'];
  group: string;
  size: number;
  mode: number;
}

interface Plan {
  files: PlannedFile[];
  directories: string[];
}

export class BackupStore {
  private readonly dir: string;
  private readonly copyFile: CopyFile;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly progressIntervalMs: number;
  /** Backups being made by this process: cleanupTemporary leaves their temporary directories alone. */
  private readonly inProgress = new Set<string>();

  constructor(options: BackupStoreOptions) {
    this.dir = options.dir;
    this.copyFile = options.io?.copyFile ?? kernelCopy;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? (() => newBackupId(this.now()));
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
  }

  /** The appliance is STOPPED: a plain fast copy (db + its -wal together; -shm skipped), then each copy checked against its source. */
  createOffline(source: BackupSource, meta: BackupMeta, onProgress?: Progress): Promise<BackupManifest> {
    return this.create('OFFLINE', source, meta, onProgress);
  }

  /** The appliance RUNS: each SQLite database through SQLite's online backup API, other files copied; -wal/-shm not copied. */
  createOnline(source: BackupSource, meta: BackupMeta, onProgress?: Progress): Promise<BackupManifest> {
    return this.create('ONLINE', source, meta, onProgress);
  }

  /** Re-reads every file of a stored backup against its manifest and runs PRAGMA integrity_check on every database. */
  async verify(id: string, onProgress?: Progress): Promise<void> {
    const manifest = await this.require(id);
    const workers = new Workers();
    try {
      await this.verifyTree(path.join(this.dir, id), manifest.files, workers, onProgress);
    } finally {
      await workers.close();
    }
  }

  /** Newest first; temporary directories and directories without a valid manifest are not backups. */
  async list(): Promise<BackupManifest[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if (errno(err) === 'ENOENT') return [];
      throw err;
    }
    const manifests = await Promise.all(names.filter((n) => ID_PATTERN.test(n)).map((n) => this.get(n)));
    return manifests
      .filter((m): m is BackupManifest => m !== null)
      .sort((a, b) => (a.createdAt === b.createdAt ? cmp(b.id, a.id) : cmp(b.createdAt, a.createdAt)));
  }

  async get(id: string): Promise<BackupManifest | null> {
    if (!ID_PATTERN.test(id)) return null;
    let raw: string;
    try {
      raw = await fsp.readFile(path.join(this.dir, id, 'manifest.json'), 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = manifestSchema.safeParse(JSON.parse(raw));
      return parsed.success && parsed.data.id === id ? (parsed.data as BackupManifest) : null;
    } catch {
      return null;
    }
  }

  /**
   * Puts the backup's data back: byte for byte, checking each file's hash as it copies. The copy
   * is made next to the data directory, then swapped in with renames; whatever an earlier, killed
   * run left is rolled back or finished first, so running it again always ends with the backup's data.
   */
  async restore(id: string, to: BackupSource, onProgress?: Progress): Promise<void> {
    const manifest = await this.require(id);
    const target = resolved(to);
    const root = path.join(this.dir, id);
    const staging = `${target.dataDir}.restore-${id}`;
    const aside = `${target.dataDir}.replaced-${id}`;
    const moduleTemp = `${target.moduleStateFile}.restore-${id}`;
    const moduleEntry = manifest.files.find((f) => f.path === MODULE_STATE_PATH);
    await this.recoverRestore(target);

    const progress = new ProgressReporter('RESTORE', groupTotals(manifest.files), onProgress, this.progressIntervalMs);
    const workers = new Workers();
    try {
      await fsp.mkdir(path.dirname(target.dataDir), { recursive: true });
      const dataDirs = [...new Set(['data', ...(manifest.directories ?? []), ...manifest.files.map((f) => path.posix.dirname(f.path))])]
        .filter((d) => d === 'data' || d.startsWith('data/'))
        .sort();
      for (const d of dataDirs) await fsp.mkdir(path.join(staging, ...d.split('/').slice(1)), { recursive: true });
      if (moduleEntry) await fsp.mkdir(path.dirname(target.moduleStateFile), { recursive: true });
      // Each copy is hashed once written, so what gets swapped in is checked, not only the backup.
      await inLanes(manifest.files, progress, workers, async (file, lane) => {
        const dest = file === moduleEntry ? moduleTemp : path.join(staging, ...file.path.split('/').slice(1));
        const src = path.join(root, ...file.path.split('/'));
        try {
          await kernelCopy(src, dest);
        } catch (err) {
          if (errno(err) === 'ENOENT' && !(await exists(src))) throw mismatch(file, 'it is missing from the backup');
          throw err;
        }
        await fsp.chmod(dest, (file.mode ?? 0o644) & 0o7777);
        lane.wrote(dest, file.size);
        const copied = await lane.worker.hash(dest, (n) => progress.add(file.group, n));
        if (copied.size !== file.size || copied.sha256 !== file.sha256) {
          throw mismatch(
            file,
            `${copied.size} bytes with SHA-256 ${copied.sha256.slice(0, 12)}…, the manifest says ${file.size} bytes, ${file.sha256.slice(0, 12)}…`,
          );
        }
      });
      for (const d of [...dataDirs].reverse()) await fsyncDir(path.join(staging, ...d.split('/').slice(1)));
      if (moduleEntry) await fsyncDir(path.dirname(moduleTemp));
    } catch (err) {
      await fsp.rm(staging, { recursive: true, force: true });
      await fsp.rm(moduleTemp, { force: true });
      if (err instanceof BackupError) throw err;
      const full = isDiskFull(err);
      throw new BackupError(
        'RESTORE_FAILED',
        full
          ? `The disk filled up while restoring backup ${id} next to ${target.dataDir}; the current data was not touched.`
          : `Restoring backup ${id} failed before the data was swapped (${(err as Error).message}); the current data was not touched.`,
        { id, cause: errno(err) ?? (err as Error).message },
      );
    } finally {
      await workers.close();
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

  /** Keeps the newest `keep` backups and every id in `protect`; returns the removed ids. */
  async prune(keep: number, protect: readonly string[] = []): Promise<string[]> {
    const backups = await this.list();
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
      if (!m || this.inProgress.has(m[1]!)) continue;
      await fsp.rm(path.join(this.dir, name), { recursive: true, force: true });
      gone.push(path.join(this.dir, name));
    }
    if (target) gone.push(...(await this.recoverRestore(resolved(target))));
    return gone;
  }

  /** Bytes and files an offline backup of `source` would copy (for disk preflight and downtime estimates). */
  async measure(source: BackupSource): Promise<{ bytes: number; files: number }> {
    const plan = await scanSource(resolved(source), 'OFFLINE');
    return { bytes: plan.files.reduce((s, f) => s + f.size, 0), files: plan.files.length };
  }

  private async create(method: BackupMethod, source: BackupSource, meta: BackupMeta, onProgress?: Progress): Promise<BackupManifest> {
    const id = this.newId();
    if (!ID_PATTERN.test(id)) throw new BackupError('BACKUP_FAILED', `The backup id ${JSON.stringify(id)} cannot name a directory.`);
    const temp = path.join(this.dir, `.tmp-${id}`);
    const final = path.join(this.dir, id);
    let plan: Plan | null = null;
    let renamed = false;
    const written = { bytes: 0 };
    // Started now, so that their start-up overlaps the listing and the copy.
    const workers = new Workers();
    this.inProgress.add(id);
    try {
      const createdAt = this.now().toISOString();
      const copyStarted = performance.now();
      plan = await scanSource(resolved(source), method);
      await fsp.mkdir(this.dir, { recursive: true });
      await fsp.mkdir(temp);
      for (const d of plan.directories) await fsp.mkdir(path.join(temp, ...d.split('/')), { recursive: true });
      const copied =
        method === 'OFFLINE'
          ? await this.copyOffline(plan, temp, workers, written, onProgress)
          : await this.copyOnline(plan, temp, workers, written, onProgress);
      const copyMs = Math.round(performance.now() - copyStarted);

      const verifyStarted = performance.now();
      const files = await this.verifyTree(temp, copied, workers, onProgress);
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
        verifiedAt: this.now().toISOString(),
        directories: plan.directories,
      };
      // Only now, after verification, does the directory get its manifest: no backup on disk ever
      // claims a verification that did not happen.
      await writeFileAtomic(path.join(temp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
      for (const d of [...plan.directories].reverse()) await fsyncDir(path.join(temp, ...d.split('/')));
      await fsyncDir(temp);
      await fsp.rename(temp, final);
      renamed = true;
      await fsyncDir(this.dir);
      return manifest;
    } catch (err) {
      await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined);
      if (renamed) await fsp.rm(final, { recursive: true, force: true }).catch(() => undefined);
      throw this.creationError(err, method, plan, written.bytes);
    } finally {
      await workers.close();
      this.inProgress.delete(id);
    }
  }

  private creationError(err: unknown, method: BackupMethod, plan: Plan | null, written: number): BackupError {
    if (isDiskFull(err)) {
      const needed = plan ? plan.files.reduce((s, f) => s + f.size, 0) : null;
      return new BackupError(
        'BACKUP_DISK_FULL',
        `The disk holding ${this.dir} filled up after ${written} bytes of a backup that needs about ${needed ?? 'an unknown number of'} bytes. ` +
          `The partial backup was removed; the appliance's data was not touched.`,
        { dir: this.dir, neededBytes: needed, writtenBytes: written, cause: errno(err) },
      );
    }
    if (err instanceof BackupError) return err;
    return new BackupError(
      'BACKUP_FAILED',
      `The ${method.toLowerCase()} backup failed: ${(err as Error).message}. The appliance's data was not touched.`,
      {
        cause: errno(err) ?? (err as Error).message,
      },
    );
  }

  /**
   * Nothing writes the source any more: the kernel copies each file, and verifyTree then hashes
   * each copy and its source, which must agree. Returns the plan's files, to be verified.
   */
  private async copyOffline(
    plan: Plan,
    temp: string,
    workers: Workers,
    written: { bytes: number },
    onProgress?: Progress,
  ): Promise<PlannedFile[]> {
    const progress = new ProgressReporter('COPY', groupTotals(plan.files), onProgress, this.progressIntervalMs);
    await inLanes(plan.files, progress, workers, async (file, lane) => {
      const dest = path.join(temp, ...file.path.split('/'));
      await this.copyFile(file.abs, dest);
      written.bytes += file.size;
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
  private async copyOnline(
    plan: Plan,
    temp: string,
    workers: Workers,
    written: { bytes: number },
    onProgress?: Progress,
  ): Promise<BackupFileEntry[]> {
    const progress = new ProgressReporter('COPY', groupTotals(plan.files), onProgress, this.progressIntervalMs);
    const entries = await inLanes(plan.files, progress, workers, async (file, lane) => {
      const dest = path.join(temp, ...file.path.split('/'));
      const onBytes = (n: number) => progress.add(file.group, n);
      if (file.kind === 'sqlite') {
        const copied = await lane.worker.backup(file.abs, dest, file.mode, onBytes);
        written.bytes += copied.size;
        return entryOf(file, copied);
      }
      try {
        await this.copyFile(file.abs, dest);
      } catch (err) {
        // A file can go between the listing and the copy (the appliance's own temporary files,
        // for one). What is gone is not part of the snapshot.
        if (errno(err) === 'ENOENT' && !(await exists(file.abs))) return null;
        throw err;
      }
      const copied = await lane.worker.hash(dest, onBytes);
      written.bytes += copied.size;
      lane.wrote(dest, copied.size);
      return entryOf(file, copied);
    });
    return entries.filter((e): e is BackupFileEntry => e !== null);
  }

  /**
   * Reads every file back and checks it: nothing missing, nothing extra, the expected size and
   * SHA-256, and every database passes PRAGMA integrity_check. What is expected is the manifest's
   * entry, or, for a file just copied from a source nothing writes to, the source's hash, taken now
   * in the same lane. Returns the entries checked.
   */
  private async verifyTree(
    root: string,
    files: readonly (BackupFileEntry | PlannedFile)[],
    workers: Workers,
    onProgress?: Progress,
  ): Promise<BackupFileEntry[]> {
    const listed = new Set(files.map((f) => f.path));
    const databases = new Set(files.filter((f) => f.kind === 'sqlite').map((f) => f.path));
    const problems: { file: string; reason: string }[] = [];
    for (const p of await listFiles(root)) {
      if (listed.has(p) || p === 'manifest.json') continue;
      // What a read-only open of a database leaves when the process is killed before cleaning up.
      const sidecar = /^(.*)-(shm|wal)$/.exec(p);
      if (sidecar && databases.has(sidecar[1]!) && (sidecar[2] === 'shm' || (await fsp.stat(path.join(root, p))).size === 0)) continue;
      problems.push({ file: p, reason: 'it is not listed in the manifest' });
    }

    const progress = new ProgressReporter('VERIFY', groupTotals(files), onProgress, this.progressIntervalMs);
    const entries = await inLanes(files, progress, workers, async (file, { worker }) => {
      const abs = path.join(root, ...file.path.split('/'));
      let expected: BackupFileEntry;
      try {
        expected = 'abs' in file ? entryOf(file, await worker.hash(file.abs)) : file;
      } catch (err) {
        problems.push({ file: file.path, reason: `its source cannot be read: ${(err as Error).message}` });
        return null;
      }
      try {
        const { size, sha256 } = await worker.hash(abs, (n) => progress.add(file.group, n));
        if (size !== expected.size)
          problems.push({ file: file.path, reason: `it has ${size} bytes, ${expectation(file)} ${expected.size}` });
        else if (sha256 !== expected.sha256)
          problems.push({ file: file.path, reason: `its SHA-256 is ${sha256}, ${expectation(file)} ${expected.sha256}` });
      } catch (err) {
        problems.push({
          file: file.path,
          reason: errno(err) === 'ENOENT' ? 'it is missing' : `it cannot be read: ${(err as Error).message}`,
        });
        return expected;
      }
      if (file.kind === 'sqlite') {
        try {
          const result = await worker.integrityCheck(abs);
          if (!result.ok) problems.push({ file: file.path, reason: `PRAGMA integrity_check: ${result.problems.join('; ')}` });
        } catch (err) {
          problems.push({ file: file.path, reason: `PRAGMA integrity_check could not run: ${describeSqliteOpenError(err)}` });
        }
      }
      return expected;
    });
    if (problems.length > 0) {
      const order = new Map(files.map((f, i) => [f.path, i]));
      problems.sort((a, b) => (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1));
      const first = problems[0]!;
      throw new BackupError('BACKUP_NOT_VERIFIED', `The backup does not verify: ${first.file}: ${first.reason}.`, {
        file: first.file,
        reason: first.reason,
        problems,
      });
    }
    return entries.filter((e): e is BackupFileEntry => e !== null);
  }

  private async require(id: string): Promise<BackupManifest> {
    const manifest = await this.get(id);
    if (!manifest) throw new BackupError('BACKUP_NOT_FOUND', `There is no backup ${id} (or its manifest is unreadable).`, { id });
    return manifest;
  }

  /**
   * Leftovers of a killed restore, told apart by what is on disk (the swap renames the data
   * directory aside, renames the staged copy in, renames the module state in, then removes the old
   * data; the module state is staged only after the data is complete):
   *   data missing, `.replaced-*` present       killed within the swap: the old data goes back
   *   `.restore-*` present                      killed before the swap: the staged copy is dropped
   *   module `.restore-*` without staged data   killed after the swap: the module state goes in
   *   data present, `.replaced-*` present       killed after the swap: the old data is removed
   */
  private async recoverRestore(target: BackupSource): Promise<string[]> {
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
}

/**
 * What a backup of `source` holds: every regular file of the data directory, SQLite databases told
 * by their header; a database's `-wal` (and a hot `-journal`) in its group when offline, left out
 * when online (the backup API reads through them); `-shm` never (SQLite rebuilds it).
 */
async function scanSource(source: BackupSource, method: BackupMethod): Promise<Plan> {
  const found: { abs: string; rel: string; size: number; mode: number; sqlite: boolean }[] = [];
  const directories = ['data'];
  // Synchronous calls, one directory at a time with a turn of the event loop in between: a stat
  // and a 16-byte read take microseconds each, a trip through the thread pool far more (see
  // SMALL_FILE_BYTES), and a data directory has hundreds of small files.
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (rel === '' && errno(err) === 'ENOENT') {
        throw new BackupError('BACKUP_FAILED', `There is no data directory at ${dir}.`, { dataDir: dir });
      }
      throw err;
    }
    const subdirs: [string, string][] = [];
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        directories.push(`data/${r}`);
        subdirs.push([abs, r]);
      } else if (e.isFile()) {
        try {
          const st = fs.statSync(abs);
          found.push({
            abs,
            rel: r,
            size: st.size,
            mode: st.mode & 0o7777,
            sqlite: st.size >= SQLITE_HEADER.length && hasSqliteHeader(abs),
          });
        } catch (err) {
          // The appliance runs: its own temporary files come and go. What is gone is not in the snapshot.
          if (method === 'ONLINE' && errno(err) === 'ENOENT') continue;
          throw err;
        }
      } else if (e.isSymbolicLink()) {
        throw new BackupError('BACKUP_FAILED', `${abs} is a symbolic link; backups hold regular files only.`, { file: abs });
      }
      // Sockets, FIFOs and devices hold no data.
    }
    await new Promise((resolve) => setImmediate(resolve));
    for (const [abs, r] of subdirs) await walk(abs, r);
  };
  await walk(source.dataDir, '');

  const isDb = new Map(found.map((f) => [f.rel, f.sqlite]));
  const files: PlannedFile[] = [];
  for (const f of found) {
    const side = /^(.*)-(wal|shm|journal)$/.exec(f.rel);
    const owner = side && isDb.get(side[1]!) ? side[1]! : null;
    let kind: BackupFileEntry['kind'] = 'file';
    let group = FILES_GROUP;
    if (isDb.get(f.rel)) {
      kind = 'sqlite';
      group = f.rel;
    } else if (owner) {
      if (side![2] === 'shm' || method === 'ONLINE') continue;
      kind = side![2] === 'wal' ? 'sqlite-wal' : 'file';
      group = owner;
    }
    files.push({ abs: f.abs, path: `data/${f.rel}`, kind, group, size: f.size, mode: f.mode });
  }
  // Databases first (each followed by its sidecars), then the other files, each part by path.
  const rank = (f: PlannedFile) => (f.group === FILES_GROUP ? 1 : 0);
  files.sort((a, b) => rank(a) - rank(b) || cmp(a.group, b.group) || cmp(a.path, b.path));

  try {
    const st = await fsp.stat(source.moduleStateFile);
    if (st.isFile()) {
      files.push({
        abs: source.moduleStateFile,
        path: MODULE_STATE_PATH,
        kind: 'file',
        group: MODULES_GROUP,
        size: st.size,
        mode: st.mode & 0o7777,
      });
      directories.push('modules');
    }
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  return { files, directories: directories.sort() };
}

function hasSqliteHeader(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

/** The worker threads of one backup operation, one per lane. */
class Workers {
  private readonly threads = Array.from({ length: LANES }, () => new SqliteWorker());

  of(lane: number): SqliteWorker {
    return this.threads[lane]!;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}

/** What a task of `inLanes` gets. */
interface Lane {
  worker: SqliteWorker;
  /**
   * Names a file the task wrote, to be fsynced with the others once every file is copied: the
   * kernel copies 1 GB in 0.3 s, then the fsyncs run four at a time (see syncFiles). Starting a
   * large file's fsync right after its copy measured no faster. After a failure nothing is
   * fsynced: the caller removes what was written.
   */
  wrote(file: string, size: number): void;
}

/**
 * Runs `one` over `files`, LANES at a time, and reports each group's end; returns once every file
 * `one` wrote is durable, with what `one` returned, in the order of `files`.
 */
async function inLanes<F extends { group: string }, R>(
  files: readonly F[],
  progress: ProgressReporter,
  workers: Workers,
  one: (file: F, lane: Lane) => Promise<R>,
): Promise<R[]> {
  const results = new Map<F, R>();
  const written: { path: string; size: number }[] = [];
  const lanes: Lane[] = Array.from({ length: LANES }, (_, i) => ({
    worker: workers.of(i),
    wrote: (file, size) => void written.push({ path: file, size }),
  }));
  const remaining = countByGroup(files);
  await forEachInLanes(files, LANES, async (file, i) => {
    results.set(file, await one(file, lanes[i]!));
    if (decrement(remaining, file.group) === 0) progress.finishGroup(file.group);
  });
  await syncFiles(written);
  return files.map((f) => results.get(f)!);
}

/** Throttled progress: at most one event per interval, and always one when a group ends. */
class ProgressReporter {
  private bytesDone = 0;
  private readonly groupDone = new Map<string, number>();
  private last = 0;

  constructor(
    private readonly phase: TransferProgress['phase'],
    private readonly totals: Map<string, number>,
    private readonly onProgress: Progress | undefined,
    private readonly intervalMs: number,
  ) {}

  add(group: string, n: number): void {
    this.bytesDone += n;
    this.groupDone.set(group, (this.groupDone.get(group) ?? 0) + n);
    const now = performance.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.emit(group, false);
    }
  }

  /** A group's total becomes what was really transferred (files can differ from their listing). */
  finishGroup(group: string): void {
    this.totals.set(group, this.groupDone.get(group) ?? 0);
    this.last = performance.now();
    this.emit(group, true);
  }

  private emit(group: string, groupDone: boolean): void {
    if (!this.onProgress) return;
    let bytesTotal = 0;
    for (const t of this.totals.values()) bytesTotal += t;
    this.onProgress({
      phase: this.phase,
      group,
      bytesDone: this.bytesDone,
      bytesTotal: Math.max(bytesTotal, this.bytesDone),
      groupBytesDone: this.groupDone.get(group) ?? 0,
      groupBytesTotal: Math.max(this.totals.get(group) ?? 0, this.groupDone.get(group) ?? 0),
      groupDone,
    });
  }
}

/** Absolute, without a trailing slash: the restore's siblings are named after the data directory. */
function resolved(source: BackupSource): BackupSource {
  return { dataDir: path.resolve(source.dataDir), moduleStateFile: path.resolve(source.moduleStateFile) };
}

function groupTotals(files: readonly { group: string; size: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const f of files) totals.set(f.group, (totals.get(f.group) ?? 0) + f.size);
  return totals;
}

function countByGroup(files: readonly { group: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.group, (counts.get(f.group) ?? 0) + 1);
  return counts;
}

function decrement(counts: Map<string, number>, group: string): number {
  const left = (counts.get(group) ?? 1) - 1;
  counts.set(group, left);
  return left;
}

function summarizeGroups(files: readonly BackupFileEntry[]): BackupManifest['groups'] {
  const groups = new Map<string, { name: string; bytes: number; files: number }>();
  for (const f of files) {
    const g = groups.get(f.group) ?? { name: f.group, bytes: 0, files: 0 };
    g.bytes += f.size;
    g.files += 1;
    groups.set(f.group, g);
  }
  return [...groups.values()];
}

function entryOf(file: PlannedFile, copied: Hashed): BackupFileEntry {
  return { path: file.path, size: copied.size, sha256: copied.sha256, kind: file.kind, group: file.group, mode: file.mode };
}

/** How a verification names what it expected. */
function expectation(file: BackupFileEntry | PlannedFile): string {
  return 'abs' in file ? 'its source has' : 'the manifest says';
}

function mismatch(file: BackupFileEntry, why: string): BackupError {
  return new BackupError(
    'RESTORE_FAILED',
    `The backup's ${file.path} does not match its manifest (${why}); the current data was not touched.`,
    {
      file: file.path,
      reason: why,
    },
  );
}

function describeSqliteOpenError(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'SQLITE_READONLY_ROLLBACK') {
    return 'the database has a hot journal (the appliance stopped in the middle of a transaction) that a read-only check cannot roll back';
  }
  return `${code ?? 'error'}: ${(err as Error).message}`;
}

/** Files under `root`, posix paths relative to it. */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else out.push(r);
    }
  };
  await walk(root, '');
  return out;
}

async function newestOf(dirs: string[]): Promise<string> {
  const stats = await Promise.all(dirs.map(async (d) => ({ d, t: (await fsp.stat(d)).mtimeMs })));
  return stats.sort((a, b) => b.t - a.t)[0]!.d;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (err) {
    if (errno(err) === 'ENOENT') return [];
    throw err;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

function isDiskFull(err: unknown): boolean {
  const code = errno(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
