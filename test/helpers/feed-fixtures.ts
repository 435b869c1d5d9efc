/**
 * A real vendor feed for tests: a TUF repository made by the publisher in a temporary directory,
 * with small real bundles, served over HTTP on 127.0.0.1 by a server whose faults tests can switch
 * on (stall, drop, alter bytes).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Catalog } from '../../server/domain/catalog.js';
import { buildBundle } from '../../server/vendor/bundle.js';
import { FeedRepository, type PublishOptions } from '../../server/vendor/feed-repository.js';

export interface FaultyServer {
  url: string;
  port: number;
  /** Never answer requests whose path matches. */
  stall: RegExp | null;
  /** Answer these paths with these bytes instead of the file. */
  replace: Map<string, Buffer>;
  requests: string[];
  /** Body bytes sent for files (not replaced ones): what a resume saves shows here. */
  bytesSent: number;
  bytesByPath: Map<string, number>;
  close(): Promise<void>;
}

export async function serveWithFaults(dir: string): Promise<FaultyServer> {
  const state: Omit<FaultyServer, 'url' | 'port' | 'close'> = {
    stall: null,
    replace: new Map(),
    requests: [],
    bytesSent: 0,
    bytesByPath: new Map(),
  };
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    state.requests.push(rel);
    if (state.stall?.test(rel)) return; // the socket stays open, nothing is sent
    const replaced = state.replace.get(rel);
    if (replaced) return void res.writeHead(200, { 'content-length': replaced.length }).end(replaced);
    const file = path.join(dir, rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
    const size = fs.statSync(file).size;
    const etag = `"${size}-${Math.floor(fs.statSync(file).mtimeMs)}"`;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range && (!req.headers['if-range'] || req.headers['if-range'] === etag) ? Number(range[1]) : 0;
    res.writeHead(start ? 206 : 200, {
      etag,
      'content-length': size - start,
      ...(start ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    const stream = fs.createReadStream(file, { start });
    stream.on('data', (chunk) => {
      state.bytesSent += chunk.length;
      state.bytesByPath.set(rel, (state.bytesByPath.get(rel) ?? 0) + chunk.length);
    });
    stream.pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  }) as FaultyServer;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `patchbay-${prefix}-`));
}

/** A small real bundle: a directory with a manifest and a payload, packed by the publisher. */
export async function makeBundle(
  workDir: string,
  name: string,
  manifest: Record<string, unknown>,
  payload: string | Buffer = 'echo ok\n',
): Promise<string> {
  const src = path.join(workDir, 'src', name);
  fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(src, 'bin', 'run.sh'), payload);
  const out = path.join(workDir, 'bundles', `${name}.tar.gz`);
  await buildBundle(src, out);
  return out;
}

export const release = (version: string, upgradableFrom: string, size: number, released = '2026-10-01T09:00:00Z') => ({
  version,
  releasedAt: released,
  notes: { en: `## ${version}\n\nFixes.`, de: `## ${version}\n\nKorrekturen.`, fr: `## ${version}\n\nCorrections.` },
  bundle: { target: `releases/pbx-${version}.tar.gz`, size },
  upgradableFrom,
  requiresLicenceMajor: Number(version.split('.')[0]),
  modules: [],
});

/** Publishes a feed with releases 8.1.3 and 8.2.0 (real bundles) and returns the repository. */
export async function publishSmallFeed(dir: string, options: PublishOptions = {}): Promise<FeedRepository> {
  const repo = await FeedRepository.create(dir, options);
  const work = path.join(dir, 'work');
  const releases = [];
  for (const [v, from] of [
    ['8.1.3', '>=8.0.0 <8.1.3'],
    ['8.2.0', '>=8.0.0 <8.2.0'],
  ] as const) {
    const file = await makeBundle(work, `pbx-${v}`, { product: 'patchbay-demo-pbx', version: v });
    await repo.addTarget(`releases/pbx-${v}.tar.gz`, file);
    releases.push(release(v, from, fs.statSync(file).size));
  }
  const catalog: Catalog = {
    formatVersion: 1,
    product: 'patchbay-demo-pbx',
    generatedAt: '2026-11-01T00:00:00Z',
    channels: { stable: releases, beta: [] },
    modules: [],
  };
  await repo.setCatalog(catalog);
  await repo.publish(options);
  return repo;
}
