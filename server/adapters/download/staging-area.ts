/**
 * The staging area: where a job's verified bundles are unpacked (`<dir>/<jobId>/release`,
 * `<dir>/<jobId>/module-<id>`) before the installation moves them into the appliance's layout.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

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

  /** The manifest of an unpacked bundle, or null when it is not there (or not JSON). */
  async manifest(bundleDir: string): Promise<Record<string, unknown> | null> {
    try {
      return JSON.parse(await fsp.readFile(path.join(bundleDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  }
}
