/**
 * The embedded demo vendor: on first start without PATCHBAY_FEED, it creates vendor keys in
 * `$PATCHBAY_HOME/demo-vendor/`, builds real bundles of the demo PBX (8.1.3, 8.2.0, 9.0.0, 9.1.0
 * and a beta) and of its modules, and publishes them with the publisher. Later starts only renew
 * the timestamp when it is about to expire, as a vendor's publishing job would; the vendor's tools
 * (the TUF publisher, tar) are imported only then, not at every start.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from '../domain/catalog.js';
import { DEMO_APPLIANCE_SOURCE, writeDemoRelease } from '../adapters/appliance/demo-installer.js';
import type { FeedRepository } from '../vendor/feed-repository.js';
import type { SignedLicence } from '../domain/licence.js';
import { createLicenceKey, loadLicenceKey, publicKeyOf, signLicence, type TrustedLicenceKey } from '../vendor/licence-issuer.js';
import { DEMO_NOTES } from './demo-release-notes.js';

interface DemoRelease {
  version: string;
  releasedAt: string;
  upgradableFrom: string;
  dataSchemaVersion: number;
  migrations: string[];
  modules: { id: string; version: string }[];
  channel: 'stable' | 'beta';
}

/**
 * Every situation of the workflow: a patch (8.1.3), a minor (8.2.0), a major (9.0.0, from 8.1.0 on),
 * a version with a required stop (9.1.0 needs 9.0.0), a module left behind by 9.x (fax), a beta.
 */
export const DEMO_RELEASES: DemoRelease[] = [
  {
    version: '8.1.3',
    releasedAt: '2026-06-10T08:00:00Z',
    upgradableFrom: '>=8.0.0 <8.1.3',
    dataSchemaVersion: 1,
    migrations: [],
    modules: [
      { id: 'fax', version: '2.0.1' },
      { id: 'callcenter', version: '3.0.0' },
      { id: 'crm-connector', version: '1.4.0' },
    ],
    channel: 'stable',
  },
  {
    version: '8.2.0',
    releasedAt: '2026-08-20T08:00:00Z',
    upgradableFrom: '>=8.0.0 <8.2.0',
    dataSchemaVersion: 2,
    migrations: ['calls-recording-flag'],
    modules: [
      { id: 'fax', version: '2.1.0' },
      { id: 'callcenter', version: '3.1.0' },
      { id: 'crm-connector', version: '1.5.0' },
    ],
    channel: 'stable',
  },
  {
    version: '9.0.0',
    releasedAt: '2026-10-15T08:00:00Z',
    upgradableFrom: '>=8.1.0 <9.0.0',
    dataSchemaVersion: 3,
    migrations: ['voicemail-and-dialplan-v2'],
    modules: [
      { id: 'callcenter', version: '4.0.0' },
      { id: 'crm-connector', version: '1.5.0' },
    ],
    channel: 'stable',
  },
  {
    version: '9.1.0',
    releasedAt: '2026-11-10T08:00:00Z',
    upgradableFrom: '>=9.0.0 <9.1.0',
    dataSchemaVersion: 3,
    migrations: [],
    modules: [
      { id: 'callcenter', version: '4.1.0' },
      { id: 'crm-connector', version: '2.0.0' },
    ],
    channel: 'stable',
  },
  {
    version: '9.2.0-beta.1',
    releasedAt: '2026-11-20T08:00:00Z',
    upgradableFrom: '>=9.1.0 <9.2.0-0',
    dataSchemaVersion: 3,
    migrations: [],
    modules: [
      { id: 'callcenter', version: '4.1.0' },
      { id: 'crm-connector', version: '2.0.0' },
    ],
    channel: 'beta',
  },
];

export const DEMO_MODULE_RELEASES = [
  { id: 'fax', name: 'Fax', version: '2.0.1', supportedSystem: '>=8.0.0 <9.0.0' },
  { id: 'fax', name: 'Fax', version: '2.1.0', supportedSystem: '>=8.2.0 <9.0.0' },
  { id: 'callcenter', name: 'Call Center', version: '3.1.0', supportedSystem: '>=8.1.0 <9.0.0' },
  { id: 'callcenter', name: 'Call Center', version: '4.0.0', supportedSystem: '>=9.0.0 <10.0.0' },
  { id: 'callcenter', name: 'Call Center', version: '4.1.0', supportedSystem: '>=9.1.0 <10.0.0' },
  { id: 'crm-connector', name: 'CRM Connector', version: '1.5.0', supportedSystem: '>=8.0.0 <10.0.0' },
  { id: 'crm-connector', name: 'CRM Connector', version: '2.0.0', supportedSystem: '>=9.1.0 <10.0.0' },
];

export interface DemoVendor {
  dir: string;
  repositoryDir: string;
  /** The root that appliances start out trusting (version 1). */
  initialRootJson: string;
  /** The key that signs the demo licences, trusted by default. */
  licenceKey: TrustedLicenceKey;
}

/** The demo licences of one system: the one imported at first start, and an upgrade to import. */
export interface DemoLicences {
  initial: SignedLicence;
  upgradeFile: string;
}

export async function ensureDemoVendor(home: string, now = new Date()): Promise<DemoVendor> {
  const dir = path.join(home, 'demo-vendor');
  const repositoryDir = path.join(dir, 'repository');
  if (!fs.existsSync(path.join(repositoryDir, 'timestamp.json'))) {
    // A start killed while building leaves a partial directory: build again from scratch.
    await fsp.rm(dir, { recursive: true, force: true });
    await buildDemoFeed(dir, now);
  } else {
    const timestamp = JSON.parse(await fsp.readFile(path.join(repositoryDir, 'timestamp.json'), 'utf8')) as { signed: { expires: string } };
    if (Date.parse(timestamp.signed.expires) - now.getTime() < 12 * 3_600_000) {
      const { FeedRepository } = await import('../vendor/feed-repository.js');
      await (await FeedRepository.open(dir)).refreshTimestamp({ now });
    }
  }
  const keyFile = path.join(dir, 'keys', 'licence.pem');
  const licenceKey = fs.existsSync(keyFile) ? publicKeyOf(await loadLicenceKey(keyFile)) : await createLicenceKey(keyFile);
  return { dir, repositoryDir, initialRootJson: await fsp.readFile(path.join(repositoryDir, '1.root.json'), 'utf8'), licenceKey };
}

/**
 * Issues the demo licences for this system: the initial one (major 8, a contract that covers the
 * 8.x releases but ended before 9.0.0, no licence for the CRM connector) and an upgrade (major 9,
 * a renewed contract, every module) written to `licence-upgrade.json` for the admin to import.
 */
export async function issueDemoLicences(vendor: DemoVendor, systemId: string): Promise<DemoLicences> {
  const key = await loadLicenceKey(path.join(vendor.dir, 'keys', 'licence.pem'));
  const base = { formatVersion: 1 as const, id: 'DEMO-0001', systemId, customer: 'Demo Company Ltd.', edition: 'Business' };
  const initial = signLicence(
    {
      ...base,
      issuedAt: '2025-10-01T00:00:00Z',
      licensedModules: ['fax', 'callcenter'],
      maxMajor: 8,
      updateContract: { validFrom: '2025-10-01T00:00:00Z', validUntil: '2026-10-01T00:00:00Z' },
    },
    key,
  );
  const upgrade = signLicence(
    {
      ...base,
      issuedAt: '2026-11-01T00:00:00Z',
      licensedModules: ['fax', 'callcenter', 'crm-connector'],
      maxMajor: 9,
      updateContract: { validFrom: '2025-10-01T00:00:00Z', validUntil: '2027-10-01T00:00:00Z' },
    },
    key,
  );
  const upgradeFile = path.join(vendor.dir, 'licence-upgrade.json');
  await fsp.writeFile(path.join(vendor.dir, 'licence-initial.json'), JSON.stringify(initial, null, 2) + '\n');
  await fsp.writeFile(upgradeFile, JSON.stringify(upgrade, null, 2) + '\n');
  return { initial, upgradeFile };
}

async function buildDemoFeed(dir: string, now: Date): Promise<void> {
  const building = `${dir}.building`;
  await fsp.rm(building, { recursive: true, force: true });
  const { FeedRepository } = await import('../vendor/feed-repository.js');
  const repo = await FeedRepository.create(building, { now });
  const work = path.join(building, 'work');
  const catalog: Catalog = {
    formatVersion: 1,
    product: 'patchbay-demo-pbx',
    generatedAt: now.toISOString(),
    channels: { stable: [], beta: [] },
    modules: [],
  };

  for (const r of DEMO_RELEASES) {
    const bundle = await addDemoReleaseBundle(repo, work, r.version, { dataSchemaVersion: r.dataSchemaVersion, migrations: r.migrations });
    catalog.channels[r.channel].push({
      version: r.version,
      releasedAt: r.releasedAt,
      notes: DEMO_NOTES[r.version]!,
      bundle,
      upgradableFrom: r.upgradableFrom,
      requiresLicenceMajor: Number(r.version.split('.')[0]),
      modules: r.modules,
    });
  }
  for (const m of DEMO_MODULE_RELEASES) catalog.modules.push({ ...m, bundle: await addDemoModuleBundle(repo, work, m) });
  await repo.setCatalog(catalog);
  await repo.publish({ now });
  await fsp.rm(work, { recursive: true, force: true });
  await fsp.rename(building, dir);
}

/**
 * Builds the bundle of a release of the demo program (its manifest with `manifest` on top) and adds
 * it to the repository as a target; `prepare` may add files first. Returns the catalog's bundle entry.
 */
export async function addDemoReleaseBundle(
  repo: FeedRepository,
  work: string,
  version: string,
  manifest: Record<string, unknown>,
  prepare?: (dir: string) => Promise<void>,
): Promise<{ target: string; size: number }> {
  const src = path.join(work, `pbx-${version}`);
  await writeDemoRelease(DEMO_APPLIANCE_SOURCE, src, version, manifest);
  await prepare?.(src);
  const bundle = path.join(work, 'bundles', `pbx-${version}.tar.gz`);
  await (await import('../vendor/bundle.js')).buildBundle(src, bundle);
  const target = `releases/pbx-${version}.tar.gz`;
  return { target, size: (await repo.addTarget(target, bundle)).length };
}

/**
 * Builds the bundle of a demo module (`manifest.json` and `module.json`, with `overrides` on top of
 * each) and adds it to the repository. Returns the catalog's bundle entry.
 */
export async function addDemoModuleBundle(
  repo: FeedRepository,
  work: string,
  m: { id: string; name: string; version: string; supportedSystem: string },
  overrides: { manifest?: Record<string, unknown>; module?: Record<string, unknown> } = {},
): Promise<{ target: string; size: number }> {
  const src = path.join(work, `${m.id}-${m.version}`);
  await fsp.mkdir(src, { recursive: true });
  const manifest = { id: m.id, name: m.name, version: m.version, supportedSystem: m.supportedSystem, ...overrides.manifest };
  await fsp.writeFile(path.join(src, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  await fsp.writeFile(path.join(src, 'module.json'), JSON.stringify({ id: m.id, entry: `${m.id}.js`, ...overrides.module }) + '\n');
  const bundle = path.join(work, 'bundles', `${m.id}-${m.version}.tar.gz`);
  await (await import('../vendor/bundle.js')).buildBundle(src, bundle);
  const target = `modules/${m.id}-${m.version}.tar.gz`;
  return { target, size: (await repo.addTarget(target, bundle)).length };
}
