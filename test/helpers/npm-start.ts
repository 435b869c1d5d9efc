/** `npm start`'s own command line from package.json, V8 flags included: what the benchmarks run. */
import fs from 'node:fs';
import path from 'node:path';

export function npmStartArgs(root: string): string[] {
  const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  // "node <flags…> server/start.mjs": everything after the command.
  return scripts.start.split(/\s+/).slice(1);
}
