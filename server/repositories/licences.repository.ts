/** Storage of imported licences (SQLite through drizzle). */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { licences } from '../db/schema.js';

export type LicenceRow = typeof licences.$inferSelect;

export class LicencesRepository {
  constructor(private readonly db: Db) {}

  find(id: string): LicenceRow | undefined {
    return this.db.select().from(licences).where(eq(licences.id, id)).get();
  }

  all(): LicenceRow[] {
    return this.db.select().from(licences).orderBy(asc(licences.issuedAt)).all();
  }

  upsert(row: LicenceRow): void {
    this.db
      .insert(licences)
      .values(row)
      .onConflictDoUpdate({
        target: licences.id,
        set: { issuedAt: row.issuedAt, document: row.document, signature: row.signature, importedAt: row.importedAt },
      })
      .run();
  }

  delete(id: string): void {
    this.db.delete(licences).where(eq(licences.id, id)).run();
  }
}
