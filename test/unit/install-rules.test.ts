import { describe, expect, it } from 'vitest';
import {
  estimateDowntime,
  type InstallJournal,
  type InstallStep,
  newJournal,
  recoveryAction,
  rollbackRestoresData,
  stepsFor,
  touchesData,
} from '../../server/domain/install.js';
import { moduleStateAfter } from '../../server/domain/module-plan.js';

const now = new Date('2026-11-25T12:00:00Z');

function journalAt(step: InstallStep, overrides: Partial<InstallJournal> = {}): InstallJournal {
  const j = newJournal({
    jobId: 'j1',
    mode: 'SEPARATE',
    fromVersion: '8.1.0',
    targetVersion: '8.2.0',
    modules: [],
    sourceBackupId: null,
    now,
  });
  const steps = stepsFor('SEPARATE');
  const done = steps.slice(0, steps.indexOf(step));
  return { ...j, step, stepsDone: [...done], backupId: done.includes('BACKUP') ? 'b1' : null, ...overrides };
}

describe('stepsFor', () => {
  it('stops the appliance before the backup, and downloads only in one go', () => {
    expect(stepsFor('SEPARATE')).toEqual([
      'PREFLIGHT',
      'DRAIN',
      'STOP',
      'BACKUP',
      'APPLY',
      'MIGRATE',
      'SWITCH',
      'MODULES',
      'START',
      'HEALTHCHECK',
      'COMMIT',
    ]);
    expect(stepsFor('DOWNLOAD_AND_INSTALL').slice(0, 5)).toEqual(['PREFLIGHT', 'DRAIN', 'STOP', 'DOWNLOAD', 'BACKUP']);
    expect(stepsFor('RESTORE')).toEqual([
      'PREFLIGHT',
      'DRAIN',
      'STOP',
      'BACKUP',
      'RESTORE_DATA',
      'SWITCH',
      'START',
      'HEALTHCHECK',
      'COMMIT',
    ]);
  });

  it('says which steps change the data: from the migration on (or the restored data)', () => {
    expect(touchesData('SEPARATE', 'APPLY')).toBe(false);
    expect(touchesData('SEPARATE', 'MIGRATE')).toBe(true);
    expect(touchesData('SEPARATE', 'START')).toBe(true);
    expect(touchesData('RESTORE', 'BACKUP')).toBe(false);
    expect(touchesData('RESTORE', 'RESTORE_DATA')).toBe(true);
  });
});

describe('recoveryAction', () => {
  it.each([
    ['PREFLIGHT', 'ROLL_BACK'],
    ['DRAIN', 'UNDRAIN'],
    ['STOP', 'ROLL_BACK'],
    ['BACKUP', 'ROLL_BACK'],
    ['APPLY', 'ROLL_BACK'],
    ['MIGRATE', 'ROLL_BACK'],
    ['SWITCH', 'ROLL_BACK'],
    ['MODULES', 'ROLL_BACK'],
    ['START', 'RESUME'],
    ['HEALTHCHECK', 'RESUME'],
    ['COMMIT', 'COMPLETE'],
  ] as const)('after a crash during %s: %s', (step, action) => {
    expect(recoveryAction(journalAt(step))).toBe(action);
  });

  it.each(['PREFLIGHT', 'DRAIN'] as const)('plans a scheduled installation again after a crash during %s (nothing was touched)', (step) => {
    const schedule = {
      plan: {
        when: 'NEXT_WINDOW' as const,
        plannedAt: now.toISOString(),
        windowEnd: now.toISOString(),
        drain: null,
        scheduledBy: 'admin',
      },
      windowEnd: now.toISOString(),
    };
    expect(recoveryAction(journalAt(step, { schedule }))).toBe('PLAN_AGAIN');
    // Once the appliance is stopped, a scheduled installation recovers as any other.
    expect(recoveryAction(journalAt('STOP', { schedule }))).toBe('ROLL_BACK');
  });

  it('resumes a started release only once: a crash during the resumed attempt rolls back', () => {
    const j = journalAt('HEALTHCHECK', { recoveries: [{ at: now.toISOString(), step: 'HEALTHCHECK', action: 'RESUME' }] });
    expect(recoveryAction(j)).toBe('ROLL_BACK');
  });

  it('runs an interrupted rollback again, and does nothing for a finished journal', () => {
    expect(recoveryAction({ ...journalAt('MIGRATE'), phase: 'ROLLING_BACK', step: 'ROLLBACK_DATA' })).toBe('ROLL_BACK');
    expect(recoveryAction({ ...journalAt('COMMIT'), phase: 'DONE', outcome: 'SUCCEEDED' })).toBe('NONE');
  });
});

describe('rollbackRestoresData', () => {
  it('restores the backup once a step that changes data has begun, not before', () => {
    expect(rollbackRestoresData(journalAt('APPLY'))).toBe(false);
    expect(rollbackRestoresData(journalAt('MIGRATE'))).toBe(true);
    expect(rollbackRestoresData(journalAt('HEALTHCHECK'))).toBe(true);
  });

  it('has nothing to restore without a backup', () => {
    expect(rollbackRestoresData(journalAt('BACKUP'))).toBe(false);
  });

  it('keeps the decision taken when the rollback began, whatever the step is since', () => {
    const j = { ...journalAt('MIGRATE'), phase: 'ROLLING_BACK' as const, step: 'ROLLBACK_SWITCH' as const, rollbackRestoresData: true };
    expect(rollbackRestoresData(j)).toBe(true);
  });
});

describe('estimateDowntime', () => {
  const MB = 1024 * 1024;

  it('adds the backup at the measured speed to the median of the other steps of past installations', () => {
    const sut = estimateDowntime({
      mode: 'SEPARATE',
      dataBytes: 500 * MB,
      backupBytesPerSecond: 250 * MB,
      pastInstalls: [
        { unavailableMs: 14_000, backupMs: 2_000 },
        { unavailableMs: 30_000, backupMs: 10_000 },
        { unavailableMs: 9_000, backupMs: 1_000 },
      ],
      restartMs: 3_000,
    });
    expect(sut).toMatchObject({ backupSeconds: 2, otherSeconds: 12, seconds: 14, downloadSeconds: 0 });
    expect(sut.worstCaseSeconds).toBe(Math.ceil((2000 + 12_000 + 2000 + 3000) / 1000));
    expect(sut.basis).toMatch(/median of 3 past installation/);
  });

  it('falls back to the last measured restart, then to a default, without history', () => {
    const base = { mode: 'SEPARATE' as const, dataBytes: 0, backupBytesPerSecond: 100 * MB, pastInstalls: [] };
    expect(estimateDowntime({ ...base, restartMs: 4_000 }).otherSeconds).toBe(9);
    expect(estimateDowntime({ ...base, restartMs: null }).otherSeconds).toBe(15);
  });

  it('counts the download in one go, and says when its speed is unknown', () => {
    const base = { mode: 'DOWNLOAD_AND_INSTALL' as const, dataBytes: 0, backupBytesPerSecond: 1, pastInstalls: [], restartMs: 1000 };
    expect(estimateDowntime({ ...base, downloadBytes: 100 * MB, downloadBytesPerSecond: 10 * MB }).downloadSeconds).toBe(10);
    const unknown = estimateDowntime({ ...base, downloadBytes: 100 * MB, downloadBytesPerSecond: null });
    expect(unknown.downloadSeconds).toBeNull();
    expect(unknown.basis).toMatch(/speed unknown/);
  });
});

describe('moduleStateAfter', () => {
  const installed = [
    { id: 'fax', name: 'Fax', version: '2.0.0', enabled: true, supportedSystem: '>=8.0.0 <9.0.0' },
    { id: 'callcenter', name: 'Call Center', version: '3.0.0', enabled: true, supportedSystem: '>=8.0.0 <9.0.0' },
    { id: 'crm', name: 'CRM', version: '1.4.0', enabled: true, supportedSystem: '>=8.0.0 <10.0.0' },
    { id: 'old', name: 'Old', version: '1.0.0', enabled: false, supportedSystem: '>=7.0.0 <8.0.0' },
  ];

  it('moves the selected modules, disables those that cannot run on the target, leaves the rest', () => {
    const sut = moduleStateAfter(installed, '9.0.0', [{ moduleId: 'callcenter', version: '4.0.0' }]);
    expect(sut.modules).toEqual([
      { id: 'fax', name: 'Fax', version: '2.0.0', enabled: false },
      { id: 'callcenter', name: 'Call Center', version: '4.0.0', enabled: true },
      { id: 'crm', name: 'CRM', version: '1.4.0', enabled: true },
      { id: 'old', name: 'Old', version: '1.0.0', enabled: false },
    ]);
    expect(sut.changes).toEqual([
      { moduleId: 'fax', name: 'Fax', from: '2.0.0', to: null, disabled: true },
      { moduleId: 'callcenter', name: 'Call Center', from: '3.0.0', to: '4.0.0', disabled: false },
    ]);
  });

  it('changes nothing on a patch that every module supports', () => {
    expect(moduleStateAfter(installed, '8.1.3', []).changes).toEqual([]);
  });
});
