/**
 * The composition root: the only file that reads `process.env`. `startPatchbay(config)` wires the
 * concrete pieces (database, accounts, appliance, GraphQL app); the tests call it the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ApplianceLayout } from './adapters/appliance/appliance-layout.js';
import type { ApplianceRuntime } from './adapters/appliance/appliance-runtime.js';
import { ChildProcessAppliance } from './adapters/appliance/child-process-appliance.js';
import { CommandAppliance } from './adapters/appliance/command-appliance.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance } from './adapters/appliance/demo-installer.js';
import { type Clock, systemClock } from './adapters/clock.js';
import { createLogger, type Logger } from './adapters/logger.js';
import { createScryptHasher, type PasswordHasher } from './adapters/password-hasher.js';
import { type App, type AppDeps, buildApp } from './app.js';
import type { Services } from '../schema/context.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { type Db, openDatabase } from './db/client.js';
import { createEventBus } from './events.js';
import { scheduleHousekeeping } from './jobs/housekeeping.job.js';
import { scheduleUpdateChecks } from './jobs/update-check.job.js';
import { DownloadRunner, type DownloadRunnerDeps } from './jobs/download.runner.js';
import { JobsRepository, JobStepsRepository } from './repositories/jobs.repository.js';
import { DownloadService } from './services/download.service.js';
import { BackupStore, type BackupIo } from './adapters/backup/backup-store.js';
import { MigrationRunner } from './adapters/appliance/migration-runner.js';
import { statfsFree } from './adapters/download/resumable-downloader.js';
import { JournalStore } from './adapters/install/journal-store.js';
import { StagingArea } from './adapters/download/staging-area.js';
import { DownloadArea } from './adapters/download/download-area.js';
import { randomIds } from './adapters/ids.js';
import { measureCopySpeed } from './adapters/backup/copy-speed.js';
import { DowntimeRepository } from './repositories/downtime.repository.js';
import { DowntimeService } from './services/downtime.service.js';
import { InstallService } from './services/install.service.js';
import { Installer, type InstallerHooks } from './services/installer.js';
import { serveFeedDirectory, type StaticFeedServer } from './adapters/feed/static-feed-server.js';
import { TufFeedClient } from './adapters/feed/tuf-feed-client.js';
import { probeEndpoint } from './adapters/network/connectivity-probe.js';
import { type DemoVendor, ensureDemoVendor, issueDemoLicences } from './demo/demo-vendor.js';
import { LicencesRepository } from './repositories/licences.repository.js';
import { LicenceService } from './services/licence.service.js';
import { ModulesService } from './services/modules.service.js';
import type { TrustedLicenceKey } from './vendor/licence-issuer.js';
import type { Endpoint } from './domain/connectivity.js';
import { UpdatesRepository } from './repositories/updates.repository.js';
import { ConnectivityService } from './services/connectivity.service.js';
import { UpdatesService } from './services/updates.service.js';
import { AccountsRepository } from './repositories/accounts.repository.js';
import { SystemInfoRepository } from './repositories/system-info.repository.js';
import { AccountsService } from './services/accounts.service.js';
import { ApplianceSupervisor } from './services/appliance-supervisor.js';
import { SystemService } from './services/system.service.js';
import { ensureWebBuilt } from './web-build.js';

export interface PatchbayOptions {
  logger?: Logger;
  clock?: Clock;
  hasher?: PasswordHasher;
  /** Built SPA directory; `undefined` builds/uses `web/dist`, `null` serves the API only. */
  webDist?: string | null;
  /** Where the demo appliance finds `better-sqlite3` (Patchbay's own node_modules). */
  nodePath?: string;
  socketRecheckMs?: number;
  limits?: AppDeps['limits'];
  /** Timeout of each feed and connectivity request. */
  networkTimeoutMs?: number;
  /** Run the scheduled update check (on by default). */
  scheduledChecks?: boolean;
  /** Free bytes in a directory (tests inject a full disk). */
  freeSpace?: (dir: string) => Promise<number>;
  /** Timeouts and retries of bundle downloads (tests shorten them). */
  downloadOptions?: DownloadRunnerDeps['downloadOptions'];
  /** Installation: how long a started release may take to be healthy; hooks at each journaled step (fault tests). */
  install?: { healthCheckTimeoutMs?: number; hooks?: InstallerHooks };
  /** How backups write files (tests inject a full disk or corrupt bytes). */
  backupIo?: Partial<BackupIo>;
}

export interface Patchbay {
  app: App;
  installer: Installer;
  config: Readonly<Config>;
  db: Db;
  layout: ApplianceLayout;
  supervisor: ApplianceSupervisor;
  services: Services;
  /** The embedded demo vendor's feed server, when no PATCHBAY_FEED is configured. */
  demoFeed: StaticFeedServer | null;
  /** Set on the first start when no admin password was configured; printed once, never stored. */
  generatedAdminPassword: string | null;
  stop(): Promise<void>;
}

const NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));

export async function startPatchbay(config: Readonly<Config>, options: PatchbayOptions = {}): Promise<Patchbay> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  fs.mkdirSync(config.home, { recursive: true, mode: 0o700 });
  const db = openDatabase(path.join(config.home, 'patchbay.db'));

  const accounts = new AccountsService(
    new AccountsRepository(db),
    options.hasher ?? createScryptHasher(),
    clock,
    { idleMs: config.sessionIdleMinutes * 60_000, absoluteMs: config.sessionAbsoluteHours * 3_600_000 },
    logger.child({ area: 'accounts' }),
  );
  const { generatedPassword } = await accounts.ensureAdmin(config.adminPassword);
  const systemId = new SystemInfoRepository(db).ensureSystemId(clock.now());

  const layout = new ApplianceLayout(path.join(config.home, 'appliance'));
  let runtime: ApplianceRuntime;
  if (config.appliance.kind === 'demo') {
    await installDemoAppliance(layout, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
    runtime = new ChildProcessAppliance({
      layout,
      nodePath: options.nodePath ?? NODE_MODULES,
      env: { PBX_CALL_INTERVAL_MS: String(config.appliance.callIntervalMs) },
      logger: logger.child({ area: 'appliance' }),
    });
  } else {
    runtime = new CommandAppliance({
      startCommand: config.appliance.startCommand,
      stopCommand: config.appliance.stopCommand,
      healthUrl: config.appliance.healthUrl,
    });
  }
  const supervisor = new ApplianceSupervisor({ runtime, clock, logger: logger.child({ area: 'supervisor' }) });
  const downtime = new DowntimeService(new DowntimeRepository(db), clock);
  downtime.watch(supervisor);
  const events = createEventBus();
  const system = new SystemService(systemId, layout, supervisor, events, logger.child({ area: 'system' }));
  system.watch();

  // The feed: a configured one, or the embedded demo vendor served over real HTTP on loopback.
  let demoFeed: StaticFeedServer | null = null;
  let feedLocation = config.feed;
  let initialRoot: string | null = config.feedRoot ? fs.readFileSync(config.feedRoot, 'utf8') : null;
  // The demo vendor exists with the embedded default; its licence key is trusted then, as the
  // vendor's key would be on a real appliance.
  let demoVendor: DemoVendor | null = null;
  if (!feedLocation) {
    const vendor = (demoVendor = await ensureDemoVendor(config.home, clock.now()));
    demoFeed = await serveFeedDirectory(vendor.repositoryDir);
    feedLocation = demoFeed.url;
    initialRoot = vendor.initialRootJson;
  }
  const timeoutMs = options.networkTimeoutMs ?? 10_000;
  const feedClient = new TufFeedClient({ feed: feedLocation, stateDir: path.join(config.home, 'feed'), timeoutMs });
  if (initialRoot) await feedClient.bootstrap(initialRoot);
  const updatesRepo = new UpdatesRepository(db);
  const trustedLicenceKeys: TrustedLicenceKey[] = [
    ...(config.licenceKeys ? readTrustedLicenceKeys(config.licenceKeys) : []),
    ...(demoVendor ? [demoVendor.licenceKey] : []),
  ];
  const licences = new LicenceService(
    systemId,
    () => trustedLicenceKeys,
    new LicencesRepository(db),
    clock,
    logger.child({ area: 'licences' }),
  );
  if (demoVendor && !updatesRepo.getSetting<boolean>('demo.licenceImported')) {
    const demo = await issueDemoLicences(demoVendor, systemId);
    licences.import(Buffer.from(JSON.stringify(demo.initial)));
    updatesRepo.putSetting('demo.licenceImported', true, clock.now());
    logger.info('demo licence imported', { upgradeLicence: demo.upgradeFile });
  }
  const updates = new UpdatesService(
    feedClient,
    updatesRepo,
    async () => (await layout.readInstalled()).version,
    () => licences.list(),
    clock,
    logger.child({ area: 'updates' }),
  );
  const modules = new ModulesService(layout, updates, () => licences.list(), clock);
  const endpoints: Endpoint[] = [
    ...(feedClient.isLocal ? [] : [{ purpose: 'Update feed', url: feedClient.timestampUrl }]),
    ...config.extraEndpoints.map((url) => ({ purpose: 'Vendor service', url })),
  ];
  const connectivity = new ConnectivityService(
    () => endpoints,
    (e) => probeEndpoint(e, { timeoutMs, now: () => clock.now() }),
    updatesRepo,
  );
  const freeSpace = options.freeSpace ?? statfsFree;
  const downloadArea = new DownloadArea(path.join(config.home, 'downloads'), freeSpace);
  const staging = new StagingArea(path.join(config.home, 'staging'));
  const jobsRepo = new JobsRepository(db);
  const runner = new DownloadRunner({
    repo: jobsRepo,
    updates,
    targetUrl: (target) => feedClient.targetUrl(target),
    downloads: downloadArea,
    staging,
    events,
    clock,
    logger: logger.child({ area: 'downloads' }),
    downloadOptions: options.downloadOptions,
  });
  const downloads = new DownloadService({
    repo: jobsRepo,
    updates,
    modules,
    runner,
    downloads: downloadArea,
    clock,
    newId: randomIds,
  });

  const backups = new BackupStore({ dir: path.join(config.home, 'backups'), io: options.backupIo });
  const jobSteps = new JobStepsRepository(db);
  let install: InstallService | null = null;
  const installer = new Installer({
    journal: new JournalStore(path.join(config.home, 'install')),
    jobs: jobsRepo,
    steps: jobSteps,
    backups,
    layout,
    supervisor,
    migrations: new MigrationRunner({ layout, nodePath: options.nodePath ?? NODE_MODULES }),
    bundles: runner,
    staging,
    downtime,
    blockers: async (version) =>
      (await updates.availableVersions(null)).find((v) => v.version === version)?.blockers ?? [
        { code: 'ALREADY_INSTALLED', message: `Version ${version} is not newer than the installed one.` },
      ],
    freeSpace,
    events,
    clock,
    logger: logger.child({ area: 'install' }),
    options: {
      healthCheckTimeoutMs: options.install?.healthCheckTimeoutMs ?? config.installHealthTimeoutSeconds * 1000,
      hooks: options.install?.hooks,
      keepBackups: () => install?.retention() ?? 5,
    },
  });
  install = new InstallService({
    jobs: jobsRepo,
    steps: jobSteps,
    installer,
    downloads,
    updates,
    backups,
    layout,
    supervisor,
    downtime,
    settings: { get: (key) => updatesRepo.getSetting(key), put: (key, value, at) => updatesRepo.putSetting(key, value, at) },
    freeSpace,
    logger: logger.child({ area: 'install' }),
    measureCopySpeed: () => measureCopySpeed(path.join(config.home, 'backups')),
    clock,
  });
  const services: Services = { accounts, system, events, updates, connectivity, licences, modules, downloads, install, downtime };

  const webDist = options.webDist === undefined ? await ensureWebBuilt(logger) : options.webDist;
  const app = buildApp({
    services,
    logger: logger.child({ area: 'http' }),
    allowedOrigins: config.allowedOrigins,
    webDist,
    socketRecheckMs: options.socketRecheckMs,
    limits: options.limits,
  });
  await app.start(config.port, config.host);
  const stopHousekeeping = scheduleHousekeeping(accounts, clock, logger);
  runner.recover();
  const stopUpdateChecks =
    options.scheduledChecks === false ? () => {} : scheduleUpdateChecks(updates, clock, logger.child({ area: 'updates' }));
  // An installation that a crash interrupted is completed or undone first; it starts the appliance
  // itself. Otherwise the appliance starts now. Either way the API answers meanwhile.
  const recovery = await installer.recover();
  if (recovery) logger.warn('recovering an interrupted installation', recovery);
  else supervisor.start().catch((err: unknown) => logger.error('appliance did not start', { err }));

  let stopping: Promise<void> | null = null;
  return {
    app,
    installer,
    config,
    db,
    layout,
    supervisor,
    services,
    demoFeed,
    generatedAdminPassword: generatedPassword,
    stop() {
      stopping ??= (async () => {
        stopHousekeeping();
        stopUpdateChecks();
        await updates.settled();
        await installer.stop();
        await runner.stop();
        system.unwatch();
        downtime.unwatch();
        await app.stop();
        // A supervised demo appliance is Patchbay's child and stops with it; a real appliance runs on.
        await supervisor.shutdown({ stopAppliance: config.appliance.kind === 'demo' });
        await demoFeed?.close();
        db.$client.close();
      })();
      return stopping;
    },
  };
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

async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`patchbay: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let patchbay: Patchbay;
  try {
    patchbay = await startPatchbay(config, { logger });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`patchbay: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (patchbay.generatedAdminPassword) {
    // Printed once on first start; only its hash is stored.
    process.stdout.write(
      `\n  Initial password for user "admin": ${patchbay.generatedAdminPassword}\n  (shown once; set PATCHBAY_ADMIN_PASSWORD before the first start to choose it)\n\n`,
    );
  }
  process.stdout.write(`Patchbay is listening on ${patchbay.app.url}\n`);
  exitOnSignals(patchbay, logger);
}

/** SIGINT/SIGTERM stop Patchbay gracefully (the appliance too, when it is its child); a second one exits at once. */
export function exitOnSignals(patchbay: Patchbay, logger: Logger): void {
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    logger.info('shutting down', { signal });
    patchbay.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`patchbay: could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
