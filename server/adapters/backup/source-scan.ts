/**
 * What a backup of the appliance's data holds: every regular file of the data directory, SQLite
 * databases told by their header, grouped (each database with its sidecars, the other files, the
 * module state), in the order they are copied.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BackupError } from '../../domain/errors/index.js';
import { errno } from '../fs.js';
import { type BackupFileEntry, type BackupMethod, compareText, MODULE_STATE_PATH } from './manifest.js';

export interface BackupSource {
  dataDir: string;
  moduleStateFile: string;
}

/** One file of the source, as the backup will hold it. */
export interface PlannedFile {
  abs: string;
  path: string;
  kind: BackupFileEntry['kind'];
  group: string;
  size: number;
  mode: number;
}

export interface Plan {
  files: PlannedFile[];
  directories: string[];
}

export const FILES_GROUP = 'files';
const MODULES_GROUP = 'modules';
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Absolute, without a trailing slash: the restore's siblings are named after the data directory. */
export function resolved(source: BackupSource): BackupSource {
  return { dataDir: path.resolve(source.dataDir), moduleStateFile: path.resolve(source.moduleStateFile) };
}

/**
 * A database's `-wal` (and a hot `-journal`) is in its group when offline, left out when online
 * (the backup API reads through them); `-shm` never (SQLite rebuilds it).
 */
export async function scanSource(source: BackupSource, method: BackupMethod): Promise<Plan> {
  const found: { abs: string; rel: string; size: number; mode: number; sqlite: boolean }[] = [];
  const directories = ['data'];
  // Synchronous calls, one directory at a time with a turn of the event loop in between: a stat
  // and a 16-byte read take microseconds each, a trip through the thread pool far more, and a
  // data directory has hundreds of small files.
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (rel === '' && errno(err) === 'ENOENT') {
        throw new BackupError('BACKUP_FAILED', `There is no data directory at ${dir}.`, { dataDir: dir });
      }
      throw err;
    }
    const subdirs: [string, string][] = [];
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        directories.push(`data/${r}`);
        subdirs.push([abs, r]);
      } else if (e.isFile()) {
        try {
          const st = fs.statSync(abs);
          found.push({
            abs,
            rel: r,
            size: st.size,
            mode: st.mode & 0o7777,
            sqlite: st.size >= SQLITE_HEADER.length && hasSqliteHeader(abs),
          });
        } catch (err) {
          // The appliance runs: its own temporary files come and go. What is gone is not in the snapshot.
          if (method === 'ONLINE' && errno(err) === 'ENOENT') continue;
          throw err;
        }
      } else if (e.isSymbolicLink()) {
        throw new BackupError('BACKUP_FAILED', `${abs} is a symbolic link; backups hold regular files only.`, { file: abs });
      }
      // Sockets, FIFOs and devices hold no data.
    }
    await new Promise((resolve) => setImmediate(resolve));
    for (const [abs, r] of subdirs) await walk(abs, r);
  };
  await walk(source.dataDir, '');

  const isDb = new Map(found.map((f) => [f.rel, f.sqlite]));
  const files: PlannedFile[] = [];
  for (const f of found) {
    const side = /^(.*)-(wal|shm|journal)$/.exec(f.rel);
    const owner = side && isDb.get(side[1]!) ? side[1]! : null;
    let kind: BackupFileEntry['kind'] = 'file';
    let group = FILES_GROUP;
    if (isDb.get(f.rel)) {
      kind = 'sqlite';
      group = f.rel;
    } else if (owner) {
      if (side![2] === 'shm' || method === 'ONLINE') continue;
      kind = side![2] === 'wal' ? 'sqlite-wal' : 'file';
      group = owner;
    }
    files.push({ abs: f.abs, path: `data/${f.rel}`, kind, group, size: f.size, mode: f.mode });
  }
  // Databases first (each followed by its sidecars), then the other files, each part by path.
  const rank = (f: PlannedFile) => (f.group === FILES_GROUP ? 1 : 0);
  files.sort((a, b) => rank(a) - rank(b) || compareText(a.group, b.group) || compareText(a.path, b.path));

  try {
    const st = await fsp.stat(source.moduleStateFile);
    if (st.isFile()) {
      files.push({
        abs: source.moduleStateFile,
        path: MODULE_STATE_PATH,
        kind: 'file',
        group: MODULES_GROUP,
        size: st.size,
        mode: st.mode & 0o7777,
      });
      directories.push('modules');
    }
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  return { files, directories: directories.sort() };
}

function hasSqliteHeader(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return fs.readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}
