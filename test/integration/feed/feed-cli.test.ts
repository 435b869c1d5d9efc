import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TufFeedClient } from '../../../server/adapters/feed/tuf-feed-client.js';
import { run } from '../../../server/vendor/feed-cli.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('the feed command', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('creates, fills and publishes a feed that an appliance verifies', async () => {
    const dir = tmpDir('cli');
    dirs.push(dir);
    const vendor = path.join(dir, 'vendor');
    const out: string[] = [];
    const say = (s: string) => out.push(s);
    await run(['init', vendor], say);
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'manifest.json'), JSON.stringify({ product: 'patchbay-demo-pbx', version: '8.1.3' }));
    fs.writeFileSync(path.join(dir, 'notes.md'), '## 8.1.3\n\nFixes.');
    await run(['bundle', path.join(dir, 'src'), path.join(dir, 'pbx-8.1.3.tar.gz')], say);
    await run(
      [
        'add-release',
        vendor,
        '--version',
        '8.1.3',
        '--bundle',
        path.join(dir, 'pbx-8.1.3.tar.gz'),
        '--notes-en',
        path.join(dir, 'notes.md'),
        '--upgradable-from',
        '>=8.0.0 <8.1.3',
        '--requires-licence-major',
        '8',
        '--released-at',
        '2026-06-10T08:00:00Z',
      ],
      say,
    );
    await run(['rotate-key', vendor, 'targets'], say);
    await run(['refresh-timestamp', vendor, '--days', '2'], say);
    const root: string[] = [];
    await run(['root', vendor], (s) => root.push(s));

    const client = new TufFeedClient({ feed: path.join(vendor, 'repository'), stateDir: path.join(dir, 'appliance') });
    await client.bootstrap(root[0]!);
    const feed = await client.refresh();
    expect(feed.catalog.channels.stable).toEqual([
      expect.objectContaining({ version: '8.1.3', upgradableFrom: '>=8.0.0 <8.1.3', notes: { en: '## 8.1.3\n\nFixes.' } }),
    ]);
    expect(feed.targets['releases/pbx-8.1.3.tar.gz']!.length).toBe(fs.statSync(path.join(dir, 'pbx-8.1.3.tar.gz')).size);
  });

  it('exits with code 2 and the usage on a wrong command line', () => {
    const res = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/vendor/feed-cli.ts', 'add-release', '/nonexistent'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--version is required/);
    expect(res.stderr).toMatch(/rotate-key/);
  });
});
