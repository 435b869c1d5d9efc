/**
 * Operator-changeable settings (update channel, check interval, bandwidth cap, backup retention…)
 * as JSON values by key; boot-time configuration lives in `config.ts` instead.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema.js';

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
}
