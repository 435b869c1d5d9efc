/**
 * The staging area: where a job's verified bundles are unpacked (`<dir>/<jobId>/release`,
 * `<dir>/<jobId>/module-<id>`) before the installation moves them into the appliance's layout.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { StagingError } from '../../domain/errors/index.js';
import { extractBundle } from './safe-extract.js';

export class StagingArea {
  constructor(readonly dir: string) {}

  jobDir(jobId: string): string {
    return path.join(this.dir, jobId);
  }

  releaseDir(jobId: string): string {
    return path.join(this.jobDir(jobId), 'release');
  }

  moduleDir(jobId: string, moduleId: string): string {
    return path.join(this.jobDir(jobId), `module-${moduleId}`);
  }

  /** Unpacks a verified bundle into a fresh private directory of the job; `place` names it. */
  unpack(jobId: string, archive: string): Promise<{ dir: string; manifest: Record<string, unknown> }> {
    return extractBundle(archive, this.jobDir(jobId));
  }

  /** Gives an unpacked bundle its name in the job's directory: `release` or `module-<id>`. */
  async place(jobId: string, unpackedDir: string, bundle: { kind: 'release' } | { kind: 'module'; moduleId: string }): Promise<void> {
    await fsp.rename(unpackedDir, bundle.kind === 'release' ? this.releaseDir(jobId) : this.moduleDir(jobId, bundle.moduleId));
  }

  /** Removes everything staged for a job. */
  async clear(jobId: string): Promise<void> {
    await fsp.rm(this.jobDir(jobId), { recursive: true, force: true });
  }

  /**
   * The manifest of an unpacked bundle, or null when it is not there. A manifest that cannot be
   * read, or is not a JSON object, is a `StagingError`: staged files that are damaged are not
   * "not staged", and the admin must learn which.
   */
  async manifest(bundleDir: string): Promise<Record<string, unknown> | null> {
    const file = path.join(bundleDir, 'manifest.json');
    let raw: string;
    try {
      raw = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StagingError('STAGING_UNREADABLE', `The staged manifest ${file} cannot be read: ${(err as Error).message}`, file);
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(raw);
    } catch (err) {
      throw new StagingError('STAGING_CORRUPT', `The staged manifest ${file} is not valid JSON: ${(err as Error).message}`, file);
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
      throw new StagingError('STAGING_CORRUPT', `The staged manifest ${file} is not a JSON object.`, file);
    }
    return manifest as Record<string, unknown>;
  }
}
