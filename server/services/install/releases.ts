/** The releases on the appliance, as the engine reads them: present or not, newest first. */
import semver from 'semver';
import type { LayoutPort } from './engine-deps.js';

/**
 * Whether release `version` is on the appliance and says it is that version. An unreadable or
 * invalid manifest of a present release is an error, not an absent release.
 */
export async function releasePresent(
  layout: Pick<LayoutPort, 'listReleases' | 'readManifest' | 'releaseDir'>,
  version: string,
): Promise<boolean> {
  if (!(await layout.listReleases()).includes(version)) return false;
  return (await layout.readManifest(layout.releaseDir(version))).version === version;
}

/** Newest first; directories that are not versions go last (and are pruned first). */
export function compareVersionsDesc(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.rcompare(va, vb);
  return va ? -1 : vb ? 1 : b.localeCompare(a);
}
