/** The installation journal on a real directory: what a killed write leaves is cleaned up; only a missing directory means "nothing". */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalStore } from '../../../server/adapters/install/journal-store.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

describe('JournalStore', () => {
  let root: string;

  beforeEach(() => {
    root = tmpDir('journal');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('cleanupTemporary', () => {
    it('finds nothing to clean before the first installation made the directory', async () => {
      const sut = new JournalStore(path.join(root, 'install'));
      expect(await sut.cleanupTemporary()).toEqual([]);
    });

    it('removes the temporary files a killed write left, and keeps the journal', async () => {
      const dir = path.join(root, 'install');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'journal.json'), '{}');
      fs.writeFileSync(path.join(dir, 'journal.json.tmp-123'), '{"torn');
      const sut = new JournalStore(dir);
      expect(await sut.cleanupTemporary()).toEqual([path.join(dir, 'journal.json.tmp-123')]);
      expect(fs.readdirSync(dir)).toEqual(['journal.json']);
    });

    it('reports a directory it cannot list instead of taking it for empty', async () => {
      // A file where the directory should be: listing it fails with ENOTDIR, not ENOENT.
      const dir = path.join(root, 'install');
      fs.writeFileSync(dir, 'not a directory');
      const sut = new JournalStore(dir);
      await expect(sut.cleanupTemporary()).rejects.toMatchObject({ code: 'ENOTDIR' });
    });
  });
});
