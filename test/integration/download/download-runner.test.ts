/**
 * The download runner against a real SQLite file, with the file system faulted where it matters:
 * a failed download is recorded with its typed code and parameters, and a clean-up that fails
 * afterwards is recorded and logged too, never lost in an unhandled rejection; the installation
 * planned while it downloaded is dropped with it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../server/adapters/clock.js';
import { createLogger } from '../../../server/adapters/logger.js';
import { type Db, openDatabase } from '../../../server/db/client.js';
import { DiskFullError } from '../../../server/domain/errors/index.js';
import { createEventBus } from '../../../server/events.js';
import { DownloadRunner } from '../../../server/jobs/download.runner.js';
import { JobsRepository } from '../../../server/repositories/jobs.repository.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';

const BUNDLE = { name: 'releases/pbx-8.2.0.tar.gz', length: 1000, sha256: 'ab'.repeat(32) };

describe('DownloadRunner', () => {
  let dir: string;
  let db: Db;
  let repo: JobsRepository;
  let logged: { level: string; msg: string }[];

  beforeEach(() => {
    dir = tmpDir('runner');
    db = openDatabase(path.join(dir, 'patchbay.db'));
    repo = new JobsRepository(db);
    logged = [];
    const now = systemClock.now();
    repo.insertActive({
      id: 'job-1',
      mode: 'SEPARATE',
      targetVersion: '8.2.0',
      modules: [],
      acknowledgedWarnings: true,
      state: 'SCHEDULED',
      startAt: now,
      createdAt: now,
      createdBy: 'admin',
      startedAt: null,
      finishedAt: null,
      bytesDone: 0,
      bytesTotal: BUNDLE.length,
      errorCode: null,
      errorMessage: null,
    });
  });
  afterEach(() => {
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const runner = (remove: () => Promise<void>) =>
    new DownloadRunner({
      repo,
      updates: { bundleFor: () => BUNDLE, settings: () => ({ channel: 'stable', checkIntervalHours: 24, downloadBandwidthLimit: null }) },
      targetUrl: () => 'http://127.0.0.1:9/unused',
      downloads: {
        fetch: async () => {
          throw new DiskFullError('/var/downloads/job-1/pbx-8.2.0.tar.gz.part', 'ENOSPC');
        },
        bundlePath: () => '/var/downloads/job-1/pbx-8.2.0.tar.gz',
        remove,
      },
      staging: { unpack: async () => ({ dir: '', manifest: {} }), place: async () => {}, clear: async () => {} },
      events: createEventBus(),
      clock: systemClock,
      logger: createLogger('debug', (line) => logged.push(JSON.parse(line) as { level: string; msg: string })),
      planned: () => {},
    });

  async function eventsUntil(type: string) {
    const deadline = Date.now() + 5000;
    while (!repo.events('job-1').some((e) => e.type === type) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return repo.events('job-1');
  }

  describe('wake', () => {
    it('records a failed download with its code, message and parameters, and removes its files', async () => {
      const removed: string[] = [];
      runner(async () => void removed.push('job-1')).wake();
      const events = await eventsUntil('FAILED');
      expect(repo.find('job-1')).toMatchObject({
        state: 'FAILED',
        errorCode: 'DISK_FULL',
        errorMessage: expect.stringMatching(/disk is full/),
        errorParams: [{ name: 'path', kind: 'TEXT', value: '/var/downloads/job-1/pbx-8.2.0.tar.gz.part' }],
      });
      expect(events.map((e) => [e.type, e.detail?.code])).toEqual([
        ['DOWNLOADING', 'DOWNLOAD_STARTED'],
        ['FAILED', 'DISK_FULL'],
      ]);
      await expect.poll(() => removed).toEqual(['job-1']);
    });

    it('drops the installation planned while it downloaded when the download fails', async () => {
      const plan = { when: 'NEXT_WINDOW' as const, plannedAt: '2026-12-02T02:00:00.000Z', windowEnd: '2026-12-02T03:00:00.000Z' };
      repo.update('job-1', { installPlan: { ...plan, drain: null, scheduledBy: 'admin' } });
      runner(async () => {}).wake();
      await eventsUntil('FAILED');
      expect(repo.find('job-1')).toMatchObject({ state: 'FAILED', errorCode: 'DISK_FULL', installPlan: null });
    });

    it('records and logs a clean-up that fails after the failure, leaving the job FAILED', async () => {
      runner(async () => {
        throw Object.assign(new Error('EACCES: permission denied, rmdir'), { code: 'EACCES' });
      }).wake();
      const events = await eventsUntil('CLEANUP_FAILED');
      expect(repo.find('job-1')).toMatchObject({ state: 'FAILED', errorCode: 'DISK_FULL' });
      expect(events.at(-1)).toMatchObject({
        type: 'CLEANUP_FAILED',
        detail: { code: 'DOWNLOAD_CLEANUP_FAILED', params: [{ name: 'reason', value: 'EACCES: permission denied, rmdir' }] },
      });
      expect(logged).toContainEqual(
        expect.objectContaining({ level: 'error', msg: 'the files of a failed download could not be removed' }),
      );
    });
  });
});
