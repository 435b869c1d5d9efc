import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractBundle, type ExtractLimits } from '../../../server/adapters/download/safe-extract.js';
import { buildBundle } from '../../../server/vendor/bundle.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';
import { rawTarGz, type RawEntry } from '../../helpers/raw-tar.js';

const limits: ExtractLimits = { maxEntries: 50, maxDepth: 6, maxEntryBytes: 256 * 1024, maxTotalBytes: 1024 * 1024 };
const manifest: RawEntry = { name: 'manifest.json', body: Buffer.from('{"product":"x","version":"1.0.0"}') };

describe('extractBundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = tmpDir('extract');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (entries: RawEntry[]) => {
    const file = path.join(dir, `bundle-${Math.random().toString(36).slice(2)}.tar.gz`);
    fs.writeFileSync(file, rawTarGz(entries));
    return file;
  };
  const staging = () => path.join(dir, 'staging');

  it('unpacks a publisher-built bundle into a fresh private directory and reads its manifest', async () => {
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify({ product: 'patchbay-demo-pbx', version: '8.1.3' }));
    fs.writeFileSync(path.join(src, 'bin', 'pbx.cjs'), 'console.log(1)');
    await buildBundle(src, path.join(dir, 'b.tar.gz'));
    const sut = await extractBundle(path.join(dir, 'b.tar.gz'), staging(), limits);
    expect(sut.manifest).toEqual({ product: 'patchbay-demo-pbx', version: '8.1.3' });
    expect(fs.readFileSync(path.join(sut.dir, 'bin', 'pbx.cjs'), 'utf8')).toBe('console.log(1)');
    expect(fs.statSync(sut.dir).mode & 0o777).toBe(0o700);
    expect(path.dirname(sut.dir)).toBe(staging());
  });

  it.each([
    ['an absolute path', [manifest, { name: '/etc/cron.d/evil', body: Buffer.from('x') }], /absolute/],
    ['a path with ..', [manifest, { name: 'bin/../../evil', body: Buffer.from('x') }], /leaving the bundle/],
    ['a symbolic link', [manifest, { name: 'bin/sh', type: '2', linkname: '/bin/sh' }], /SymbolicLink/],
    ['a hard link', [manifest, { name: 'bin/passwd', type: '1', linkname: '/etc/passwd' }], /Link/],
    ['a character device', [manifest, { name: 'dev/null', type: '3' }], /CharacterDevice/],
    ['a FIFO', [manifest, { name: 'pipe', type: '6' }], /FIFO/],
    ['a too-deep tree', [manifest, { name: 'a/b/c/d/e/f/g/h', body: Buffer.from('x') }], /deeper than 6/],
    ['an oversized entry', [manifest, { name: 'big', body: Buffer.alloc(300 * 1024) }], /over the 262144 allowed/],
    [
      'a decompression bomb',
      [manifest, ...Array.from({ length: 8 }, (_, i) => ({ name: `zeros-${i}`, body: Buffer.alloc(200 * 1024) }))],
      /decompression bomb/,
    ],
    [
      'too many entries',
      [manifest, ...Array.from({ length: 60 }, (_, i) => ({ name: `f${i}`, body: Buffer.from('x') }))],
      /more than 50 entries/,
    ],
    ['a bundle without manifest', [{ name: 'bin/run', body: Buffer.from('x') }], /no manifest\.json/],
    ['a bundle whose manifest is not JSON', [{ name: 'manifest.json', body: Buffer.from('{"version":') }], /not JSON/],
    ['a bundle whose manifest is not an object', [{ name: 'manifest.json', body: Buffer.from('[1]') }], /not a JSON object/],
  ])('refuses %s and writes nothing outside (or inside) staging', async (_name, entries, message) => {
    const archive = write(entries as RawEntry[]);
    await expect(extractBundle(archive, staging(), limits)).rejects.toMatchObject({
      code: 'UNSAFE_ARCHIVE',
      message: expect.stringMatching(message),
    });
    expect(fs.existsSync(staging()) ? fs.readdirSync(staging()) : []).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => !f.endsWith('.tar.gz') && f !== 'staging')).toEqual([]);
  });

  it('refuses a file that is not a tar.gz', async () => {
    const file = path.join(dir, 'not.tar.gz');
    fs.writeFileSync(file, 'hello');
    await expect(extractBundle(file, staging(), limits)).rejects.toMatchObject({ code: 'UNSAFE_ARCHIVE' });
  });

  it('reports an archive it cannot read as the read failure, not as an unsafe bundle', async () => {
    const missing = path.join(dir, 'gone.tar.gz');
    await expect(extractBundle(missing, staging(), limits)).rejects.toMatchObject({ code: 'ENOENT' });
    fs.mkdirSync(path.join(dir, 'a-directory.tar.gz'));
    await expect(extractBundle(path.join(dir, 'a-directory.tar.gz'), staging(), limits)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
