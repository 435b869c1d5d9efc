/**
 * The installed product as the update manager sees it: what runs, in which version, with which
 * modules, and whether it is available to its users right now.
 */
export const SYSTEM_STATES = ['RUNNING', 'MAINTENANCE', 'RESTARTING', 'DEGRADED'] as const;
export type SystemState = (typeof SYSTEM_STATES)[number];

export interface InstalledModule {
  /** Stable module id, e.g. `fax`. */
  id: string;
  /** Human name from the module manifest, e.g. `Fax`. */
  name: string;
  /** Installed semver version. */
  version: string;
  /** Disabled modules stay on disk but are not loaded by the appliance. */
  enabled: boolean;
}

export interface InstalledProduct {
  productId: string;
  version: string;
  modules: InstalledModule[];
}

export interface SystemSnapshot extends InstalledProduct {
  systemId: string;
  state: SystemState;
  /** Set when the appliance answered its health check; `false` while stopped or unhealthy. */
  telephonyAvailable: boolean;
  /** Why the state is what it is, when it is not RUNNING (last health failure, exit code…). */
  stateReason: string | null;
  /** When `state` last changed (ISO 8601). */
  stateSince: string;
  /** The loopback UDP port the demo PBX answers SIP on while it runs; null otherwise (or for a real appliance). */
  sipPort: number | null;
}
