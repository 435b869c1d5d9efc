/**
 * What Search now reads and decides with: the vendor feed (a configured one, or the embedded demo
 * vendor served over real HTTP on loopback), the licences and the keys trusted for them, the
 * available versions, the module plan and the connectivity check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Clock } from '../adapters/clock.js';
import { serveFeedDirectory, type StaticFeedServer } from '../adapters/feed/static-feed-server.js';
import { TufFeedClient } from '../adapters/feed/tuf-feed-client.js';
import type { Logger } from '../adapters/logger.js';
import { probeEndpoint } from '../adapters/network/connectivity-probe.js';
import { type Config, ConfigError } from '../config.js';
import type { Db } from '../db/client.js';
import { ensureDemoVendor } from '../demo/demo-vendor.js';
import { importDemoLicenceOnce } from '../demo/demo-licence.js';
import type { Endpoint } from '../domain/connectivity.js';
import { ConnectivityRepository } from '../repositories/connectivity.repository.js';
import { LicencesRepository } from '../repositories/licences.repository.js';
import type { SettingsRepository } from '../repositories/settings.repository.js';
import { UpdatesRepository } from '../repositories/updates.repository.js';
import { ConnectivityService } from '../services/connectivity.service.js';
import { LicenceService } from '../services/licence.service.js';
import { ModulesService } from '../services/modules.service.js';
import { UpdatesService } from '../services/updates.service.js';
import type { InstalledProductReadModel } from '../services/read-models/installed-product.js';
import type { TrustedLicenceKey } from '../vendor/licence-issuer.js';

export interface CatalogWiring {
  feedClient: TufFeedClient;
  /** The embedded demo vendor's feed server, when no PATCHBAY_FEED is configured. */
  demoFeed: StaticFeedServer | null;
  licences: LicenceService;
  updates: UpdatesService;
  modules: ModulesService;
  connectivity: ConnectivityService;
  /** On the first start with the demo vendor: the upgrade licence it left for the admin to import. */
  demoUpgradeLicence: string | null;
}

export async function wireCatalog(
  config: Readonly<Config>,
  deps: {
    db: Db;
    systemId: string;
    /** The installed product, kept until it changes. */
    installed: InstalledProductReadModel;
    settings: SettingsRepository;
    networkTimeoutMs: number;
    clock: Clock;
    logger: Logger;
  },
): Promise<CatalogWiring> {
  const { db, clock, logger } = deps;
  let demoFeed: StaticFeedServer | null = null;
  let feedLocation = config.feed;
  let initialRoot: string | null = config.feedRoot ? fs.readFileSync(config.feedRoot, 'utf8') : null;
  // The demo vendor exists with the embedded default; its licence key is trusted then, as the
  // vendor's key would be on a real appliance.
  const demoVendor = feedLocation ? null : await ensureDemoVendor(config.home, clock.now());
  if (demoVendor) {
    demoFeed = await serveFeedDirectory(demoVendor.repositoryDir);
    feedLocation = demoFeed.url;
    initialRoot = demoVendor.initialRootJson;
  }
  const feedClient = new TufFeedClient({
    feed: feedLocation!,
    stateDir: path.join(config.home, 'feed'),
    timeoutMs: deps.networkTimeoutMs,
  });
  if (initialRoot) await feedClient.bootstrap(initialRoot);

  const trustedLicenceKeys: TrustedLicenceKey[] = [
    ...(config.licenceKeys ? readTrustedLicenceKeys(config.licenceKeys) : []),
    ...(demoVendor ? [demoVendor.licenceKey] : []),
  ];
  const licences = new LicenceService(
    deps.systemId,
    () => trustedLicenceKeys,
    new LicencesRepository(db),
    clock,
    logger.child({ area: 'licences' }),
  );
  const demoUpgradeLicence = demoVendor
    ? await importDemoLicenceOnce({ vendor: demoVendor, systemId: deps.systemId, licences, settings: deps.settings, clock, logger })
    : null;
  const updates = new UpdatesService(
    feedClient,
    new UpdatesRepository(db),
    deps.settings,
    async () => (await deps.installed.readInstalled()).version,
    () => licences.inForce(),
    clock,
    logger.child({ area: 'updates' }),
  );
  const modules = new ModulesService(deps.installed, updates, () => licences.inForce(), clock);
  const endpoints: Endpoint[] = [
    ...(feedClient.isLocal ? [] : [{ purpose: 'Update feed', url: feedClient.timestampUrl }]),
    ...config.extraEndpoints.map((url) => ({ purpose: 'Vendor service', url })),
  ];
  const connectivity = new ConnectivityService(
    () => endpoints,
    (e) => probeEndpoint(e, { timeoutMs: deps.networkTimeoutMs, now: () => clock.now() }),
    new ConnectivityRepository(db),
  );
  return { feedClient, demoFeed, licences, updates, modules, connectivity, demoUpgradeLicence };
}

const trustedKeysSchema = z.array(z.object({ keyId: z.string().min(1), publicKey: z.string().regex(/^[0-9a-f]{64}$/) }));

/** The vendor keys trusted for licences (`npm run licence -- keygen` prints an entry). */
function readTrustedLicenceKeys(file: string): TrustedLicenceKey[] {
  try {
    return trustedKeysSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw new ConfigError([
      `PATCHBAY_LICENCE_KEYS: ${file} must hold a JSON list of { keyId, publicKey (64 hex digits) } (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    ]);
  }
}
