/**
 * The publisher and the TUF client against each other over real HTTP on 127.0.0.1: the happy
 * path, a key rotation, and every attack or fault of the feed issue, each refused with its code
 * while the previously verified state stays usable.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TufFeedClient, verifyFile } from '../../../server/adapters/feed/tuf-feed-client.js';
import { FeedRepository } from '../../../server/vendor/feed-repository.js';
import { publishSmallFeed, release, serveWithFaults, tmpDir, type FaultyServer } from '../../helpers/feed-fixtures.js';
import { unusedPort } from '../../helpers/ports.js';
import { FeedError } from '../../../server/domain/errors/index.js';

const DAY = 86_400_000;

async function expectFeedError(p: Promise<unknown>, code: string): Promise<FeedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected ${code}`).toBeInstanceOf(FeedError);
  expect((err as FeedError).code, (err as Error).message).toBe(code);
  return err as FeedError;
}

describe('TufFeedClient', () => {
  let dir: string;
  let repo: FeedRepository;
  let server: FaultyServer;
  let sut: TufFeedClient;
  const dirs: string[] = [];

  beforeEach(async () => {
    dir = tmpDir('feed');
    dirs.push(dir);
    repo = await publishSmallFeed(path.join(dir, 'vendor'));
    server = await serveWithFaults(repo.repositoryDir);
    sut = new TufFeedClient({ feed: server.url, stateDir: path.join(dir, 'appliance'), timeoutMs: 1000 });
    await sut.bootstrap(repo.rootJson());
  });
  afterEach(async () => {
    await server.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  describe('a trusted root that cannot be read', () => {
    // A link to itself in place of root.json: it is there, and reading it fails with ELOOP, not ENOENT.
    const unreadable = () => {
      const state = path.join(dir, 'unreadable-state');
      fs.mkdirSync(path.join(state, 'metadata'), { recursive: true });
      fs.symlinkSync('root.json', path.join(state, 'metadata', 'root.json'));
      return new TufFeedClient({ feed: repo.repositoryDir, stateDir: state });
    };

    it('is reported as such by refresh, not as "no trusted root"', async () => {
      await expect(unreadable().refresh()).rejects.toMatchObject({
        code: 'FEED_NOT_CONFIGURED',
        message: expect.stringMatching(/cannot be read \(ELOOP\)/),
        details: { file: 'root.json', cause: 'ELOOP' },
      });
    });

    it('makes bootstrap fail rather than install another root', async () => {
      await expect(unreadable().bootstrap(repo.rootJson())).rejects.toMatchObject({ code: 'ELOOP' });
    });
  });

  describe('refresh', () => {
    it('returns the verified catalog with notes in three languages and the signed bundle info', async () => {
      const feed = await sut.refresh();
      expect(feed.catalog.channels.stable.map((r) => r.version)).toEqual(['8.1.3', '8.2.0']);
      expect(feed.catalog.channels.stable[0]!.notes).toEqual({ en: expect.any(String), de: expect.any(String), fr: expect.any(String) });
      const info = feed.targets['releases/pbx-8.2.0.tar.gz']!;
      expect(info.length).toBe(fs.statSync(repo.targetPath({ path: info.name, hashes: { sha256: info.sha256 } } as never)).size);
      expect(server.requests).toContain('/timestamp.json');
    });

    it('reads a feed from a local directory', async () => {
      const local = new TufFeedClient({ feed: repo.repositoryDir, stateDir: path.join(dir, 'local-state') });
      await local.bootstrap(repo.rootJson());
      expect((await local.refresh()).catalog.channels.stable).toHaveLength(2);
    });

    it('sees a newly published release', async () => {
      await sut.refresh();
      const catalog = (await repo.getCatalog())!;
      catalog.channels.stable.push(release('8.2.1', '>=8.0.0 <8.2.1', 1));
      catalog.channels.stable.at(-1)!.bundle.target = 'releases/pbx-8.2.0.tar.gz';
      await repo.setCatalog(catalog);
      await repo.publish();
      expect((await sut.refresh()).catalog.channels.stable.map((r) => r.version)).toContain('8.2.1');
    });

    it('follows a rotation of the root key, and of the timestamp key', async () => {
      await sut.refresh();
      await repo.rotateKey('root');
      await repo.rotateKey('timestamp');
      expect((await sut.refresh()).catalog.channels.stable).toHaveLength(2);
      const trusted = JSON.parse(fs.readFileSync(path.join(dir, 'appliance', 'metadata', 'root.json'), 'utf8')) as {
        signed: { version: number };
      };
      expect(trusted.signed.version).toBe(3);
    });
  });

  describe('attacks and faults', () => {
    it('detects a tampered bundle through its signed hash', async () => {
      const feed = await sut.refresh();
      const info = feed.targets['releases/pbx-8.1.3.tar.gz']!;
      const served = path.join(dir, 'served.tar.gz');
      const bytes = fs.readFileSync(repo.targetPath({ path: info.name, hashes: { sha256: info.sha256 } } as never));
      bytes[bytes.length - 10]! ^= 0xff;
      fs.writeFileSync(served, bytes);
      expect(await verifyFile(served, info)).toMatchObject({ ok: false, length: info.length });
    });

    it('refuses a tampered catalog, and keeps the catalog verified before', async () => {
      await sut.refresh();
      const catalogPath = server.requests.find((r) => r.includes('catalog.json'))!;
      server.replace.set(catalogPath, Buffer.from(JSON.stringify({ formatVersion: 1, evil: true })));
      fs.rmSync(path.join(dir, 'appliance', 'targets', 'catalog.json'));
      await expectFeedError(sut.refresh(), 'FEED_MALFORMED');
      server.replace.clear();
      expect((await sut.refresh()).catalog.channels.stable).toHaveLength(2);
    });

    it('refuses metadata signed with an unknown key', async () => {
      await sut.refresh();
      const timestamp = JSON.parse(fs.readFileSync(path.join(repo.repositoryDir, 'timestamp.json'), 'utf8')) as {
        signatures: { keyid: string; sig: string }[];
        signed: { version: number };
      };
      timestamp.signed.version += 1;
      const { privateKey } = crypto.generateKeyPairSync('ed25519');
      timestamp.signatures = [
        { keyid: timestamp.signatures[0]!.keyid, sig: crypto.sign(null, Buffer.from('forged'), privateKey).toString('hex') },
      ];
      server.replace.set('/timestamp.json', Buffer.from(JSON.stringify(timestamp)));
      await expectFeedError(sut.refresh(), 'FEED_SIGNATURE_INVALID');
    });

    it('refuses an expired timestamp', async () => {
      await repo.refreshTimestamp({ now: new Date(Date.now() - 3 * DAY) });
      await expectFeedError(sut.refresh(), 'FEED_EXPIRED');
    });

    it('refuses an older timestamp replayed after a newer one', async () => {
      const old = fs.readFileSync(path.join(repo.repositoryDir, 'timestamp.json'));
      await repo.refreshTimestamp();
      await sut.refresh();
      server.replace.set('/timestamp.json', old);
      await expectFeedError(sut.refresh(), 'FEED_ROLLBACK');
    });

    it('refuses an older snapshot served in place of the newer one: it no longer matches the signed timestamp', async () => {
      await sut.refresh();
      const oldSnapshot = fs.readFileSync(path.join(repo.repositoryDir, '1.snapshot.json'));
      await repo.publish();
      // Without the timestamp key an attacker can only replay old files; the timestamp pins the
      // snapshot's hash, so the old one is refused, and the trusted snapshot stays.
      server.replace.set('/3.snapshot.json', oldSnapshot);
      await expectFeedError(sut.refresh(), 'FEED_MALFORMED');
      const trusted = JSON.parse(fs.readFileSync(path.join(dir, 'appliance', 'metadata', 'snapshot.json'), 'utf8')) as {
        signed: { version: number };
      };
      expect(trusted.signed.version).toBe(2);
    });

    it('refuses oversized metadata', async () => {
      server.replace.set('/timestamp.json', Buffer.alloc(2 * 1024 * 1024, 0x20));
      await expectFeedError(sut.refresh(), 'FEED_TOO_LARGE');
    });

    it('refuses a catalog that does not match its schema, even when signed', async () => {
      const bad = path.join(dir, 'bad-catalog.json');
      fs.writeFileSync(bad, JSON.stringify({ formatVersion: 1, product: 'x', generatedAt: 'yesterday', channels: { stable: [] } }));
      await repo.addTarget('catalog.json', bad);
      await repo.publish();
      const err = await expectFeedError(sut.refresh(), 'FEED_MALFORMED');
      expect(err.message).toMatch(/generatedAt/);
    });

    it('names host and port when nothing listens there', async () => {
      const closed = await unusedPort();
      const client = new TufFeedClient({ feed: `http://127.0.0.1:${closed}/`, stateDir: path.join(dir, 'closed'), timeoutMs: 1000 });
      await client.bootstrap(repo.rootJson());
      const err = await expectFeedError(client.refresh(), 'FEED_UNREACHABLE');
      expect(err.details).toMatchObject({ host: '127.0.0.1', port: closed, cause: 'connection refused (ECONNREFUSED)' });
      expect(err.message).toContain(`127.0.0.1:${closed}`);
    });

    it('gives up on a stalled server after the timeout', async () => {
      server.stall = /timestamp/;
      const started = Date.now();
      const err = await expectFeedError(sut.refresh(), 'FEED_UNREACHABLE');
      expect(err.details.cause).toBe('timed out');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('says which file is missing from a local-directory feed', async () => {
      const copy = path.join(dir, 'copy');
      fs.cpSync(repo.repositoryDir, copy, { recursive: true });
      fs.rmSync(path.join(copy, 'timestamp.json'));
      const local = new TufFeedClient({ feed: copy, stateDir: path.join(dir, 'local-missing') });
      await local.bootstrap(repo.rootJson());
      const err = await expectFeedError(local.refresh(), 'FEED_NOT_FOUND');
      expect(err.message).toContain('timestamp.json');
    });
  });
});
