/**
 * The composition root: the only file that reads `process.env`. `startPatchbay(config)` wires the
 * concrete pieces through the wiring modules in `server/wiring/` (the appliance, the catalog, the
 * installation), builds the GraphQL app and starts the background work; the tests call it the
 * same way. Run as a program, it loads the configuration and stops gracefully on a signal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from './adapters/clock.js';
import type { StaticFeedServer } from './adapters/feed/static-feed-server.js';
import { createLogger, type Logger } from './adapters/logger.js';
import { createScryptHasher } from './adapters/password-hasher.js';
import type { ApplianceLayout } from './adapters/appliance/appliance-layout.js';
import type { CallControl } from './adapters/appliance/appliance-runtime.js';
import { type App, buildApp } from './app.js';
import type { Services } from '../schema/context.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { databaseFile, type Db, openDatabase } from './db/client.js';
import { addressRanges } from './domain/address-ranges.js';
import { TlsMaterialError } from './domain/errors/index.js';
import { createEventBus } from './events.js';
import { scheduleHousekeeping } from './jobs/housekeeping.job.js';
import { scheduleUpdateChecks } from './jobs/update-check.job.js';
import { SettingsRepository } from './repositories/settings.repository.js';
import { SystemInfoRepository } from './repositories/system-info.repository.js';
import { MaintenanceService } from './services/maintenance.service.js';
import { UnattendedService } from './services/unattended.service.js';
import type { ApplianceSupervisor } from './services/appliance-supervisor.js';
import type { InstallEngine } from './services/install/install-engine.js';
import { projectPath } from './project-root.js';
import { ensureWebBuilt } from './web-build.js';
import { wireAccounts } from './wiring/accounts.wiring.js';
import { wireAppliance } from './wiring/appliance.wiring.js';
import { wireCatalog } from './wiring/catalog.wiring.js';
import { wireInstall } from './wiring/install.wiring.js';
import { type TlsInfo, type TlsReloadOutcome, wireTls } from './wiring/tls.wiring.js';
import type { PatchbayOptions } from './wiring/patchbay-options.js';

export type { PatchbayOptions };

export interface Patchbay {
  app: App;
  engine: InstallEngine;
  config: Readonly<Config>;
  db: Db;
  layout: ApplianceLayout;
  supervisor: ApplianceSupervisor;
  /** The appliance's calls and drain (what the DRAIN step uses). */
  calls: CallControl;
  services: Services;
  /** The embedded demo vendor's feed server, when no PATCHBAY_FEED is configured. */
  demoFeed: StaticFeedServer | null;
  /** Set on the first start when no admin password was configured; printed once, never stored. */
  generatedAdminPassword: string | null;
  /** Set on the first start with the demo vendor: the upgrade licence it left for the admin to import. */
  demoUpgradeLicence: string | null;
  /** The certificate served (null: plain HTTP), and its reload from the files (SIGHUP). */
  tls: { readonly info: TlsInfo; reload(): Promise<TlsReloadOutcome> } | null;
  stop(): Promise<void>;
}

const NODE_MODULES = projectPath('node_modules');

export async function startPatchbay(config: Readonly<Config>, options: PatchbayOptions = {}): Promise<Patchbay> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const nodePath = options.nodePath ?? NODE_MODULES;
  fs.mkdirSync(config.home, { recursive: true, mode: 0o700 });
  // First, so that an unusable certificate stops the start before anything else runs.
  const tls = await wireTls(config, { clock, logger: logger.child({ area: 'tls' }) });
  const db = openDatabase(databaseFile(config.home));
  const settings = new SettingsRepository(db);
  const events = createEventBus();

  const accounts = wireAccounts(config, { db, hasher: options.hasher ?? createScryptHasher(), clock, logger, events });
  const { generatedPassword } = await accounts.ensureAdmin(config.adminPassword);
  const systemId = new SystemInfoRepository(db).ensureSystemId(clock.now());

  const appliance = await wireAppliance(config, { db, systemId, events, clock, logger, nodePath });
  const { layout, supervisor, downtime, system } = appliance;
  const catalog = await wireCatalog(config, {
    db,
    systemId,
    installed: appliance.installed,
    settings,
    networkTimeoutMs: options.networkTimeoutMs ?? 10_000,
    clock,
    logger,
  });
  const { updates, licences, modules, connectivity, demoFeed } = catalog;
  const maintenance = new MaintenanceService({
    settings,
    clock,
    defaultTimeZone: config.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  const { downloads, runner, engine, install, backups, installEstimate, jobRecords, schedules, jobs, scheduler } = wireInstall(config, {
    db,
    layout,
    supervisor,
    downtime,
    calls: appliance.calls,
    feedClient: catalog.feedClient,
    updates,
    modules,
    settings,
    maintenance,
    events,
    clock,
    logger,
    nodePath,
    options,
  });
  const unattended = new UnattendedService({
    settings,
    windows: maintenance,
    updates,
    installedVersion: async () => (await appliance.installed.readInstalled()).version,
    modules,
    downloads,
    schedules,
    drainDefaults: () => install.drainDefaults(),
    jobs,
    events,
    clock,
    logger: logger.child({ area: 'unattended' }),
  });
  updates.onSuccessfulCheck(() => unattended.afterCheck());
  const services: Services = {
    accounts,
    system,
    events,
    updates,
    connectivity,
    licences,
    modules,
    downloads,
    install,
    backups,
    installEstimate,
    downtime,
    jobRecords,
    maintenance,
    unattended,
  };

  const webDist = options.webDist === undefined ? await ensureWebBuilt(logger) : options.webDist;
  const app = buildApp({
    services,
    logger: logger.child({ area: 'http' }),
    allowedOrigins: config.allowedOrigins,
    graphiql: config.graphiql,
    webDist,
    streamCaps: options.streamCaps,
    limits: options.limits,
    tls: tls?.initial ?? null,
    trustedProxies: addressRanges(config.trustedProxies),
  });
  await app.start(config.port, config.host);
  const stopHousekeeping = scheduleHousekeeping(accounts, clock, logger);
  runner.recover();
  const stopUpdateChecks =
    options.scheduledChecks === false ? () => {} : scheduleUpdateChecks(updates, clock, logger.child({ area: 'updates' }));
  // An installation that a crash interrupted is completed or undone first; it starts the appliance
  // itself. Otherwise the appliance starts now. Either way the API answers meanwhile.
  const recovery = await engine.recover();
  if (recovery) logger.warn('recovering an interrupted installation', recovery);
  else supervisor.start().catch((err: unknown) => logger.error('appliance did not start', { err }));
  // After the recovery, which holds the operation lock: a plan whose time passed is reviewed now.
  scheduler.start();
  // A download the unattended policy started before a restart is followed to its plan again.
  unattended.resume();

  let stopping: Promise<void> | null = null;
  return {
    app,
    engine,
    config,
    db,
    layout,
    supervisor,
    calls: appliance.calls,
    services,
    demoFeed,
    generatedAdminPassword: generatedPassword,
    demoUpgradeLicence: catalog.demoUpgradeLicence,
    tls: tls && {
      get info() {
        return tls.info;
      },
      reload: () => tls.reload((pair) => app.reloadTls(pair)),
    },
    stop() {
      stopping ??= (async () => {
        stopHousekeeping();
        stopUpdateChecks();
        await updates.settled();
        await unattended.stop();
        licences.close();
        await scheduler.stop();
        await engine.stop();
        await runner.stop();
        appliance.unwatch();
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
  // Signals are handled from the start: a stop asked for while Patchbay starts waits for the start, then stops it.
  const starting = startPatchbay(config, { logger });
  exitOnSignals(starting, logger);
  let patchbay: Patchbay;
  try {
    patchbay = await starting;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof TlsMaterialError) {
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
  if (patchbay.demoUpgradeLicence) {
    process.stdout.write(`  Demo upgrade licence to import: ${patchbay.demoUpgradeLicence}\n\n`);
  }
  if (patchbay.tls) {
    const { info, reload } = patchbay.tls;
    const origin = info.selfSigned ? `self-signed, ${info.generated ? 'made now' : 'made on an earlier start'}` : 'yours';
    // Browsers warn about a self-signed certificate: compare this with the one they show before accepting it.
    process.stdout.write(`TLS certificate (${origin}): ${info.certFile}\n  SHA-256 fingerprint: ${info.fingerprint256}\n`);
    process.on('SIGHUP', () => {
      reload().catch((err: unknown) => logger.error('TLS reload failed', { err }));
    });
  }
  process.stdout.write(`Patchbay is listening on ${patchbay.app.url}\n`);
}

/** SIGINT/SIGTERM stop Patchbay gracefully (the appliance too, when it is its child); a second one exits at once. */
export function exitOnSignals(patchbay: Patchbay | Promise<Patchbay>, logger: Logger): void {
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    logger.info('shutting down', { signal });
    Promise.resolve(patchbay)
      .then((started) => started.stop())
      .then(
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

/** Runs Patchbay as a program: `node dist/server/main.js` directly, or `server/start.mjs` once it has built. */
export function runAsProgram(): void {
  main().catch((err: unknown) => {
    process.stderr.write(`patchbay: could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runAsProgram();
