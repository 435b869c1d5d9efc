/**
 * The appliance and what watches it: its layout on disk, the runtime that drives it (the embedded
 * demo as a supervised child process, or a real appliance through configured commands), the
 * supervisor, the downtime record and the system view.
 */
import path from 'node:path';
import { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { ApplianceRuntime, CallControl } from '../adapters/appliance/appliance-runtime.js';
import { ChildProcessAppliance } from '../adapters/appliance/child-process-appliance.js';
import { CommandAppliance } from '../adapters/appliance/command-appliance.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance } from '../adapters/appliance/demo-installer.js';
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { EventBus } from '../events.js';
import { DowntimeRepository } from '../repositories/downtime.repository.js';
import { ApplianceSupervisor } from '../services/appliance-supervisor.js';
import { DowntimeService } from '../services/downtime.service.js';
import { InstalledProductReadModel } from '../services/read-models/installed-product.js';
import { SystemService } from '../services/system.service.js';

/** The release the embedded demo appliance starts with. */
const DEMO_INITIAL_VERSION = '8.1.0';

export interface ApplianceWiring {
  layout: ApplianceLayout;
  supervisor: ApplianceSupervisor;
  downtime: DowntimeService;
  system: SystemService;
  /** The installed product as the read paths see it: read once, kept until the appliance's state changes. */
  installed: InstalledProductReadModel;
  /** Calls in progress and draining of the appliance (unsupported for a command appliance without call commands). */
  calls: CallControl;
  /** Stops watching (the appliance itself is stopped by the supervisor's shutdown). */
  unwatch(): void;
}

export async function wireAppliance(
  config: Readonly<Config>,
  deps: { db: Db; systemId: string; events: EventBus; clock: Clock; logger: Logger; nodePath: string },
): Promise<ApplianceWiring> {
  const { db, clock, logger } = deps;
  const layout = new ApplianceLayout(path.join(config.home, 'appliance'));
  let runtime: ApplianceRuntime;
  let sipPort: () => number | null;
  if (config.appliance.kind === 'demo') {
    await installDemoAppliance(layout, { sourceDir: DEMO_APPLIANCE_SOURCE, version: DEMO_INITIAL_VERSION });
    const demo = new ChildProcessAppliance({
      layout,
      nodePath: deps.nodePath,
      env: { PBX_CALL_INTERVAL_MS: String(config.appliance.callIntervalMs) },
      sipPort: config.appliance.sipPort,
      logger: logger.child({ area: 'appliance' }),
    });
    runtime = demo;
    sipPort = () => demo.sipPort;
  } else {
    runtime = new CommandAppliance({
      startCommand: config.appliance.startCommand,
      stopCommand: config.appliance.stopCommand,
      healthUrl: config.appliance.healthUrl,
      callCommands: config.appliance.callCommands,
    });
    // A real appliance's SIP is its own business: Patchbay neither assigns nor knows its port.
    sipPort = () => null;
  }
  const supervisor = new ApplianceSupervisor({ runtime, clock, logger: logger.child({ area: 'supervisor' }) });
  const downtime = new DowntimeService(new DowntimeRepository(db), clock);
  downtime.watch(supervisor);
  // Before the system's own listener, which reads the product for the snapshot it publishes.
  const installed = new InstalledProductReadModel(layout);
  const unwatchInstalled = installed.watch(supervisor);
  const system = new SystemService(deps.systemId, installed, supervisor, sipPort, deps.events, logger.child({ area: 'system' }));
  system.watch();
  return {
    layout,
    installed,
    supervisor,
    downtime,
    system,
    calls: runtime.calls,
    unwatch() {
      unwatchInstalled();
      system.unwatch();
      downtime.unwatch();
    },
  };
}
