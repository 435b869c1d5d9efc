/** The README's configuration table is the operator's reference: it must name every variable config.ts reads. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('README configuration table', () => {
  it('lists every environment variable that server/config.ts reads, and no other', () => {
    const config = read('server/config.ts');
    const schemaBlock = config.slice(config.indexOf('z.object({'), config.indexOf('});', config.indexOf('z.object({')));
    const readByConfig = new Set([...schemaBlock.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]));
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Architecture'));
    const documented = new Set([...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]));
    expect(readByConfig.size).toBeGreaterThan(15);
    expect([...documented].sort()).toEqual([...readByConfig].sort());
  });
});
