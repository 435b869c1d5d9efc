/**
 * Unpacks a verified bundle into a fresh private staging directory, and nothing else: regular
 * files and directories only (no links, devices or FIFOs), no absolute paths or `..`, bounded
 * depth, entry size, entry count and total size (a decompression bomb stops at the limit, before
 * anything is written). Every entry is checked in a first pass; the archive is unpacked only when
 * all of them pass. The result must carry a `manifest.json`. tar is imported on the first bundle
 * (~0.5 MiB of heap), not at start: most of a Patchbay's life has nothing to unpack.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UnsafeArchiveError } from '../../domain/errors/index.js';

export interface ExtractLimits {
  maxEntries: number;
  maxDepth: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxEntries: 20_000,
  maxDepth: 24,
  maxEntryBytes: 1024 ** 3,
  maxTotalBytes: 4 * 1024 ** 3,
};

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Why an entry may not be unpacked, or null when it may. */
export function entryProblem(entry: { path: string; type: string; size: number }, limits: ExtractLimits): string | null {
  const p = entry.path;
  if (!ALLOWED.has(entry.type)) return `${p}: a ${entry.type} entry (only regular files and directories are allowed)`;
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.includes('\\')) return `${p}: an absolute or Windows path`;
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) return `${p}: a path leaving the bundle (..)`;
  if (parts.length > limits.maxDepth) return `${p}: deeper than ${limits.maxDepth} levels`;
  if (entry.size > limits.maxEntryBytes) return `${p}: ${entry.size} bytes, over the ${limits.maxEntryBytes} allowed per file`;
  return null;
}

async function inspect(archive: string, limits: ExtractLimits): Promise<string[]> {
  const problems: string[] = [];
  let entries = 0;
  let total = 0;
  const tar = await import('tar');
  const parser = new tar.Parser({
    strict: true,
    onReadEntry: (entry) => {
      entries += 1;
      total += entry.size;
      const problem = entryProblem({ path: entry.path, type: entry.type, size: entry.size }, limits);
      if (problem) problems.push(problem);
      if (entries > limits.maxEntries) problems.push(`more than ${limits.maxEntries} entries`);
      if (total > limits.maxTotalBytes) problems.push(`more than ${limits.maxTotalBytes} bytes once unpacked (a decompression bomb?)`);
      entry.resume();
      // A throw here would escape node-tar; stop the parse instead.
      if (entries > limits.maxEntries || total > limits.maxTotalBytes) parser.abort(new Error('limit reached'));
    },
  });
  try {
    await pipeline(fs.createReadStream(archive), parser);
  } catch (err) {
    // The file system failing to read the archive is not a fault of the bundle: say what it is.
    if ((err as NodeJS.ErrnoException).syscall) throw err;
    if (problems.length === 0) problems.push(`not a readable .tar.gz (${(err as Error).message})`);
  }
  return problems;
}

/** The bundle's manifest: missing or not a JSON object, the bundle is refused; a read failure is the disk's. */
async function readManifest(file: string): Promise<Record<string, unknown>> {
  let raw: string;
  try {
    raw = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UnsafeArchiveError(['no manifest.json at the top of the bundle']);
    throw err;
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(raw);
  } catch {
    throw new UnsafeArchiveError(['the manifest.json of the bundle is not JSON']);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new UnsafeArchiveError(['the manifest.json of the bundle is not a JSON object']);
  }
  return manifest as Record<string, unknown>;
}

export async function extractBundle(
  archive: string,
  stagingParent: string,
  limits: ExtractLimits = DEFAULT_EXTRACT_LIMITS,
): Promise<{ dir: string; manifest: Record<string, unknown> }> {
  const problems = await inspect(archive, limits);
  if (problems.length) throw new UnsafeArchiveError(problems);
  await fsp.mkdir(stagingParent, { recursive: true });
  const dir = await fsp.mkdtemp(path.join(stagingParent, 'stage-'));
  await fsp.chmod(dir, 0o700);
  try {
    const rejected: string[] = [];
    const tar = await import('tar');
    await tar.x({
      file: archive,
      cwd: dir,
      strict: true,
      preserveOwner: false,
      maxDepth: limits.maxDepth,
      // Already checked above; kept as a second line of defence (collect, never throw in here).
      filter: (p, entry) => {
        const stat = entry as { type?: string; size?: number };
        const problem = entryProblem({ path: p, type: stat.type ?? 'File', size: stat.size ?? 0 }, limits);
        if (problem) rejected.push(problem);
        return !problem;
      },
    });
    if (rejected.length) throw new UnsafeArchiveError(rejected);
    return { dir, manifest: await readManifest(path.join(dir, 'manifest.json')) };
  } catch (err) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
}
