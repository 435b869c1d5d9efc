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

describe('README architecture section', () => {
  it('names every folder of server/ and schema/', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('### Security model'));
    const tree = section.slice(section.indexOf('```\nserver/'), section.lastIndexOf('```'));
    expect(tree.length).toBeGreaterThan(500);
    const root = new URL('../../', import.meta.url);
    const folders = (dir: string): string[] =>
      fs
        .readdirSync(new URL(dir, root), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .flatMap((e) => [`${dir}${e.name}/`, ...folders(`${dir}${e.name}/`)]);
    const named = (folder: string) => {
      // Named by its path below server/ (or schema/), or by its own name.
      const below = folder.split('/').filter(Boolean).slice(1);
      return tree.includes(`${below.join('/')}/`) || tree.includes(`${below.at(-1)}/`);
    };
    const missing = [...folders('server/'), ...folders('schema/')].filter((f) => !f.includes('/bin/')).filter((f) => !named(f));
    expect(missing).toEqual([]);
  });
});
