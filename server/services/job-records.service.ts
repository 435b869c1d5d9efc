/**
 * The record of update jobs as the API shows them: each job's steps, events and downtime windows,
 * and its wait for calls before the stop.
 * Asked for one job at a time (each row of a list resolves its own), they are loaded together:
 * every job asked for in the same tick, in three queries whatever their number.
 */
import { type CallWait, callWaitOf } from '../domain/install-notices.js';
import type { DowntimeRow, DowntimeRepository } from '../repositories/downtime.repository.js';
import type { JobEventRow, JobStepRow, JobsRepository, JobStepsRepository } from '../repositories/jobs.repository.js';

export interface JobRecord {
  steps: JobStepRow[];
  events: JobEventRow[];
  downtime: DowntimeRow[];
  /** How the last wait for calls before a stop went, if the job waited. */
  callWait: CallWait | null;
}

export interface JobRecordsDeps {
  steps: Pick<JobStepsRepository, 'listOf'>;
  jobs: Pick<JobsRepository, 'eventsOf'>;
  downtime: Pick<DowntimeRepository, 'forJobs'>;
  /** Runs the batch once the current tick's requests are in (a microtask). */
  defer?: (run: () => void) => void;
}

type Waiting = { resolve: (r: JobRecord) => void; reject: (err: unknown) => void };

export class JobRecordsService {
  private batch: Map<string, Waiting[]> | null = null;

  constructor(private readonly deps: JobRecordsDeps) {}

  /** The record of one job, loaded with every other asked for in the same tick. */
  of(jobId: string): Promise<JobRecord> {
    return new Promise((resolve, reject) => {
      if (!this.batch) {
        this.batch = new Map();
        (this.deps.defer ?? queueMicrotask)(() => this.load());
      }
      const waiting = this.batch.get(jobId) ?? [];
      waiting.push({ resolve, reject });
      this.batch.set(jobId, waiting);
    });
  }

  private load(): void {
    const batch = this.batch!;
    this.batch = null;
    const ids = [...batch.keys()];
    try {
      const records = new Map<string, JobRecord>(ids.map((id) => [id, { steps: [], events: [], downtime: [], callWait: null }]));
      for (const s of this.deps.steps.listOf(ids)) {
        const record = records.get(s.jobId)!;
        record.steps.push(s);
        // The latest attempt's wait (a staged job may be installed again after a cancel).
        if (s.step === 'DRAIN') record.callWait = callWaitOf(s.detail);
      }
      for (const e of this.deps.jobs.eventsOf(ids)) records.get(e.jobId)!.events.push(e);
      for (const w of this.deps.downtime.forJobs(ids)) records.get(w.jobId!)!.downtime.push(w);
      for (const [id, waiting] of batch) for (const w of waiting) w.resolve(records.get(id)!);
    } catch (err) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
    }
  }
}
