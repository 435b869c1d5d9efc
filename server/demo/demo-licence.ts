/**
 * The embedded demo starts with a licence, as a delivered appliance would: on the first start with
 * the demo vendor, its 8.x licence (whose contract ended before 9.0.0) is imported once. The
 * upgrade licence is left beside it for the admin to import (`var/demo-vendor/licence-upgrade.json`):
 * its path is returned on that first start, for the process to print.
 */
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { SettingsRepository } from '../repositories/settings.repository.js';
import type { LicenceService } from '../services/licence.service.js';
import { type DemoVendor, issueDemoLicences } from './demo-vendor.js';

const IMPORTED = 'demo.licenceImported';

export async function importDemoLicenceOnce(deps: {
  vendor: DemoVendor;
  systemId: string;
  licences: Pick<LicenceService, 'import'>;
  settings: Pick<SettingsRepository, 'getSetting' | 'putSetting'>;
  clock: Clock;
  logger: Logger;
}): Promise<string | null> {
  if (deps.settings.getSetting<boolean>(IMPORTED)) return null;
  const demo = await issueDemoLicences(deps.vendor, deps.systemId);
  deps.licences.import(Buffer.from(JSON.stringify(demo.initial)));
  deps.settings.putSetting(IMPORTED, true, deps.clock.now());
  deps.logger.info('demo licence imported', { upgradeLicence: demo.upgradeFile });
  return demo.upgradeFile;
}
