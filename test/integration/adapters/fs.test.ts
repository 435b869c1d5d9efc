/** The shared file-system helpers on real files: only ENOENT reads as "absent". */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exists, ifMissing, readdirOrEmpty, writeFileAtomic } from '../../../server/adapters/fs.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

describe('fs helpers', () => {
  let root: string;
  beforeEach(() => {
    root = tmpDir('fs-helpers');
    fs.writeFileSync(path.join(root, 'file'), 'x');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('exists', () => {
    it('says yes for a file, and for a dangling symbolic link', async () => {
      fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'dangling'));
      expect(await exists(path.join(root, 'file'))).toBe(true);
      expect(await exists(path.join(root, 'dangling'))).toBe(true);
    });

    it('says no only when the path does not exist', async () => {
      expect(await exists(path.join(root, 'missing'))).toBe(false);
    });

    it('fails, rather than saying no, when the path cannot be looked at (ENOTDIR, ENAMETOOLONG)', async () => {
      await expect(exists(path.join(root, 'file', 'child'))).rejects.toMatchObject({ code: 'ENOTDIR' });
      await expect(exists(path.join(root, 'n'.repeat(300)))).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
    });
  });

  describe('readdirOrEmpty', () => {
    it('lists nothing for a directory that does not exist', async () => {
      expect(await readdirOrEmpty(path.join(root, 'missing'))).toEqual([]);
    });

    it('fails, rather than listing nothing, for a path that is not a directory', async () => {
      await expect(readdirOrEmpty(path.join(root, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    });
  });

  describe('ifMissing', () => {
    it('turns ENOENT into the value and lets every other error through', () => {
      expect(ifMissing('none')(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe('none');
      const denied = Object.assign(new Error('denied'), { code: 'EACCES' });
      expect(() => ifMissing('none')(denied)).toThrow(denied);
    });
  });

  describe('writeFileAtomic', () => {
    it('replaces the content whole and leaves no temporary file', async () => {
      await writeFileAtomic(path.join(root, 'file'), 'new content');
      expect(fs.readFileSync(path.join(root, 'file'), 'utf8')).toBe('new content');
      expect(fs.readdirSync(root)).toEqual(['file']);
    });
  });
});
