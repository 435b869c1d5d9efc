/**
 * What every resolver receives: the authenticated principal (or null) and the services. Built by
 * `server/app.ts` from an HTTP request (cookie or bearer token) or a graphql-ws connection.
 */
import type { Principal } from '../server/domain/auth.js';
import type { AccountsService, ClientInfo, SessionCookie } from '../server/services/accounts.service.js';
import type { SystemService } from '../server/services/system.service.js';
import type { EventBus } from '../server/events.js';
import type { ConnectivityService } from '../server/services/connectivity.service.js';
import type { UpdatesService } from '../server/services/updates.service.js';
import type { LicenceService } from '../server/services/licence.service.js';
import type { ModulesService } from '../server/services/modules.service.js';
import type { DownloadService } from '../server/services/download.service.js';
import type { DowntimeService } from '../server/services/downtime.service.js';
import type { InstallService } from '../server/services/install.service.js';
import type { JobRecordsService } from '../server/services/job-records.service.js';
import type { BackupService } from '../server/services/backup.service.js';
import type { InstallEstimateService } from '../server/services/install-estimate.service.js';
import type { MaintenanceService } from '../server/services/maintenance.service.js';
import type { UnattendedService } from '../server/services/unattended.service.js';

export interface Services {
  accounts: AccountsService;
  system: SystemService;
  events: EventBus;
  updates: UpdatesService;
  connectivity: ConnectivityService;
  licences: LicenceService;
  modules: ModulesService;
  downloads: DownloadService;
  install: InstallService;
  backups: BackupService;
  installEstimate: InstallEstimateService;
  downtime: DowntimeService;
  jobRecords: JobRecordsService;
  maintenance: MaintenanceService;
  unattended: UnattendedService;
}

export type SessionCookies = SessionCookie;

export interface Context {
  principal: Principal | null;
  services: Services;
  client: ClientInfo;
  /** Present on HTTP requests; a WebSocket cannot set cookies, so login/logout need HTTP. */
  cookies: SessionCookies | null;
}
