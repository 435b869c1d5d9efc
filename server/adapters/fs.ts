/**
 * File-system helpers shared by the adapters: durable writes (fsync of files and directories,
 * atomic replacement) and reads where only ENOENT means "absent" — every other error (EACCES, EIO,
 * ENOTDIR…) goes on to the caller, so that a damaged disk is never taken for an empty one.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The system's code of a failed call (`ENOENT`, `EACCES`, `SQLITE_FULL`…), if it has one. */
export function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** For a `.catch`: a missing file or directory reads as `value`; any other error goes on. */
export function ifMissing<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (errno(err) === 'ENOENT') return value;
    throw err;
  };
}

/** Whether `p` exists (a symbolic link counts, whatever it points at); only ENOENT is "no". */
export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch (err) {
    if (errno(err) === 'ENOENT') return false;
    throw err;
  }
}

/** The names in `dir`; none when it does not exist. */
export async function readdirOrEmpty(dir: string): Promise<string[]> {
  return fsp.readdir(dir).catch(ifMissing([] as string[]));
}

/** Files under `root` (not directories), posix paths relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else out.push(r);
    }
  };
  await walk(root, '');
  return out;
}

/** The most recently modified of `paths` (at least one). */
export async function newestOf(paths: readonly string[]): Promise<string> {
  const stats = await Promise.all(paths.map(async (p) => ({ p, t: (await fsp.stat(p)).mtimeMs })));
  return stats.sort((a, b) => b.t - a.t)[0]!.p;
}

/** Makes the entries of `dir` (files created, renamed or removed in it) survive a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a file so that readers see the old or the new content, never a torn one. */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await fsp.open(tmp, 'w', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}
