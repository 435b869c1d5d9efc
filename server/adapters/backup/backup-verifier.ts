/**
 * Reads a backup's files back and checks them: nothing missing, nothing extra, the expected size
 * and SHA-256, and every database passes PRAGMA integrity_check. What is expected is the manifest's
 * entry, or, for a file just copied from a source nothing writes to, the source's hash, taken now in
 * the same lane.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../../domain/errors/index.js';
import { errno, listFiles } from '../fs.js';
import type { Hashed } from './backup-worker.js';
import { type BackupFileEntry, MANIFEST_FILE, VERIFICATION_FAILURE_FILE } from './manifest.js';
import type { PlannedFile } from './source-scan.js';
import { type Progress, ProgressReporter } from './transfer-progress.js';
import type { WorkerPool } from './worker-pool.js';

/** Returns the entries checked; throws BACKUP_NOT_VERIFIED naming the first problem (in the order of `files`). */
export async function verifyTree(
  root: string,
  files: readonly (BackupFileEntry | PlannedFile)[],
  pool: WorkerPool,
  progressIntervalMs: number,
  onProgress?: Progress,
): Promise<BackupFileEntry[]> {
  const listed = new Set(files.map((f) => f.path));
  const databases = new Set(files.filter((f) => f.kind === 'sqlite').map((f) => f.path));
  const problems: { file: string; reason: string }[] = [];
  for (const p of await listFiles(root)) {
    if (listed.has(p) || p === MANIFEST_FILE || p === VERIFICATION_FAILURE_FILE) continue;
    // What a read-only open of a database leaves when the process is killed before cleaning up.
    const sidecar = /^(.*)-(shm|wal)$/.exec(p);
    if (sidecar && databases.has(sidecar[1]!) && (sidecar[2] === 'shm' || (await fsp.stat(path.join(root, p))).size === 0)) continue;
    problems.push({ file: p, reason: 'it is not listed in the manifest' });
  }

  const progress = new ProgressReporter('VERIFY', files, onProgress, progressIntervalMs);
  const entries = await pool.inLanes(files, progress, async (file, { worker }) => {
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
      if (size !== expected.size) problems.push({ file: file.path, reason: `it has ${size} bytes, ${expectation(file)} ${expected.size}` });
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

/** The manifest's entry of a planned file, as it was copied. */
export function entryOf(file: PlannedFile, copied: Hashed): BackupFileEntry {
  return { path: file.path, size: copied.size, sha256: copied.sha256, kind: file.kind, group: file.group, mode: file.mode };
}

/** How a verification names what it expected. */
function expectation(file: BackupFileEntry | PlannedFile): string {
  return 'abs' in file ? 'its source has' : 'the manifest says';
}

function describeSqliteOpenError(err: unknown): string {
  const code = errno(err);
  if (code === 'SQLITE_READONLY_ROLLBACK') {
    return 'the database has a hot journal (the appliance stopped in the middle of a transaction) that a read-only check cannot roll back';
  }
  return `${code ?? 'error'}: ${(err as Error).message}`;
}
