/**
 * Makes sure the SPA is built before the server serves it: `npm start` on a fresh clone builds
 * it once (Vite), later starts reuse `web/dist`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './adapters/logger.js';
import { projectPath } from './project-root.js';

export const WEB_ROOT = projectPath('web');
export const WEB_DIST = path.join(WEB_ROOT, 'dist');

export async function ensureWebBuilt(logger: Logger): Promise<string> {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return WEB_DIST;
  logger.info('building the web interface (first start)…');
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
  logger.info('web interface built', { ms: Date.now() - started });
  return WEB_DIST;
}
