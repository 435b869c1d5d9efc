/** What a caller of `startPatchbay` may inject instead of the defaults (tests: a clock, a full disk, fault hooks…). */
import type { AppDeps } from '../app.js';
import type { BackupIo } from '../adapters/backup/backup-store.js';
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { PasswordHasher } from '../adapters/password-hasher.js';
import type { DownloadRunnerDeps } from '../jobs/download.runner.js';
import type { InstallEngineHooks } from '../services/install/engine-deps.js';

export interface PatchbayOptions {
  logger?: Logger;
  clock?: Clock;
  hasher?: PasswordHasher;
  /** Built SPA directory; `undefined` builds/uses `web/dist`, `null` serves the API only. */
  webDist?: string | null;
  /** Where the demo appliance finds `better-sqlite3` (Patchbay's own node_modules). */
  nodePath?: string;
  /** Subscriptions per WebSocket and open streams per credential (tests lower them). */
  streamCaps?: AppDeps['streamCaps'];
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
  install?: { healthCheckTimeoutMs?: number; hooks?: InstallEngineHooks };
  /** How backups write files (tests inject a full disk or corrupt bytes). */
  backupIo?: Partial<BackupIo>;
}
