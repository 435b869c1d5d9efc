/**
 * Operator-changeable settings (update channel, check interval, bandwidth cap, backup retention…)
 * as JSON values by key; boot-time configuration lives in `config.ts` instead.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema.js';
import type { MaintenanceWindowsSetting } from '../domain/maintenance-windows.js';

const MAINTENANCE_WINDOWS_KEY = 'maintenance.windows';

export class SettingsRepository {
  constructor(private readonly db: Db) {}

  getSetting<T>(key: string): T | undefined {
    return this.db.select().from(settings).where(eq(settings.key, key)).get()?.value as T | undefined;
  }

  putSetting(key: string, value: unknown, at: Date): void {
    this.db
      .insert(settings)
      .values({ key, value, updatedAt: at })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } })
      .run();
  }

  /** The maintenance windows as last set (validated before they were put), or undefined if never set. */
  getMaintenanceWindows(): MaintenanceWindowsSetting | undefined {
    return this.getSetting<MaintenanceWindowsSetting>(MAINTENANCE_WINDOWS_KEY);
  }

  putMaintenanceWindows(value: MaintenanceWindowsSetting, at: Date): void {
    this.putSetting(MAINTENANCE_WINDOWS_KEY, value, at);
  }
}
