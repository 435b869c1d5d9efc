/**
 * The installation journal on disk: one JSON file outside the data a restore replaces
 * (`$PATCHBAY_HOME/install/journal.json`), rewritten whole at every step (temporary file, fsync,
 * rename, directory fsync), so that a crash or a power cut leaves the old or the new record,
 * never a torn one.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { InstallJournal } from '../../domain/install.js';
import { writeFileAtomic } from '../fs.js';
import { JournalCorruptError } from '../../domain/errors/index.js';

export class JournalStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, 'journal.json');
  }

  async read(): Promise<InstallJournal | null> {
    let raw: string;
    try {
      raw = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const journal = JSON.parse(raw) as InstallJournal;
      if (journal.formatVersion !== 1 || typeof journal.jobId !== 'string') throw new Error('unknown format');
      return journal;
    } catch (err) {
      throw new JournalCorruptError(`The installation journal ${this.file} cannot be read: ${(err as Error).message}`);
    }
  }

  async write(journal: InstallJournal): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(journal, null, 2) + '\n');
  }

  /** Temporary files a write killed halfway leaves (none before the first installation made the directory). */
  async cleanupTemporary(): Promise<string[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const leftovers = names.filter((n) => n.startsWith('journal.json.tmp-')).map((n) => path.join(this.dir, n));
    for (const f of leftovers) await fsp.rm(f, { force: true });
    return leftovers;
  }
}
