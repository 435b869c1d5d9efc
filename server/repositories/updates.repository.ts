/** Storage of update checks, the last verified catalog, connectivity results and update settings. */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { connectivityResults, settings, updateChecks, verifiedCatalog } from '../db/schema.js';
import type { Catalog } from '../domain/catalog.js';
import type { EndpointCheck } from '../domain/connectivity.js';
import type { TargetInfo } from '../adapters/feed/tuf-feed-client.js';

export type UpdateCheckRow = typeof updateChecks.$inferSelect;
export type NewUpdateCheck = typeof updateChecks.$inferInsert;

export class UpdatesRepository {
  constructor(private readonly db: Db) {}

  insertCheck(row: NewUpdateCheck): UpdateCheckRow {
    return this.db.insert(updateChecks).values(row).returning().get();
  }

  lastCheck(): UpdateCheckRow | undefined {
    return this.db.select().from(updateChecks).orderBy(desc(updateChecks.startedAt), desc(updateChecks.id)).limit(1).get();
  }

  saveCatalog(catalog: Catalog, targets: Record<string, TargetInfo>, verifiedAt: Date): void {
    this.db
      .insert(verifiedCatalog)
      .values({ id: 1, catalog, targets, verifiedAt })
      .onConflictDoUpdate({ target: verifiedCatalog.id, set: { catalog, targets, verifiedAt } })
      .run();
  }

  loadCatalog(): { catalog: Catalog; targets: Record<string, TargetInfo>; verifiedAt: Date } | null {
    const row = this.db.select().from(verifiedCatalog).where(eq(verifiedCatalog.id, 1)).get();
    return row ? { catalog: row.catalog as Catalog, targets: row.targets as Record<string, TargetInfo>, verifiedAt: row.verifiedAt } : null;
  }

  saveConnectivity(results: EndpointCheck[]): void {
    this.db.transaction((tx) => {
      tx.delete(connectivityResults).run();
      for (const r of results) tx.insert(connectivityResults).values({ url: r.endpoint.url, result: r, checkedAt: r.checkedAt }).run();
    });
  }

  loadConnectivity(): EndpointCheck[] {
    return this.db
      .select()
      .from(connectivityResults)
      .all()
      .map((row) => {
        const r = row.result as EndpointCheck & { checkedAt: string };
        return { ...r, checkedAt: new Date(r.checkedAt) };
      });
  }

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
