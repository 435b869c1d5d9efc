/**
 * `npm start`: runs the compiled server (dist/), building it first when it is missing or stale
 * (see build.mjs), in this same process so that SIGINT, SIGTERM and SIGHUP reach Patchbay directly.
 * `npm start` runs it with `--enable-source-maps`: stack traces name the TypeScript lines.
 */
import { pathToFileURL } from 'node:url';
import { ensureServerBuilt, MAIN_JS } from './build.mjs';

const started = Date.now();
try {
  if (ensureServerBuilt()) process.stdout.write(`patchbay: server built in ${Date.now() - started} ms\n`);
} catch (err) {
  process.stderr.write(`patchbay: ${err.message}\n`);
  process.exit(1);
}
const { runAsProgram } = await import(pathToFileURL(MAIN_JS).href);
runAsProgram();
