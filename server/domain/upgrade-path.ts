/**
 * Which releases are newer than the installed version, and how to get there: a release whose
 * `upgradableFrom` excludes the installed version needs required stops (intermediate releases,
 * as in GitLab's upgrade paths). Pure rules; blockers carry a stable code and what would lift them.
 */
import semver from 'semver';
import type { Release } from './catalog.js';

export interface Blocker {
  code: string;
  message: string;
}

export interface AssessedRelease {
  release: Release;
  /** Versions to install first, oldest first; empty when the release installs directly. */
  requiredStops: string[];
  blockers: Blocker[];
}

/**
 * The shortest chain from `installed` to `target`: at each step, the newest release that the
 * current version may upgrade to and from which the rest can continue. Null when none exists.
 */
export function requiredStops(installed: string, target: Release, releases: Release[]): string[] | null {
  const canUpgrade = (from: string, to: Release) => semver.satisfies(from, to.upgradableFrom, { includePrerelease: true });
  if (canUpgrade(installed, target)) return [];
  const candidates = releases
    .filter((r) => semver.gt(r.version, installed) && semver.lt(r.version, target.version))
    .sort((a, b) => semver.rcompare(a.version, b.version));
  // Breadth-first over versions, trying newer stops first: the first path found is the shortest.
  const queue: { version: string; path: string[] }[] = [{ version: installed, path: [] }];
  const visited = new Set<string>([installed]);
  while (queue.length) {
    const { version, path } = queue.shift()!;
    for (const stop of candidates) {
      if (visited.has(stop.version) || !semver.gt(stop.version, version) || !canUpgrade(version, stop)) continue;
      const next = [...path, stop.version];
      if (canUpgrade(stop.version, target)) return next;
      visited.add(stop.version);
      queue.push({ version: stop.version, path: next });
    }
  }
  return null;
}

/** The releases newer than `installed`, newest first, each with its path and path blockers. */
export function newerReleases(installed: string, releases: Release[]): AssessedRelease[] {
  return releases
    .filter((r) => semver.gt(r.version, installed))
    .sort((a, b) => semver.rcompare(a.version, b.version))
    .map((release) => assessRelease(installed, release, releases));
}

export function assessRelease(installed: string, release: Release, releases: Release[]): AssessedRelease {
  if (semver.eq(release.version, installed)) {
    return { release, requiredStops: [], blockers: [{ code: 'ALREADY_INSTALLED', message: `Version ${installed} is already installed.` }] };
  }
  if (semver.lt(release.version, installed)) {
    return {
      release,
      requiredStops: [],
      blockers: [
        { code: 'DOWNGRADE', message: `Version ${release.version} is older than the installed ${installed}; restore a backup to go back.` },
      ],
    };
  }
  const stops = requiredStops(installed, release, releases);
  if (stops === null) {
    return {
      release,
      requiredStops: [],
      blockers: [
        {
          code: 'UPGRADE_PATH',
          message: `Version ${release.version} can only be installed from ${release.upgradableFrom}, and no published version leads there from ${installed}.`,
        },
      ],
    };
  }
  if (stops.length > 0) {
    return {
      release,
      requiredStops: stops,
      blockers: [
        {
          code: 'UPGRADE_PATH',
          message: `Version ${release.version} can only be installed from ${release.upgradableFrom}: install ${stops.join(', then ')} first.`,
        },
      ],
    };
  }
  return { release, requiredStops: [], blockers: [] };
}
