/**
 * The production build: compiles the server (everything `server/main.ts` imports, `schema/` with it)
 * to JavaScript with source maps (tsconfig.build.json), and stamps the output with a hash of the
 * sources it was made from. `npm run build` runs it as a program; `server/start.mjs` asks
 * `ensureServerBuilt()` first, which rebuilds only when the stamp does not match the sources.
 * Plain JavaScript: it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
export const MAIN_JS = path.join(DIST, 'server', 'main.js');
const STAMP_FILE = '.build-stamp';
// What the output depends on. Whole folders, so that a file added, removed or renamed counts too.
const INPUTS = ['server', 'schema', 'tsconfig.json', 'tsconfig.build.json'];

function collect(rel, files) {
  const abs = path.join(ROOT, rel);
  if (!fs.statSync(abs).isDirectory()) return files.push(rel);
  for (const name of fs.readdirSync(abs).sort()) collect(path.join(rel, name), files);
}

/**
 * SHA-256 over the path and content of every input file: independent of git and of timestamps
 * (a checkout, a copy or an extraction may set any mtime), and a few milliseconds for the ~200 files.
 */
export function sourceHash() {
  const files = [];
  for (const input of INPUTS) collect(input, files);
  const sha = crypto.createHash('sha256');
  for (const rel of files)
    sha
      .update(`${rel}\0`)
      .update(fs.readFileSync(path.join(ROOT, rel)))
      .update('\0');
  return sha.digest('hex');
}

function readStamp(outDir) {
  try {
    return fs.readFileSync(path.join(outDir, STAMP_FILE), 'utf8').trim();
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Compiles into `outDir`: first into a sibling temporary directory, renamed into place once tsc
 * succeeded and the stamp is written, so that a build that fails or is killed leaves the previous
 * output whole. Throws when tsc reports an error.
 */
export function buildServer(outDir = DIST) {
  const hash = sourceHash();
  const staging = `${outDir}.building-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', staging], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(`the server build failed (tsc exited with ${run.status ?? run.signal})`);
  }
  fs.writeFileSync(path.join(staging, STAMP_FILE), `${hash}\n`);
  const previous = `${outDir}.previous-${process.pid}`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, previous);
  fs.renameSync(staging, outDir);
  fs.rmSync(previous, { recursive: true, force: true });
}

/** Builds when `outDir` is missing or was built from other sources; true when it built. */
export function ensureServerBuilt(outDir = DIST) {
  if (readStamp(outDir) === sourceHash()) return false;
  buildServer(outDir);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : DIST;
  try {
    buildServer(outDir);
    process.stdout.write(`server built into ${path.relative(process.cwd(), outDir) || '.'} in ${Date.now() - started} ms\n`);
  } catch (err) {
    process.stderr.write(`patchbay: ${err.message}\n`);
    process.exit(1);
  }
}
