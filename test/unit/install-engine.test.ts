/**
 * The installation engine on in-memory fakes (the jobs in a real SQLite file): the forward path,
 * a failure at each step and its way back, a way back that fails, a journal that cannot be
 * written, and what a restart does with an unfinished journal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stepsFor, type InstallStep } from '../../server/domain/install.js';
import { type EngineLab, engineLab, enospc } from '../helpers/engine-fakes.js';
import { OperationInProgressError } from '../../server/domain/errors/index.js';

/** The faked call that fails at each forward step of a separate installation. */
const FAILING_CALL: Partial<Record<InstallStep, string>> = {
  STOP: 'stopForMaintenance',
  BACKUP: 'createOffline',
  APPLY: 'applyRelease',
  MIGRATE: 'migrate',
  SWITCH: 'switchCurrent',
  MODULES: 'writeModuleState',
  START: 'launch',
  HEALTHCHECK: 'awaitHealthy',
  COMMIT: 'discard',
};

describe('InstallEngine', () => {
  let lab: EngineLab;
  afterEach(() => lab?.close());

  /** Begins a job holding the lock, as the install service does, and waits for its end. */
  async function run(journal: ReturnType<EngineLab['newJob']>) {
    const release = lab.lock.acquire('installation');
    await lab.sut.begin(journal, release);
    await lab.sut.settled();
    return lab.jobs.find(journal.jobId)!;
  }
  const stepRows = (jobId: string) => lab.steps.list(jobId).map((s) => `${s.step}:${s.outcome}`);

  describe('begin', () => {
    it('runs every step of a separate installation in order, ends SUCCEEDED and releases the lock', async () => {
      lab = engineLab();
      const job = await run(lab.newJob('SEPARATE', { modules: [{ moduleId: 'fax', version: '2.1.0' }] }));
      expect(job).toMatchObject({ state: 'SUCCEEDED', outcome: 'SUCCEEDED', errorCode: null, activeSlot: null });
      expect(stepRows(job.id)).toEqual(stepsFor('SEPARATE').map((s) => `${s}:DONE`));
      expect(lab.appliance).toMatchObject({ current: '8.2.0', data: 'migrated data' });
      expect(lab.appliance.moduleVersions.has('fax/2.1.0')).toBe(true);
      expect(lab.bundles.leftOf(job.id)).toEqual([]);
      expect(lab.lock.acquire('backup')).toBeTypeOf('function');
      expect(lab.journal.saved).toMatchObject({ phase: 'DONE', outcome: 'SUCCEEDED' });
    });

    it('records what each step did as a notice with typed parameters, never a pre-formatted size', async () => {
      lab = engineLab();
      const job = await run(lab.newJob('SEPARATE'));
      const backup = lab.steps.list(job.id).find((s) => s.step === 'BACKUP')!;
      expect(backup.detail).toEqual({
        code: 'INSTALL_BACKUP_DONE',
        params: [
          { name: 'backupId', kind: 'TEXT', value: 'backup-1' },
          { name: 'bytes', kind: 'BYTES', value: '1000' },
          { name: 'copyMs', kind: 'MILLISECONDS', value: '40' },
          { name: 'verifyMs', kind: 'MILLISECONDS', value: '20' },
        ],
      });
      const ready = lab.steps.list(job.id).find((s) => s.step === 'PREFLIGHT')!;
      expect(ready.detail!.params.map((p) => p.kind)).toEqual(['BYTES', 'BYTES']);
      const succeeded = lab.jobs.events(job.id).find((e) => e.type === 'SUCCEEDED')!;
      expect(succeeded.detail).toMatchObject({
        code: 'INSTALL_SUCCEEDED',
        params: [{ name: 'version', kind: 'VERSION', value: '8.2.0' }, { kind: 'MILLISECONDS' }],
      });
    });

    for (const step of stepsFor('SEPARATE').filter((s) => FAILING_CALL[s])) {
      const touched = stepsFor('SEPARATE').indexOf(step) >= stepsFor('SEPARATE').indexOf('MIGRATE');
      it(`goes back when ${step} fails: ${touched ? 'the backup is restored' : 'the data was untouched'} and 8.1.0 runs`, async () => {
        lab = engineLab();
        lab.faults.once(FAILING_CALL[step]!, new Error(`${step} broke`));
        const job = await run(lab.newJob('SEPARATE'));
        expect(job).toMatchObject({ state: 'FAILED', outcome: touched ? 'RESTORED' : 'ROLLED_BACK', restored: touched, activeSlot: null });
        expect(job.errorMessage).toBe(`${step} broke`);
        expect(stepRows(job.id)).toContain(`${step}:FAILED`);
        expect(stepRows(job.id).slice(-5)).toEqual(
          ['ROLLBACK_STOP', 'ROLLBACK_DATA', 'ROLLBACK_SWITCH', 'ROLLBACK_START', 'ROLLBACK_HEALTHCHECK'].map((s) => `${s}:DONE`),
        );
        expect(lab.appliance).toMatchObject({ current: '8.1.0', data: 'data of 8.1.0' });
        expect(lab.appliance.releases).toEqual(new Set(['8.1.0']));
        expect(lab.bundles.leftOf(job.id)).toEqual([]);
        expect(lab.supervisor.state).toBe('RUNNING');
        expect(lab.downtime.planned).toBeNull();
        expect(() => lab.lock.acquire('installation')).not.toThrow();
      });
    }

    it('classifies by the error, not its text: a full disk is DISK_FULL, a plain failure takes the code of its step', async () => {
      lab = engineLab();
      lab.faults.once('migrate', new Error('exit 3'));
      expect((await run(lab.newJob('SEPARATE'))).errorCode).toBe('MIGRATION_FAILED');
      lab.faults.once('applyRelease', enospc());
      expect((await run(lab.newJob('SEPARATE'))).errorCode).toBe('DISK_FULL');
    });

    it('ends FAILED at PREFLIGHT without stopping the appliance, and removes the staged files', async () => {
      lab = engineLab();
      lab.supervisor.state = 'DEGRADED';
      const job = await run(lab.newJob('SEPARATE'));
      expect(job).toMatchObject({ state: 'FAILED', outcome: 'FAILED', errorCode: 'APPLIANCE_UNHEALTHY' });
      expect(job.errorParams).toContainEqual({ name: 'state', kind: 'TEXT', value: 'DEGRADED' });
      expect(lab.supervisor.calls).toEqual([]);
      expect(lab.bundles.leftOf(job.id)).toEqual([]);
    });

    it('tells the groups of a restore as copied and verified, and the data as in place only once restore returns', async () => {
      lab = engineLab();
      lab.faults.once('awaitHealthy', new Error('not healthy'));
      const job = await run(lab.newJob('SEPARATE'));
      // The subscriber gets the last events on the next turns of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      const milestones = lab.restoreEvents.filter((e) => e.type !== 'GROUP_PROGRESS');
      expect(milestones.map((e) => e.type)).toEqual([
        'STARTED',
        'GROUP_RESTORED',
        'GROUP_RESTORED',
        'GROUP_RESTORED',
        'SWITCHED_BACK',
        'APPLIANCE_HEALTHY',
        'FINISHED',
      ]);
      const groups = milestones.filter((e) => e.type === 'GROUP_RESTORED');
      expect(groups.map((e) => e.detail!.code)).toEqual(['ROLLBACK_COPIED_DATABASE', 'ROLLBACK_COPIED_FILES', 'ROLLBACK_COPIED_MODULES']);
      for (const e of groups) expect(e.message).toMatch(/copied back and verified/);
      expect(lab.steps.list(job.id).find((s) => s.step === 'ROLLBACK_DATA')!.detail!.code).toBe('INSTALL_BACKUP_DATA_IN_PLACE');
      // The milestones are in the job's event log too, under their explicit types.
      expect(lab.jobs.events(job.id).map((e) => e.type)).toEqual(
        expect.arrayContaining(['RESTORE_STARTED', 'RESTORE_GROUP_RESTORED', 'RESTORE_FINISHED']),
      );
    });

    it('when the way back fails: ROLLBACK_FAILED, the event names the release that runs, and the job leaves nothing behind', async () => {
      lab = engineLab();
      lab.faults.once('launch', new Error('8.2.0 will not start'));
      lab.faults.once('restore', new Error('the backup does not verify'));
      const job = await run(lab.newJob('SEPARATE'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(job).toMatchObject({ state: 'FAILED', outcome: 'ROLLBACK_FAILED', errorCode: 'ROLLBACK_FAILED', activeSlot: null });
      expect(job.errorParams).toEqual(
        expect.arrayContaining([
          { name: 'step', kind: 'TEXT', value: 'ROLLBACK_DATA' },
          { name: 'firstCode', kind: 'TEXT', value: 'START_FAILED' },
        ]),
      );
      const failed = lab.restoreEvents.find((e) => e.type === 'FAILED')!;
      // Refused before the switch back: 8.2.0 stays current, and that is what the event says.
      expect(failed.detail!.params).toContainEqual({ name: 'current', kind: 'VERSION', value: '8.2.0' });
      expect(failed.message).toMatch(/started on 8\.2\.0/);
      expect(lab.restoreEvents.find((e) => e.type === 'STARTED')!.message).not.toMatch(/^Restoring .* then starting/);
      expect(lab.supervisor.calls.at(-1)).toBe('startAfterMaintenance');
      expect(lab.bundles.leftOf(job.id)).toEqual([]);
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });

    it('removes the release a failed way back left once it is no longer current', async () => {
      lab = engineLab();
      lab.faults.once('launch', new Error('8.2.0 will not start'));
      lab.faults.once('launch', new Error('8.1.0 will not start either'));
      const job = await run(lab.newJob('SEPARATE'));
      expect(job.outcome).toBe('ROLLBACK_FAILED');
      // The switch back was done before the start failed: the failed job's release is gone.
      expect(lab.appliance.releases).toEqual(new Set(['8.1.0']));
    });

    it('a journal that cannot be written during the way back (ENOSPC) still ends the job, recorded, and keeps other operations out until the next start', async () => {
      lab = engineLab();
      lab.faults.once('migrate', new Error('migration broke'));
      // The way back's first journal write, and every one after, hits a full disk.
      const journal = lab.newJob('SEPARATE');
      const write = lab.journal.write.bind(lab.journal);
      lab.journal.write = async (j) => {
        if (j.phase === 'ROLLING_BACK') throw enospc();
        return write(j);
      };
      const job = await run(journal);
      expect(job).toMatchObject({ state: 'FAILED', outcome: 'ROLLBACK_FAILED', errorCode: 'RECOVERY_PENDING', activeSlot: null });
      expect(job.errorParams).toContainEqual({ name: 'cause', kind: 'TEXT', value: 'DISK_FULL' });
      expect(lab.steps.list(job.id).filter((s) => s.outcome === 'RUNNING')).toEqual([]);
      expect(lab.jobs.events(job.id).at(-1)).toMatchObject({ type: 'FAILED', detail: { code: 'RECOVERY_PENDING' } });
      // The journal still holds what the next start must finish: nothing may overwrite it before.
      expect(() => lab.lock.acquire('installation')).toThrow(OperationInProgressError);
      expect(() => lab.lock.acquire('backup')).toThrow(OperationInProgressError);
    });

    it('a first journal write that fails ends the job FAILED (nothing was touched) with DISK_FULL', async () => {
      lab = engineLab();
      lab.faults.once('journal.write', enospc());
      const job = await run(lab.newJob('SEPARATE'));
      expect(job).toMatchObject({ state: 'FAILED', outcome: 'FAILED', errorCode: 'DISK_FULL', activeSlot: null });
      expect(lab.supervisor.calls).toEqual([]);
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });
  });

  describe('recover', () => {
    /** Runs a job until `step` is journaled, and stops the world there: the run never goes on (a power cut). */
    async function crashAt(step: string) {
      let reached: (() => void) | null = null;
      const atStep = new Promise<void>((resolve) => (reached = resolve));
      lab = engineLab({
        hooks: {
          afterJournal: (j) => {
            if (j.step !== step || !reached) return;
            reached();
            reached = null;
            return new Promise<void>(() => {});
          },
        },
      });
      const journal = lab.newJob('SEPARATE');
      await lab.sut.begin(journal, lab.lock.acquire('installation'));
      await atStep;
      return journal.jobId;
    }

    it('returns null, and frees the lock, when there is no journal', async () => {
      lab = engineLab();
      expect(await lab.sut.recover()).toBeNull();
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });

    it('holds the lock while it recovers, and rolls back a journal interrupted at MIGRATE, restoring the data', async () => {
      const jobId = await crashAt('MIGRATE');
      expect(lab.journal.saved).toMatchObject({ phase: 'FORWARD', step: 'MIGRATE' });
      lab.appliance.data = 'half migrated';
      const recovering = lab.restart();
      expect(await recovering.recover()).toEqual({ jobId, action: 'ROLL_BACK' });
      expect(() => lab.lock.acquire('backup')).toThrow(/installation/);
      await recovering.settled();
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'FAILED', outcome: 'RESTORED', errorCode: 'INTERRUPTED' });
      expect(lab.appliance).toMatchObject({ current: '8.1.0', data: 'data of 8.1.0' });
      expect(lab.jobs.events(jobId).find((e) => e.type === 'RECOVERY')!.detail).toEqual({
        code: 'INSTALL_RECOVERY_ROLL_BACK',
        params: [{ name: 'step', kind: 'TEXT', value: 'MIGRATE' }],
      });
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });

    it('resumes a journal interrupted at HEALTHCHECK: starts the new release again and completes', async () => {
      const jobId = await crashAt('HEALTHCHECK');
      const recovering = lab.restart();
      expect(await recovering.recover()).toEqual({ jobId, action: 'RESUME' });
      await recovering.settled();
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'SUCCEEDED', outcome: 'SUCCEEDED' });
      expect(
        lab.steps
          .list(jobId)
          .filter((s) => s.outcome === 'INTERRUPTED')
          .map((s) => s.step),
      ).toEqual(['HEALTHCHECK']);
      expect(lab.appliance.current).toBe('8.2.0');
    });

    it('finishes at the next start a job whose end could not be written, and says so on its row', async () => {
      lab = engineLab();
      lab.faults.once('migrate', new Error('migration broke'));
      const journal = lab.newJob('SEPARATE');
      const write = lab.journal.write.bind(lab.journal);
      let full = true;
      lab.journal.write = async (j) => {
        if (full && j.phase === 'ROLLING_BACK') throw enospc();
        return write(j);
      };
      expect((await run(journal)).errorCode).toBe('RECOVERY_PENDING');
      full = false;
      const recovering = lab.restart();
      expect(await recovering.recover()).toEqual({ jobId: journal.jobId, action: 'ROLL_BACK' });
      await recovering.settled();
      expect(lab.jobs.find(journal.jobId)).toMatchObject({ state: 'FAILED', outcome: 'RESTORED', errorCode: 'INTERRUPTED' });
      expect(lab.appliance).toMatchObject({ current: '8.1.0', data: 'data of 8.1.0' });
    });
  });
});
