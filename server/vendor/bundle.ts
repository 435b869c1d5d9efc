/**
 * Release and module bundles: a `.tar.gz` of a directory whose `manifest.json` describes it.
 * Reproducible (sorted entries, fixed times, no owners), so the same input gives the same hash.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';

async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await fsp.readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(root, p)));
    else if (entry.isFile()) out.push(p);
    else throw new Error(`${p}: only regular files and directories go into a bundle`);
  }
  return out;
}

export async function buildBundle(sourceDir: string, outFile: string): Promise<{ manifest: Record<string, unknown>; files: number }> {
  const manifest = JSON.parse(await fsp.readFile(path.join(sourceDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const files = await listFiles(sourceDir);
  await fsp.mkdir(path.dirname(outFile), { recursive: true });
  await tar.create(
    { gzip: { level: 9 }, file: outFile, cwd: sourceDir, portable: true, mtime: new Date('2026-01-01T00:00:00Z'), noDirRecurse: true },
    files,
  );
  return { manifest, files: files.length };
}
