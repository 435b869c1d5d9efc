/** Storage of update checks and of the last verified catalog. */
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { updateChecks, verifiedCatalog } from '../db/schema.js';
import type { Catalog } from '../domain/catalog.js';
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
}
