/** The installation's identity row (`systemId`), created once on first start. */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { systemInfo } from '../db/schema.js';

export class SystemInfoRepository {
  constructor(private readonly db: Db) {}

  /** Returns the system id, creating it on first call. */
  ensureSystemId(now: Date): string {
    const row = this.db.select().from(systemInfo).where(eq(systemInfo.id, 1)).get();
    if (row) return row.systemId;
    // A licence binds to this id: readable, unique, and without meaning an attacker could guess.
    const systemId = `PBX-${crypto.randomBytes(10).toString('hex').toUpperCase().match(/.{4}/g)!.join('-')}`;
    this.db.insert(systemInfo).values({ id: 1, systemId, createdAt: now }).onConflictDoNothing().run();
    return this.db.select().from(systemInfo).where(eq(systemInfo.id, 1)).get()!.systemId;
  }
}
