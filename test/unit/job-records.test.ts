/** The job records the API lists: loaded for every job of a tick in three queries, whatever their number. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/client.js';
import { DowntimeRepository } from '../../server/repositories/downtime.repository.js';
import { JobsRepository, JobStepsRepository } from '../../server/repositories/jobs.repository.js';
import { JobRecordsService } from '../../server/services/job-records.service.js';
import { tmpDir } from '../helpers/feed-fixtures.js';

describe('JobRecordsService', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('of', () => {
    it('loads the steps, events and downtime of many jobs asked for together in three queries', async () => {
      dir = tmpDir('job-records');
      const db = openDatabase(path.join(dir, 'patchbay.db'));
      const jobs = new JobsRepository(db);
      const steps = new JobStepsRepository(db);
      const downtime = new DowntimeRepository(db);
      const at = new Date('2026-12-01T10:00:00Z');
      const ids = Array.from({ length: 12 }, (_, i) => `job-${i}`);
      for (const id of ids) {
        jobs.insertActive({
          id,
          mode: 'SEPARATE',
          targetVersion: '8.2.0',
          modules: [],
          acknowledgedWarnings: false,
          state: 'SUCCEEDED',
          startAt: at,
          createdAt: at,
          createdBy: 'admin',
          startedAt: at,
          finishedAt: at,
          bytesDone: 0,
          bytesTotal: 0,
          errorCode: null,
          errorMessage: null,
        });
        jobs.move(id, ['SUCCEEDED'], 'SUCCEEDED');
        steps.start(id, 'PREFLIGHT', at);
        jobs.addEvent(id, at, 'INSTALL_REQUESTED', `requested ${id}`);
        downtime.open({ startedAt: at, cause: id, kind: 'PLANNED', jobId: id });
      }
      // Every statement SQLite is given from here on.
      const queries: string[] = [];
      const prepare = db.$client.prepare.bind(db.$client);
      db.$client.prepare = ((sql: string) => (queries.push(sql), prepare(sql))) as typeof db.$client.prepare;
      const sut = new JobRecordsService({ steps, jobs, downtime });

      const records = await Promise.all(ids.map((id) => sut.of(id)));

      expect(queries.map((q) => /from "(\w+)"/.exec(q)?.[1])).toEqual(['update_job_steps', 'update_job_events', 'downtime_windows']);
      expect(records.map((r) => r.events.map((e) => e.message))).toEqual(ids.map((id) => [`requested ${id}`]));
      expect(records.every((r) => r.steps.length === 1 && r.downtime.length === 1)).toBe(true);
      db.$client.close();
    });
  });
});
