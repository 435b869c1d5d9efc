/** Storage of the windows in which the appliance was unavailable. */
import { asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { downtimeWindows } from '../db/schema.js';

export type DowntimeRow = typeof downtimeWindows.$inferSelect;

export class DowntimeRepository {
  constructor(private readonly db: Db) {}

  open(row: { startedAt: Date; cause: string; kind: 'PLANNED' | 'UNPLANNED'; jobId: string | null }): DowntimeRow {
    return this.db.insert(downtimeWindows).values(row).returning().get();
  }

  /** The window still open, if any (there is at most one). */
  current(): DowntimeRow | undefined {
    return this.db.select().from(downtimeWindows).where(isNull(downtimeWindows.endedAt)).orderBy(desc(downtimeWindows.id)).get();
  }

  close(id: number, endedAt: Date): void {
    this.db.update(downtimeWindows).set({ endedAt }).where(eq(downtimeWindows.id, id)).run();
  }

  /** An open window becomes part of a job (an installation that stopped the appliance). */
  claim(id: number, fields: { cause: string; kind: 'PLANNED'; jobId: string }): void {
    this.db.update(downtimeWindows).set(fields).where(eq(downtimeWindows.id, id)).run();
  }

  list(limit: number): DowntimeRow[] {
    return this.db.select().from(downtimeWindows).orderBy(desc(downtimeWindows.startedAt), desc(downtimeWindows.id)).limit(limit).all();
  }

  forJob(jobId: string): DowntimeRow[] {
    return this.forJobs([jobId]);
  }

  /** The windows of several jobs in one query, oldest first. */
  forJobs(jobIds: readonly string[]): DowntimeRow[] {
    return this.db
      .select()
      .from(downtimeWindows)
      .where(inArray(downtimeWindows.jobId, [...jobIds]))
      .orderBy(asc(downtimeWindows.id))
      .all();
  }
}
