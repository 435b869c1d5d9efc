/**
 * The DRAIN step of the installation engine, on the engine's in-memory fakes with a scripted call
 * control: the drain before the stop, the wait and its limit with each choice, the admin's orders
 * (install now, cancel), a call control that fails or is missing, Patchbay stopping during the
 * wait, and what the next start does with a journal left at DRAIN.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CallControlError } from '../../server/domain/errors/index.js';
import type { DrainPolicy } from '../../server/domain/drain.js';
import { callWaitOf } from '../../server/domain/install-notices.js';
import type { JobMode } from '../../server/domain/jobs.js';
import { type EngineLab, engineLab } from '../helpers/engine-fakes.js';
import { FakeCallControl, scripted } from '../helpers/fake-call-control.js';

const WAIT_5_CANCEL: DrainPolicy = { maxWaitMinutes: 5, onTimeout: 'CANCEL' };
const WAIT_1_CANCEL: DrainPolicy = { maxWaitMinutes: 1, onTimeout: 'CANCEL' };
const WAIT_1_ANYWAY: DrainPolicy = { maxWaitMinutes: 1, onTimeout: 'INSTALL_ANYWAY' };

describe('InstallEngine: the DRAIN step', () => {
  let lab: EngineLab;
  let calls: FakeCallControl;
  afterEach(() => lab?.close());

  /** A lab whose PBX reports `countAt(look)` active calls, its drain written to the supervisor's log. */
  function labWith(countAt: (look: number) => number | Promise<number>) {
    calls = new FakeCallControl(countAt);
    lab = engineLab({ calls });
    // The same log as the supervisor's: the order of drain, stop and undrain shows.
    calls.log = lab.supervisor.calls;
  }

  async function begin(mode: JobMode, drain: DrainPolicy | null) {
    const journal = lab.newJob(mode, { drain });
    await lab.sut.begin(journal, lab.lock.acquire('installation'));
    return journal.jobId;
  }
  async function run(mode: JobMode, drain: DrainPolicy | null) {
    const jobId = await begin(mode, drain);
    await lab.sut.settled();
    return lab.jobs.find(jobId)!;
  }
  const drainStep = (jobId: string) => lab.steps.list(jobId).find((s) => s.step === 'DRAIN')!;
  const paramsOf = (detail: { params: { name: string; value: string }[] } | null) =>
    Object.fromEntries((detail?.params ?? []).map((p) => [p.name, p.value]));

  describe('begin', () => {
    it('drains before it stops, waits while calls are active, and stops once none is', async () => {
      labWith(scripted([2, 1, 0]));
      const job = await run('SEPARATE', WAIT_5_CANCEL);
      expect(job).toMatchObject({ state: 'SUCCEEDED', outcome: 'SUCCEEDED' });
      expect(lab.supervisor.calls.slice(0, 2)).toEqual(['drain', 'stop']);
      expect(calls.looks).toBe(3);
      expect(drainStep(job.id)).toMatchObject({ outcome: 'DONE', detail: { code: 'INSTALL_DRAIN_CALLS_ENDED' } });
      expect(paramsOf(drainStep(job.id).detail)).toMatchObject({ calls: '0' });
      expect(lab.journal.saved!.drained).toMatchObject({ end: 'CALLS_ENDED', activeCallsAtEnd: 0 });
    });

    it('tells the live count, the time waited and the deadline while it waits', async () => {
      labWith(scripted([3, 2, 0]));
      const job = await run('SEPARATE', WAIT_5_CANCEL);
      const waiting = lab.progress.filter((p) => p.drain);
      expect(waiting.map((p) => p.drain!.activeCalls)).toEqual([3, 2]);
      expect(waiting[0]).toMatchObject({ jobId: job.id, step: 'DRAIN', state: 'INSTALLING', detail: { code: 'INSTALL_DRAIN_WAITING' } });
      expect(waiting[1]!.drain!.waitedMs).toBeGreaterThan(waiting[0]!.drain!.waitedMs);
      expect(waiting[0]!.drain!.deadline).toEqual(waiting[1]!.drain!.deadline);
      expect(lab.progress.filter((p) => p.step === 'STOP').every((p) => !p.drain)).toBe(true);
    });

    it('keeps waiting when the count goes up again (a call slipped in before the drain took effect)', async () => {
      labWith(scripted([1, 2, 1, 0]));
      const job = await run('SEPARATE', WAIT_5_CANCEL);
      expect(job.state).toBe('SUCCEEDED');
      expect(calls.looks).toBe(4);
    });

    it('at the limit with CANCEL: undrains, never stops, keeps the staged download and puts the job back to STAGED', async () => {
      labWith(() => 1);
      const job = await run('SEPARATE', WAIT_1_CANCEL);
      expect(job).toMatchObject({ state: 'STAGED', outcome: null, errorCode: null, activeSlot: 1 });
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
      expect(calls.draining).toBe(false);
      expect(lab.bundles.leftOf(job.id)).toContain(`/staging/${job.id}/release`);
      expect(lab.appliance.current).toBe('8.1.0');
      const cancelled = lab.jobs.events(job.id).find((e) => e.type === 'CANCELLED')!;
      expect(cancelled.detail).toMatchObject({ code: 'INSTALL_DRAIN_CANCELLED_LIMIT' });
      expect(paramsOf(cancelled.detail)).toMatchObject({ calls: '1' });
      expect(Number(paramsOf(cancelled.detail).waitedMs)).toBeGreaterThanOrEqual(60_000);
      expect(lab.journal.saved).toMatchObject({ phase: 'DONE', outcome: 'CANCELLED', drained: { end: 'LIMIT_REACHED' } });
      expect(callWaitOf(drainStep(job.id).detail)).toMatchObject({ end: 'LIMIT_REACHED', wentOn: false, activeCallsAtEnd: 1 });
      expect(lab.downtime.planned).toBeNull();
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });

    it('at the limit with CANCEL in one go: the job ends CANCELLED, nothing downloaded', async () => {
      labWith(() => 2);
      const job = await run('DOWNLOAD_AND_INSTALL', WAIT_1_CANCEL);
      expect(job).toMatchObject({ state: 'CANCELLED', outcome: 'CANCELLED', activeSlot: null });
      expect(lab.bundles.leftOf(job.id)).toEqual([]);
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
    });

    it('at the limit with INSTALL_ANYWAY: installs, and records how many calls were active at the stop', async () => {
      labWith(() => 2);
      const job = await run('SEPARATE', WAIT_1_ANYWAY);
      expect(job).toMatchObject({ state: 'SUCCEEDED', outcome: 'SUCCEEDED' });
      expect(drainStep(job.id).detail).toMatchObject({ code: 'INSTALL_DRAIN_LIMIT_PROCEEDED' });
      expect(paramsOf(drainStep(job.id).detail)).toMatchObject({ calls: '2' });
      expect(lab.journal.saved!.drained).toMatchObject({ end: 'LIMIT_REACHED', activeCallsAtEnd: 2 });
      // What History shows, read back from the step's notice.
      expect(callWaitOf(drainStep(job.id).detail)).toEqual({
        end: 'LIMIT_REACHED',
        wentOn: true,
        activeCallsAtEnd: 2,
        waitedMs: lab.journal.saved!.drained!.waitedMs,
      });
    });

    it('ends the wait on the order to install now, and records the calls active at the stop', async () => {
      let jobId = '';
      labWith((look) => {
        if (look === 3) expect(lab.sut.orderDrain(jobId, 'INSTALL_NOW', 'admin')).toBe(true);
        return 4;
      });
      jobId = await begin('SEPARATE', WAIT_5_CANCEL);
      await lab.sut.settled();
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'SUCCEEDED' });
      // The order is taken at the look during which it came: no further look.
      expect(calls.looks).toBe(3);
      expect(drainStep(jobId).detail).toMatchObject({ code: 'INSTALL_DRAIN_INSTALL_NOW' });
      expect(paramsOf(drainStep(jobId).detail)).toMatchObject({ calls: '4' });
    });

    it('ends the wait on the order to cancel: undrains, says who, and nothing else is done', async () => {
      let jobId = '';
      labWith((look) => {
        if (look === 2) lab.sut.orderDrain(jobId, 'CANCEL', 'operator');
        return 1;
      });
      jobId = await begin('SEPARATE', WAIT_5_CANCEL);
      await lab.sut.settled();
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'STAGED' });
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
      const cancelled = lab.jobs.events(jobId).find((e) => e.type === 'CANCELLED')!;
      expect(cancelled.detail).toMatchObject({ code: 'INSTALL_DRAIN_CANCELLED_BY' });
      expect(paramsOf(cancelled.detail)).toMatchObject({ user: 'operator', calls: '1' });
      expect(lab.jobs.events(jobId).map((e) => e.type)).toContain('UNDRAINED');
    });

    it('refuses an order when the job is not waiting for calls', async () => {
      labWith(() => 0);
      const job = await run('SEPARATE', WAIT_5_CANCEL);
      expect(lab.sut.orderDrain(job.id, 'CANCEL', 'admin')).toBe(false);
    });

    it('when the active calls cannot be read: undrains and ends with the typed error, the appliance never stopped', async () => {
      labWith((look) => {
        if (look === 2) throw new CallControlError('ACTIVE_CALLS_UNREADABLE', 'The active-calls command printed "garbage".');
        return 1;
      });
      const job = await run('SEPARATE', WAIT_5_CANCEL);
      expect(job).toMatchObject({ state: 'FAILED', outcome: 'FAILED', errorCode: 'ACTIVE_CALLS_UNREADABLE' });
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
      expect(drainStep(job.id).outcome).toBe('FAILED');
      expect(lab.jobs.events(job.id).map((e) => e.type)).toEqual(expect.arrayContaining(['UNDRAINED', 'FAILED']));
    });

    it('when the drain itself fails: ends with DRAIN_FAILED and undrains all the same', async () => {
      labWith(() => 1);
      calls.drain = async () => {
        throw new CallControlError('DRAIN_FAILED', 'The drain command exited with 1.');
      };
      const job = await run('SEPARATE', WAIT_5_CANCEL);
      expect(job).toMatchObject({ state: 'FAILED', errorCode: 'DRAIN_FAILED' });
      expect(lab.supervisor.calls).toEqual(['undrain']);
    });

    it('skips the wait with a notice when the appliance cannot drain, and installs', async () => {
      lab = engineLab();
      const job = await run('SEPARATE', WAIT_5_CANCEL);
      expect(job.state).toBe('SUCCEEDED');
      expect(drainStep(job.id)).toMatchObject({ outcome: 'DONE', detail: { code: 'INSTALL_DRAIN_UNSUPPORTED' } });
      expect(callWaitOf(drainStep(job.id).detail)).toBeNull();
    });

    it('does not drain at all when the admin chose not to wait', async () => {
      labWith(() => 3);
      const job = await run('SEPARATE', null);
      expect(job.state).toBe('SUCCEEDED');
      expect(calls.looks).toBe(0);
      expect(lab.supervisor.calls[0]).toBe('stop');
      expect(drainStep(job.id).detail).toMatchObject({ code: 'INSTALL_DRAIN_SKIPPED' });
    });
  });

  describe('stop', () => {
    it('undrains when Patchbay stops during the wait, and leaves the journal at DRAIN for the next start', async () => {
      let waiting: () => void = () => {};
      const waited = new Promise<void>((resolve) => (waiting = resolve));
      labWith((look) => {
        if (look === 2) waiting();
        return 1;
      });
      await begin('SEPARATE', WAIT_5_CANCEL);
      await waited;
      await lab.sut.stop();
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
      expect(lab.journal.saved).toMatchObject({ phase: 'FORWARD', step: 'DRAIN' });
    });
  });

  describe('recover', () => {
    it('after a crash during the wait: brings the appliance up, undrains, records it, and ends the job untouched', async () => {
      let crashed: () => void = () => {};
      const atCrash = new Promise<void>((resolve) => (crashed = resolve));
      // At the second look the process dies (a power cut): the call never returns, the PBX stays drained.
      labWith((look) => {
        if (look < 2) return 2;
        crashed();
        return new Promise<number>(() => {});
      });
      const jobId = await begin('SEPARATE', WAIT_5_CANCEL);
      await atCrash;
      expect(calls.draining).toBe(true);
      const recovering = lab.restart();
      expect(await recovering.recover()).toEqual({ jobId, action: 'UNDRAIN' });
      await recovering.settled();
      expect(calls.draining).toBe(false);
      expect(lab.supervisor.calls).toEqual(['drain', 'startAfterMaintenance', 'undrain']);
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'FAILED', outcome: 'FAILED', errorCode: 'INTERRUPTED' });
      const events = lab.jobs.events(jobId);
      expect(events.find((e) => e.type === 'RECOVERY')!.detail).toMatchObject({ code: 'INSTALL_RECOVERY_UNDRAIN' });
      expect(events.find((e) => e.type === 'UNDRAINED')!.detail).toMatchObject({ code: 'INSTALL_UNDRAINED' });
      expect(lab.steps.list(jobId).find((s) => s.step === 'DRAIN')!.outcome).toBe('INTERRUPTED');
      expect(lab.downtime.planned).toBeNull();
      expect(lab.appliance.current).toBe('8.1.0');
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });

    it('records an undrain that fails after a crash, and still ends the job', async () => {
      let crashed: () => void = () => {};
      const atCrash = new Promise<void>((resolve) => (crashed = resolve));
      labWith(() => {
        crashed();
        return new Promise<number>(() => {});
      });
      const jobId = await begin('SEPARATE', WAIT_5_CANCEL);
      await atCrash;
      calls.undrain = async () => {
        throw new CallControlError('UNDRAIN_FAILED', 'The undrain command hung and was killed after 10 s.');
      };
      const recovering = lab.restart();
      await recovering.recover();
      await recovering.settled();
      const failed = lab.jobs.events(jobId).find((e) => e.type === 'UNDRAIN_FAILED')!;
      expect(failed.detail).toEqual({ code: 'INSTALL_UNDRAIN_FAILED', params: [{ name: 'cause', kind: 'TEXT', value: 'UNDRAIN_FAILED' }] });
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'FAILED', errorCode: 'INTERRUPTED' });
    });
  });
});
