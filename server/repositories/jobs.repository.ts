/** Storage of update jobs, their event log and their installation steps. */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { updateJobEvents, updateJobSteps, updateJobs } from '../db/schema.js';
import { ACTIVE_STATES, type JobState } from '../domain/jobs.js';
import type { Notice } from '../domain/notice.js';

export type JobRow = typeof updateJobs.$inferSelect;
export type JobEventRow = typeof updateJobEvents.$inferSelect;
export type JobStepRow = typeof updateJobSteps.$inferSelect;
export type NewJobRow = Omit<
  JobRow,
  'activeSlot' | 'step' | 'outcome' | 'restored' | 'fromVersion' | 'backupId' | 'sourceBackupId' | 'errorParams' | 'installPlan'
> &
  Partial<Pick<JobRow, 'step' | 'fromVersion' | 'sourceBackupId'>>;

export class JobAlreadyActiveConflict extends Error {}

export class JobsRepository {
  constructor(private readonly db: Db) {}

  /** Inserts an active job; the unique active slot makes a second one fail, even when two race. */
  insertActive(row: NewJobRow): JobRow {
    try {
      return this.db
        .insert(updateJobs)
        .values({ ...row, activeSlot: 1 })
        .returning()
        .get();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new JobAlreadyActiveConflict();
      throw err;
    }
  }

  find(id: string): JobRow | undefined {
    return this.db.select().from(updateJobs).where(eq(updateJobs.id, id)).get();
  }

  active(): JobRow | undefined {
    return this.db.select().from(updateJobs).where(eq(updateJobs.activeSlot, 1)).get();
  }

  list(limit: number): JobRow[] {
    return this.db.select().from(updateJobs).orderBy(desc(updateJobs.createdAt)).limit(limit).all();
  }

  inStates(states: JobState[]): JobRow[] {
    return this.db.select().from(updateJobs).where(inArray(updateJobs.state, states)).orderBy(asc(updateJobs.startAt)).all();
  }

  /** Moves a job only if it is still in `from` (a cancel may have won the race). */
  move(id: string, from: JobState[], to: JobState, fields: Partial<JobRow> = {}): boolean {
    const activeSlot = (ACTIVE_STATES as readonly string[]).includes(to) ? 1 : null;
    return (
      this.db
        .update(updateJobs)
        .set({ ...fields, state: to, activeSlot })
        .where(and(eq(updateJobs.id, id), inArray(updateJobs.state, from)))
        .run().changes === 1
    );
  }

  update(id: string, fields: Partial<Omit<JobRow, 'id' | 'state' | 'activeSlot'>>): void {
    this.db.update(updateJobs).set(fields).where(eq(updateJobs.id, id)).run();
  }

  setProgress(id: string, bytesDone: number): void {
    this.db.update(updateJobs).set({ bytesDone }).where(eq(updateJobs.id, id)).run();
  }

  /** `detail` is the event as a code and parameters (the SPA words it); `message` the English text. */
  addEvent(jobId: string, at: Date, type: string, message: string, detail: Notice | null = null): void {
    this.db.insert(updateJobEvents).values({ jobId, at, type, message, detail }).run();
  }

  events(jobId: string): JobEventRow[] {
    return this.eventsOf([jobId]);
  }

  /** The events of several jobs in one query, in the order they were written. */
  eventsOf(jobIds: readonly string[]): JobEventRow[] {
    return this.db
      .select()
      .from(updateJobEvents)
      .where(inArray(updateJobEvents.jobId, [...jobIds]))
      .orderBy(asc(updateJobEvents.id))
      .all();
  }
}

export class JobStepsRepository {
  constructor(private readonly db: Db) {}

  start(jobId: string, step: string, at: Date): void {
    this.db.insert(updateJobSteps).values({ jobId, step, startedAt: at, outcome: 'RUNNING' }).run();
  }

  /** Ends the running row of this step (there is at most one). */
  finish(
    jobId: string,
    step: string,
    at: Date,
    outcome: 'DONE' | 'FAILED' | 'INTERRUPTED',
    message: string | null = null,
    detail: Notice | null = null,
  ): void {
    this.db
      .update(updateJobSteps)
      .set({ finishedAt: at, outcome, message, detail })
      .where(and(eq(updateJobSteps.jobId, jobId), eq(updateJobSteps.step, step), eq(updateJobSteps.outcome, 'RUNNING')))
      .run();
  }

  /** After a crash: the steps that were running did not finish. */
  interrupt(jobId: string, at: Date, message: string, detail: Notice | null = null): void {
    this.db
      .update(updateJobSteps)
      .set({ finishedAt: at, outcome: 'INTERRUPTED', message, detail })
      .where(and(eq(updateJobSteps.jobId, jobId), eq(updateJobSteps.outcome, 'RUNNING')))
      .run();
  }

  list(jobId: string): JobStepRow[] {
    return this.listOf([jobId]);
  }

  /** The steps of several jobs in one query, in the order they ran. */
  listOf(jobIds: readonly string[]): JobStepRow[] {
    return this.db
      .select()
      .from(updateJobSteps)
      .where(inArray(updateJobSteps.jobId, [...jobIds]))
      .orderBy(asc(updateJobSteps.id))
      .all();
  }
}
