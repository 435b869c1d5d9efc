/**
 * The feed client honours the proxy settings of the environment: with HTTP_PROXY set, the feed is
 * reached through the proxy (a real tunnelling proxy on 127.0.0.1), and NO_PROXY bypasses it.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TufFeedClient } from '../../../server/adapters/feed/tuf-feed-client.js';
import type { FeedRepository } from '../../../server/vendor/feed-repository.js';
import { publishSmallFeed, serveWithFaults, tmpDir, type FaultyServer } from '../../helpers/feed-fixtures.js';

describe('TufFeedClient behind a proxy', () => {
  let dir: string;
  let repo: FeedRepository;
  let feed: FaultyServer;
  let proxy: http.Server;
  let proxyUrl: string;
  const proxied: string[] = [];
  const saved = {
    HTTP_PROXY: process.env.HTTP_PROXY,
    NO_PROXY: process.env.NO_PROXY,
    http_proxy: process.env.http_proxy,
    no_proxy: process.env.no_proxy,
  };

  beforeAll(async () => {
    dir = tmpDir('proxy');
    repo = await publishSmallFeed(path.join(dir, 'vendor'));
    feed = await serveWithFaults(repo.repositoryDir);
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    // undici tunnels through the proxy with CONNECT, for http targets as well.
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      proxied.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    proxied.length = 0;
  });
  afterAll(async () => {
    await feed.close();
    await new Promise((r) => proxy.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends every request through HTTP_PROXY', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    const sut = new TufFeedClient({ feed: feed.url, stateDir: path.join(dir, 'via-proxy') });
    await sut.bootstrap(repo.rootJson());
    await sut.refresh();
    expect(proxied).toContain(`CONNECT 127.0.0.1:${feed.port}`);
    expect(feed.requests).toContain('/timestamp.json');
  });

  it('goes direct for a host listed in NO_PROXY', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    process.env.NO_PROXY = '127.0.0.1';
    const sut = new TufFeedClient({ feed: feed.url, stateDir: path.join(dir, 'direct') });
    await sut.bootstrap(repo.rootJson());
    await sut.refresh();
    expect(proxied).toEqual([]);
  });
});
