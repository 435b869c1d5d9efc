/**
 * A vendor feed for installation tests: real bundles of the demo PBX program (the same code the
 * embedded demo runs) published by the real publisher, served over HTTP on 127.0.0.1, with
 * releases and modules that can be built to fail on purpose (a migration that fails, a release
 * that exits at start or never becomes healthy, a module that fails to load); and the licence
 * file for a system, signed by a vendor key the app is told to trust.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { serveFeedDirectory, type StaticFeedServer } from '../../server/adapters/feed/static-feed-server.js';
import type { Catalog } from '../../server/domain/catalog.js';
import { addDemoModuleBundle, addDemoReleaseBundle, DEMO_MODULE_RELEASES, DEMO_RELEASES } from '../../server/demo/demo-vendor.js';
import { FeedRepository } from '../../server/vendor/feed-repository.js';
import { createLicenceKey, loadLicenceKey, signLicence } from '../../server/vendor/licence-issuer.js';
import { type HttpClient, importLicenceFile } from './graphql-clients.js';

export interface FixtureRelease {
  version: string;
  dataSchemaVersion: number;
  migrations?: string[];
  modules?: { id: string; version: string }[];
  upgradableFrom?: string;
  releasedAt?: string;
  /** Manifest fields of the fixture hooks: failMigrations, failStart, failHealth. */
  manifest?: Record<string, unknown>;
  /** Bytes of random (incompressible) padding in the bundle: a bigger release. */
  paddingBytes?: number;
}

export interface FixtureModule {
  id: string;
  name: string;
  version: string;
  supportedSystem: string;
  /** The module cannot be loaded: the PBX exits at start. */
  failLoad?: boolean;
  /** The bundle's manifest names another version than the catalog (a wrong bundle). */
  manifestVersion?: string;
}

const demo820 = DEMO_RELEASES.find((r) => r.version === '8.2.0')!;

/** 8.2.0 as the demo vendor publishes it: a data migration and newer modules. */
export const RELEASE_8_2_0: FixtureRelease = {
  version: demo820.version,
  dataSchemaVersion: demo820.dataSchemaVersion,
  migrations: demo820.migrations,
  modules: demo820.modules,
};

/** The demo vendor's module versions released for 8.2.0. */
export const FIXTURE_MODULES: FixtureModule[] = DEMO_MODULE_RELEASES.filter((m) =>
  demo820.modules.some((r) => r.id === m.id && r.version === m.version),
);

export interface InstallFeed {
  url: string;
  /** Environment for `startTestApp` / a Patchbay process: this feed, its root, the licence key. */
  env: Record<string, string>;
  /** A licence for `systemId`: major 8 and 9, a contract covering 2026, every module. */
  licenceFor(systemId: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function publishInstallFeed(
  dir: string,
  { releases, modules = FIXTURE_MODULES }: { releases: FixtureRelease[]; modules?: FixtureModule[] },
): Promise<InstallFeed> {
  const repo = await FeedRepository.create(path.join(dir, 'vendor'));
  const work = path.join(dir, 'work');
  const catalog: Catalog = {
    formatVersion: 1,
    product: 'patchbay-demo-pbx',
    generatedAt: '2026-11-01T00:00:00Z',
    channels: { stable: [], beta: [] },
    modules: [],
  };
  for (const r of releases) {
    const bundle = await addDemoReleaseBundle(
      repo,
      work,
      r.version,
      { dataSchemaVersion: r.dataSchemaVersion, migrations: r.migrations ?? [], ...r.manifest },
      r.paddingBytes ? (src) => writeRandom(path.join(src, 'padding.bin'), r.paddingBytes!) : undefined,
    );
    catalog.channels.stable.push({
      version: r.version,
      releasedAt: r.releasedAt ?? '2026-09-01T08:00:00Z',
      notes: { en: `## ${r.version}\n\nFixes.`, de: `## ${r.version}\n\nKorrekturen.`, fr: `## ${r.version}\n\nCorrections.` },
      bundle,
      upgradableFrom: r.upgradableFrom ?? '>=8.0.0 <9.0.0',
      requiresLicenceMajor: Number(r.version.split('.')[0]),
      modules: r.modules ?? [],
    });
  }
  for (const m of modules) {
    const { failLoad, manifestVersion, ...module } = m;
    const bundle = await addDemoModuleBundle(repo, work, module, {
      manifest: manifestVersion ? { version: manifestVersion } : {},
      module: { failLoad: failLoad ?? false },
    });
    catalog.modules.push({ ...module, bundle });
  }
  await repo.setCatalog(catalog);
  await repo.publish();
  await fsp.rm(work, { recursive: true, force: true });

  const rootFile = path.join(dir, 'root.json');
  fs.writeFileSync(rootFile, repo.rootJson());
  const keyFile = path.join(dir, 'licence.pem');
  const key = await createLicenceKey(keyFile);
  const keysFile = path.join(dir, 'licence-keys.json');
  fs.writeFileSync(keysFile, JSON.stringify([key]));
  const server: StaticFeedServer = await serveFeedDirectory(repo.repositoryDir);
  return {
    url: server.url,
    env: { PATCHBAY_FEED: server.url, PATCHBAY_FEED_ROOT: rootFile, PATCHBAY_LICENCE_KEYS: keysFile },
    async licenceFor(systemId) {
      const licence = signLicence(
        {
          formatVersion: 1,
          id: 'LIC-INSTALL',
          systemId,
          customer: 'Test',
          edition: 'Business',
          issuedAt: '2026-01-01T00:00:00Z',
          licensedModules: ['fax', 'callcenter', 'crm-connector'],
          maxMajor: 9,
          updateContract: { validFrom: '2026-01-01T00:00:00Z', validUntil: '2027-12-31T00:00:00Z' },
        },
        await loadLicenceKey(keyFile),
      );
      return Buffer.from(JSON.stringify(licence));
    },
    close: () => server.close(),
  };
}

/** Imports the feed's licence into the app and searches: the fixture's versions become installable. */
export async function prepareForInstall(client: HttpClient, feed: InstallFeed): Promise<void> {
  const systemId = (await client.query<{ system: { systemId: string } }>('{ system { systemId } }')).data!.system.systemId;
  await importLicenceFile(client, await feed.licenceFor(systemId));
  const check = await client.query<{ checkForUpdates: { __typename: string } }>('mutation { checkForUpdates { __typename } }');
  if (check.data?.checkForUpdates.__typename !== 'CheckForUpdatesSuccess') throw new Error(`search failed: ${JSON.stringify(check)}`);
}

async function writeRandom(file: string, bytes: number): Promise<void> {
  const handle = await fsp.open(file, 'w');
  try {
    const chunk = crypto.randomBytes(Math.min(bytes, 4 * 1024 * 1024));
    for (let done = 0; done < bytes; done += chunk.length) {
      chunk.writeUInt32LE(done >>> 0, 0);
      await handle.write(chunk, 0, Math.min(chunk.length, bytes - done));
    }
  } finally {
    await handle.close();
  }
}
