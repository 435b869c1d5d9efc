/**
 * The checkout's root directory, found by walking up from this module to the nearest package.json.
 * The same code runs from the sources (`server/…`, under tsx and vitest) and from the compiled build
 * (`dist/server/…`, one level deeper), so the files Patchbay reads beside its code — the SPA's
 * `web/`, `migrations/`, the demo appliance's programs, `node_modules/` — are located from here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the checkout, given from its root (`projectPath('migrations')`). */
export function projectPath(...segments: string[]): string {
  return path.join(PROJECT_ROOT, ...segments);
}
