import { describe, expect, it } from 'vitest';
import type { Release } from '../../server/domain/catalog.js';
import { assessRelease, newerReleases, requiredStops } from '../../server/domain/upgrade-path.js';

const release = (version: string, upgradableFrom: string): Release => ({
  version,
  releasedAt: '2026-01-01T00:00:00Z',
  notes: { en: `# ${version}` },
  bundle: { target: `pbx-${version}.tar.gz`, size: 1 },
  upgradableFrom,
  requiresLicenceMajor: Number(version.split('.')[0]),
  modules: [],
});

const catalog = [
  release('8.1.3', '>=8.0.0 <8.1.3'),
  release('8.2.0', '>=8.0.0 <8.2.0'),
  release('9.0.0', '>=8.2.0 <9.0.0'),
  release('9.1.0', '>=9.0.0 <9.1.0'),
];

describe('requiredStops', () => {
  it.each([
    ['8.1.0', '8.1.3', []],
    ['8.1.0', '8.2.0', []],
    ['8.1.0', '9.0.0', ['8.2.0']],
    ['8.1.0', '9.1.0', ['8.2.0', '9.0.0']],
    ['8.2.0', '9.0.0', []],
    ['8.1.3', '9.1.0', ['8.2.0', '9.0.0']],
  ])('from %s to %s needs %j', (installed, target, stops) => {
    expect(
      requiredStops(
        installed,
        catalog.find((r) => r.version === target)!,
        catalog,
      ),
    ).toEqual(stops);
  });

  it('picks the shortest chain when several exist', () => {
    const releases = [release('8.1.0', '*'), release('8.5.0', '>=8.0.0'), release('8.9.0', '>=8.5.0'), release('9.0.0', '>=8.5.0')];
    expect(requiredStops('8.0.0', releases[3]!, releases)).toEqual(['8.5.0']);
  });

  it('returns null when no published version leads to the target', () => {
    expect(requiredStops('7.0.0', release('9.0.0', '>=8.9.0'), [release('8.0.0', '>=7.5.0')])).toBeNull();
  });

  it('counts a pre-release inside the range', () => {
    expect(requiredStops('9.0.0-rc.1', release('9.0.0', '>=9.0.0-rc.0'), [])).toEqual([]);
  });
});

describe('newerReleases', () => {
  it('lists the versions newer than the installed one, newest first', () => {
    expect(newerReleases('8.1.0', catalog).map((a) => a.release.version)).toEqual(['9.1.0', '9.0.0', '8.2.0', '8.1.3']);
  });

  it('leaves out the installed version and older ones', () => {
    expect(newerReleases('9.0.0', catalog).map((a) => a.release.version)).toEqual(['9.1.0']);
  });

  it('blocks a version that needs required stops with UPGRADE_PATH saying what to install first', () => {
    const assessed = newerReleases('8.1.0', catalog).find((a) => a.release.version === '9.0.0')!;
    expect(assessed.requiredStops).toEqual(['8.2.0']);
    expect(assessed.blockers).toEqual([{ code: 'UPGRADE_PATH', message: expect.stringContaining('install 8.2.0 first') }]);
  });

  it('does not block a direct upgrade', () => {
    expect(newerReleases('8.1.0', catalog).find((a) => a.release.version === '8.2.0')!.blockers).toEqual([]);
  });
});

describe('assessRelease', () => {
  it('says ALREADY_INSTALLED for the installed version', () => {
    expect(assessRelease('8.2.0', catalog[1]!, catalog).blockers.map((b) => b.code)).toEqual(['ALREADY_INSTALLED']);
  });

  it('says DOWNGRADE for an older version', () => {
    expect(assessRelease('8.2.0', catalog[0]!, catalog).blockers.map((b) => b.code)).toEqual(['DOWNGRADE']);
  });

  it('says UPGRADE_PATH without stops when no chain exists', () => {
    const assessed = assessRelease('7.0.0', catalog[3]!, catalog);
    expect(assessed).toMatchObject({ requiredStops: [], blockers: [{ code: 'UPGRADE_PATH' }] });
  });
});
