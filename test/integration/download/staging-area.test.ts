/**
 * The staging area on a real directory: a missing manifest means "not staged"; one that cannot be
 * read or is not valid JSON is reported as what it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StagingArea } from '../../../server/adapters/download/staging-area.js';
import { StagingError } from '../../../server/domain/errors/index.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

describe('StagingArea', () => {
  let dir: string;
  let sut: StagingArea;

  beforeEach(() => {
    dir = tmpDir('staging');
    sut = new StagingArea(dir);
    fs.mkdirSync(sut.releaseDir('job-1'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const manifestFile = () => path.join(sut.releaseDir('job-1'), 'manifest.json');

  describe('manifest', () => {
    it('reads the manifest of a staged bundle', async () => {
      fs.writeFileSync(manifestFile(), JSON.stringify({ version: '8.2.0' }));
      expect(await sut.manifest(sut.releaseDir('job-1'))).toEqual({ version: '8.2.0' });
    });

    it('says "not staged" (null) when there is no manifest', async () => {
      expect(await sut.manifest(sut.releaseDir('job-1'))).toBeNull();
      expect(await sut.manifest(sut.moduleDir('job-2', 'fax'))).toBeNull();
    });

    it('reports a manifest that is not JSON as STAGING_CORRUPT, naming the file', async () => {
      fs.writeFileSync(manifestFile(), '{"version": "8.2');
      const err = await sut.manifest(sut.releaseDir('job-1')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StagingError);
      expect(err).toMatchObject({ code: 'STAGING_CORRUPT', path: manifestFile() });
    });

    it('reports a manifest that is JSON but not an object as STAGING_CORRUPT', async () => {
      fs.writeFileSync(manifestFile(), '"8.2.0"');
      await expect(sut.manifest(sut.releaseDir('job-1'))).rejects.toMatchObject({ code: 'STAGING_CORRUPT' });
    });

    it('reports a manifest that cannot be read as STAGING_UNREADABLE, naming the file', async () => {
      // A directory in its place: reading fails with EISDIR (root ignores file permissions, so no chmod here).
      fs.mkdirSync(manifestFile());
      const err = await sut.manifest(sut.releaseDir('job-1')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StagingError);
      expect(err).toMatchObject({ code: 'STAGING_UNREADABLE', path: manifestFile(), message: expect.stringMatching(/EISDIR/) });
    });
  });

  describe('clear', () => {
    it('removes what was staged for a job, and nothing of other jobs', async () => {
      fs.mkdirSync(sut.releaseDir('job-2'), { recursive: true });
      await sut.clear('job-1');
      expect(fs.readdirSync(dir)).toEqual(['job-2']);
    });
  });
});
