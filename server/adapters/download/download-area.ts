/**
 * The downloads directory: each job's bundles (and, while they arrive, their partial files) in
 * `<dir>/<jobId>/`, fetched there with the resumable downloader.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { type DownloadOptions, type DownloadResult, type DownloadTarget, download, statfsFree } from './resumable-downloader.js';

export class DownloadArea {
  constructor(
    readonly dir: string,
    private readonly freeSpace: (dir: string) => Promise<number> = statfsFree,
  ) {}

  jobDir(jobId: string): string {
    return path.join(this.dir, jobId);
  }

  /** Where a bundle of a job is kept, by the base name of its signed target. */
  bundlePath(jobId: string, targetName: string): string {
    return path.join(this.jobDir(jobId), path.basename(targetName));
  }

  /** Free bytes on the disk the downloads go to (the directory is created first). */
  async freeBytes(): Promise<number> {
    await fsp.mkdir(this.dir, { recursive: true });
    return this.freeSpace(this.dir);
  }

  /** Fetches (or resumes) one bundle of a job and verifies it against its signed length and hash. */
  fetch(jobId: string, targetName: string, target: DownloadTarget, options: DownloadOptions): Promise<DownloadResult> {
    return download(target, this.bundlePath(jobId, targetName), options);
  }

  /** Removes the job's bundles, also partial ones and their metadata. */
  async remove(jobId: string): Promise<void> {
    await fsp.rm(this.jobDir(jobId), { recursive: true, force: true });
  }
}
