/**
 * A scheduled installation's wait for calls, on the engine's in-memory fakes with a scripted call
 * control: it ends with its maintenance window, and there the choice applies (install anyway,
 * cancel, or postpone to the next window, at most MAX_INSTALL_POSTPONEMENTS times, then the job
 * fails POSTPONED_TOO_OFTEN); a crash at its preflight or during its wait plans it again instead of
 * ending it (the scheduler then decides by the window).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DrainOnTimeout } from '../../server/domain/drain.js';
import { callWaitOf } from '../../server/domain/install-notices.js';
import { type InstallPlan, MAX_INSTALL_POSTPONEMENTS } from '../../server/domain/install-schedule.js';
import type { InstallJournal } from '../../server/domain/install.js';
import type { MaintenanceWindowsSetting } from '../../server/domain/maintenance-windows.js';
import type { InstallEngineHooks } from '../../server/services/install/engine-deps.js';
import { type EngineLab, engineLab } from '../helpers/engine-fakes.js';
import { FakeCallControl, moment } from '../helpers/fake-call-control.js';

// The lab's clock starts at 10:00 UTC on 2026-12-01 and moves a second per reading.
const DAILY_NOON: MaintenanceWindowsSetting = {
  timeZone: 'UTC',
  windows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '12:00', lengthMinutes: 60 }],
};
const WINDOW_END = '2026-12-01T10:00:30.000Z';

function planWith(onTimeout: DrainOnTimeout, postponements = 0): InstallPlan {
  return {
    when: 'NEXT_WINDOW',
    plannedAt: '2026-12-01T10:00:00.000Z',
    windowEnd: WINDOW_END,
    drain: { maxWaitMinutes: 240, onTimeout },
    scheduledBy: 'ops',
    ...(postponements ? { postponements } : {}),
  };
}

describe('InstallEngine: a scheduled installation waiting for calls', () => {
  let lab: EngineLab;
  let calls: FakeCallControl;
  afterEach(() => lab?.close());

  function labWith(countAt: (look: number) => number | Promise<number>, hooks?: InstallEngineHooks) {
    calls = new FakeCallControl(countAt);
    lab = engineLab({ calls, hooks });
    calls.log = lab.supervisor.calls;
    lab.schedule.windows = DAILY_NOON;
  }

  async function begin(plan: InstallPlan): Promise<InstallJournal> {
    const journal = lab.newJob('SEPARATE', { drain: plan.drain, schedule: { plan, windowEnd: WINDOW_END } });
    await lab.sut.begin(journal, lab.lock.acquire('installation'));
    return journal;
  }
  async function run(plan: InstallPlan) {
    const { jobId } = await begin(plan);
    await lab.sut.settled();
    return lab.jobs.find(jobId)!;
  }
  const drainStep = (jobId: string) => lab.steps.list(jobId).find((s) => s.step === 'DRAIN')!;
  const eventOf = (jobId: string, type: string) => lab.jobs.events(jobId).find((e) => e.type === type);
  const paramsOf = (detail: { params: { name: string; value: string }[] } | null | undefined) =>
    Object.fromEntries((detail?.params ?? []).map((p) => [p.name, p.value]));

  describe('begin', () => {
    it('waits no longer than the window: its end is the deadline the progress tells', async () => {
      labWith(() => 1);
      await run(planWith('CANCEL'));
      const waiting = lab.progress.filter((p) => p.drain);
      expect(waiting.length).toBeGreaterThan(0);
      expect(waiting.every((p) => p.drain!.deadline.toISOString() === WINDOW_END)).toBe(true);
    });

    it('postpones to the next window when the window closes with calls active: undrained, planned again, recorded', async () => {
      labWith(() => 2);
      const job = await run(planWith('POSTPONE_TO_NEXT_WINDOW'));
      expect(job).toMatchObject({ state: 'INSTALL_SCHEDULED', step: null, outcome: null, errorCode: null, activeSlot: 1 });
      expect(job.installPlan).toEqual({
        ...planWith('POSTPONE_TO_NEXT_WINDOW'),
        plannedAt: '2026-12-01T12:00:00.000Z',
        windowEnd: '2026-12-01T13:00:00.000Z',
        postponements: 1,
      });
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
      expect(calls.draining).toBe(false);
      expect(lab.appliance.current).toBe('8.1.0');
      expect(lab.bundles.leftOf(job.id)).toContain(`/staging/${job.id}/release`);
      expect(drainStep(job.id)).toMatchObject({ outcome: 'DONE', detail: { code: 'INSTALL_DRAIN_POSTPONED' } });
      expect(callWaitOf(drainStep(job.id).detail)).toMatchObject({ end: 'WINDOW_CLOSED', wentOn: false, activeCallsAtEnd: 2 });
      const postponed = eventOf(job.id, 'INSTALL_POSTPONED')!;
      expect(postponed.detail).toMatchObject({ code: 'INSTALL_POSTPONED' });
      expect(paramsOf(postponed.detail)).toEqual({
        plannedAt: '2026-12-01T12:00:00.000Z',
        windowEnd: '2026-12-01T13:00:00.000Z',
        count: '1',
        max: String(MAX_INSTALL_POSTPONEMENTS),
      });
      // The follower sees the new plan, the stream stays open (INSTALL_SCHEDULED), and the scheduler is told.
      expect(lab.progress.at(-1)).toMatchObject({ state: 'INSTALL_SCHEDULED', installPlan: job.installPlan });
      expect(lab.schedule.wakes).toBe(1);
      expect(lab.downtime.planned).toBeNull();
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });

    it('fails POSTPONED_TOO_OFTEN with the count once the cap is reached: undrained, never stopped, not planned again', async () => {
      labWith(() => 1);
      const job = await run(planWith('POSTPONE_TO_NEXT_WINDOW', MAX_INSTALL_POSTPONEMENTS));
      expect(job).toMatchObject({ state: 'FAILED', outcome: 'FAILED', errorCode: 'POSTPONED_TOO_OFTEN', installPlan: null });
      expect(job.errorParams).toEqual([{ name: 'count', kind: 'COUNT', value: String(MAX_INSTALL_POSTPONEMENTS) }]);
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
      expect(drainStep(job.id)).toMatchObject({ outcome: 'FAILED', detail: { code: 'POSTPONED_TOO_OFTEN' } });
      expect(eventOf(job.id, 'INSTALL_POSTPONED')).toBeUndefined();
      expect(lab.schedule.wakes).toBe(0);
    });

    it('stages the job again when no window is left to postpone to', async () => {
      labWith(() => 1);
      lab.schedule.windows = { timeZone: 'UTC', windows: [] };
      const job = await run(planWith('POSTPONE_TO_NEXT_WINDOW'));
      expect(job).toMatchObject({ state: 'STAGED', installPlan: null });
      expect(eventOf(job.id, 'CANCELLED')!.detail).toMatchObject({ code: 'INSTALL_POSTPONED_NO_WINDOW' });
      expect(lab.supervisor.calls).toEqual(['drain', 'undrain']);
    });

    it('at the window’s end with CANCEL: STAGED again, the window named as the reason', async () => {
      labWith(() => 1);
      const job = await run(planWith('CANCEL'));
      expect(job).toMatchObject({ state: 'STAGED', installPlan: null });
      expect(eventOf(job.id, 'CANCELLED')!.detail).toMatchObject({ code: 'INSTALL_DRAIN_CANCELLED_WINDOW_CLOSED' });
      expect(callWaitOf(drainStep(job.id).detail)).toMatchObject({ end: 'WINDOW_CLOSED', wentOn: false });
    });

    it('at the window’s end with INSTALL_ANYWAY: installs, the calls cut recorded', async () => {
      labWith(() => 3);
      const job = await run(planWith('INSTALL_ANYWAY'));
      expect(job.state).toBe('SUCCEEDED');
      expect(drainStep(job.id).detail).toMatchObject({ code: 'INSTALL_DRAIN_WINDOW_CLOSED_PROCEEDED' });
      expect(callWaitOf(drainStep(job.id).detail)).toMatchObject({ end: 'WINDOW_CLOSED', wentOn: true, activeCallsAtEnd: 3 });
    });

    it('goes on as soon as the calls end inside the window', async () => {
      labWith((look) => (look < 3 ? 1 : 0));
      const job = await run(planWith('POSTPONE_TO_NEXT_WINDOW'));
      expect(job.state).toBe('SUCCEEDED');
      expect(drainStep(job.id).detail).toMatchObject({ code: 'INSTALL_DRAIN_CALLS_ENDED' });
    });
  });

  describe('recover', () => {
    it('after a crash during the wait: undrains and plans the job again as it was (the scheduler decides)', async () => {
      const crash = moment();
      labWith((look) => {
        if (look < 2) return 1;
        crash.fire();
        return new Promise<number>(() => {});
      });
      const plan = planWith('POSTPONE_TO_NEXT_WINDOW', 1);
      const { jobId } = await begin(plan);
      await crash.fired;
      const recovering = lab.restart();
      expect(await recovering.recover()).toEqual({ jobId, action: 'PLAN_AGAIN' });
      await recovering.settled();
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'INSTALL_SCHEDULED', installPlan: plan, errorCode: null });
      expect(lab.supervisor.calls).toEqual(['drain', 'startAfterMaintenance', 'undrain']);
      expect(calls.draining).toBe(false);
      expect(eventOf(jobId, 'RECOVERY')!.detail).toMatchObject({ code: 'INSTALL_RECOVERY_PLAN_AGAIN' });
      expect(eventOf(jobId, 'INSTALL_PLANNED_AGAIN')!.detail).toMatchObject({ code: 'INSTALL_PLANNED_AGAIN_AFTER_RESTART' });
      expect(lab.steps.list(jobId).find((s) => s.step === 'DRAIN')!.outcome).toBe('INTERRUPTED');
      expect(lab.downtime.planned).toBeNull();
      expect(lab.schedule.wakes).toBe(1);
      expect(() => lab.lock.acquire('installation')).not.toThrow();
    });

    it('after a crash at its preflight (killed as the window opened): planned again, nothing rolled back', async () => {
      const crash = moment();
      labWith(() => 0, {
        afterJournal: (j) => {
          if (j.step !== 'PREFLIGHT') return;
          crash.fire();
          return new Promise<void>(() => {});
        },
      });
      const plan = planWith('CANCEL');
      const { jobId } = await begin(plan);
      await crash.fired;
      const recovering = lab.restart();
      expect(await recovering.recover()).toEqual({ jobId, action: 'PLAN_AGAIN' });
      await recovering.settled();
      expect(lab.jobs.find(jobId)).toMatchObject({ state: 'INSTALL_SCHEDULED', installPlan: plan });
      expect(lab.supervisor.calls).not.toContain('stop');
      expect(lab.appliance.current).toBe('8.1.0');
      expect(lab.bundles.leftOf(jobId)).toContain(`/staging/${jobId}/release`);
    });
  });
});
