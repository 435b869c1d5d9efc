/** The feed directory server on loopback: a missing file is 404, one it cannot read is 500, never "not found". */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFeedDirectory, type StaticFeedServer } from '../../../server/adapters/feed/static-feed-server.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

describe('serveFeedDirectory', () => {
  let dir: string;
  let sut: StaticFeedServer;

  beforeAll(async () => {
    dir = tmpDir('static-feed');
    fs.writeFileSync(path.join(dir, 'timestamp.json'), '{}');
    fs.mkdirSync(path.join(dir, 'targets'));
    // A link that points to itself: stat fails with ELOOP, as with any file that exists but cannot be read.
    fs.symlinkSync('loop.json', path.join(dir, 'loop.json'));
    sut = await serveFeedDirectory(dir);
  });
  afterAll(async () => {
    await sut.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a file', async () => {
    const res = await fetch(`${sut.url}timestamp.json`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{}');
  });

  it('answers 404 for a file that is not there, or a directory', async () => {
    expect((await fetch(`${sut.url}snapshot.json`)).status).toBe(404);
    expect((await fetch(`${sut.url}timestamp.json/child`)).status).toBe(404);
    expect((await fetch(`${sut.url}targets`)).status).toBe(404);
  });

  it('answers 500 naming the cause for a file it cannot read', async () => {
    const res = await fetch(`${sut.url}loop.json`);
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/ELOOP/);
  });
});
