/**
 * The lanes of one backup operation: files copied or hashed LANES at a time, each lane with its
 * own worker thread (one per core). While one lane waits for the kernel's copy, the other goes on.
 */
import type { BackupWorker, NewBackupWorker } from './backup-worker.js';
import { forEachInLanes, syncFiles } from './file-copy.js';
import type { ProgressReporter } from './transfer-progress.js';

const LANES = 2;

/** What a task of `inLanes` gets. */
export interface Lane {
  worker: BackupWorker;
  /**
   * Names a file the task wrote, to be fsynced with the others once every file is copied: the
   * kernel copies 1 GB in 0.3 s, then the fsyncs run four at a time (see syncFiles). Starting a
   * large file's fsync right after its copy measured no faster. After a failure nothing is
   * fsynced: the caller removes what was written.
   */
  wrote(file: string, size: number): void;
}

/** The worker threads of one backup operation, one per lane; started at once, so that their start-up overlaps other work. */
export class WorkerPool {
  private readonly workers: BackupWorker[];

  constructor(newWorker: NewBackupWorker) {
    this.workers = Array.from({ length: LANES }, () => newWorker());
  }

  /**
   * Runs `one` over `files`, LANES at a time, and reports each group's end; returns once every file
   * `one` wrote is durable, with what `one` returned, in the order of `files`.
   */
  async inLanes<F extends { group: string }, R>(
    files: readonly F[],
    progress: ProgressReporter,
    one: (file: F, lane: Lane) => Promise<R>,
  ): Promise<R[]> {
    const results = new Map<F, R>();
    const written: { path: string; size: number }[] = [];
    const lanes: Lane[] = this.workers.map((worker) => ({ worker, wrote: (file, size) => void written.push({ path: file, size }) }));
    const remaining = new Map<string, number>();
    for (const f of files) remaining.set(f.group, (remaining.get(f.group) ?? 0) + 1);
    await forEachInLanes(files, LANES, async (file, i) => {
      results.set(file, await one(file, lanes[i]!));
      const left = remaining.get(file.group)! - 1;
      remaining.set(file.group, left);
      if (left === 0) progress.finishGroup(file.group);
    });
    await syncFiles(written);
    return files.map((f) => results.get(f)!);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
