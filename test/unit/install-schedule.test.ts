/**
 * The scheduling rule of installations: the planned time of a request, and what the scheduler
 * does with a plan before, inside and after its window, after a downtime, and around an AT grace.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, NoMaintenanceWindowError } from '../../server/domain/errors/index.js';
import {
  AT_GRACE_MS,
  finishedTooLate,
  type InstallPlan,
  MAX_INSTALL_POSTPONEMENTS,
  planTime,
  postponement,
  scheduleDecision,
  type ScheduleDecision,
} from '../../server/domain/install-schedule.js';
import { canMove, endsJobStreams, isActive, isDownloading, stagedState } from '../../server/domain/jobs.js';
import type { MaintenanceWindowsSetting } from '../../server/domain/maintenance-windows.js';
import { INSTALL_SCHEDULE_NOTICE_CODES } from '../../server/domain/install-schedule-notices.js';
import { messages as de } from '../../web/src/i18n/notices/schedule.de.js';
import { messages as en } from '../../web/src/i18n/notices/schedule.en.js';
import { messages as fr } from '../../web/src/i18n/notices/schedule.fr.js';

// Tuesdays 02:00–04:00 in Berlin (CET, UTC+1 in December): 01:00–03:00 UTC.
const TUESDAYS: MaintenanceWindowsSetting = { timeZone: 'Europe/Berlin', windows: [{ days: ['TUE'], start: '02:00', lengthMinutes: 120 }] };
// The same and an overlapping one from 03:30 to 05:00: one span, 01:00–04:00 UTC.
const OVERLAPPING: MaintenanceWindowsSetting = {
  timeZone: 'Europe/Berlin',
  windows: [...TUESDAYS.windows, { days: ['TUE'], start: '03:30', lengthMinutes: 90 }],
};
const NONE: MaintenanceWindowsSetting = { timeZone: 'Europe/Berlin', windows: [] };
const d = (iso: string) => new Date(iso);

describe('planTime', () => {
  it.each([
    ['before the window: its next occurrence', TUESDAYS, '2026-11-30T12:00:00Z', '2026-12-01T01:00:00.000Z', '2026-12-01T03:00:00.000Z'],
    [
      'inside the window: the open one, starting now',
      TUESDAYS,
      '2026-12-01T02:15:00Z',
      '2026-12-01T02:15:00.000Z',
      '2026-12-01T03:00:00.000Z',
    ],
    ['at the window’s end: the next week’s', TUESDAYS, '2026-12-01T03:00:00Z', '2026-12-08T01:00:00.000Z', '2026-12-08T03:00:00.000Z'],
    [
      'overlapping windows: to the end of both',
      OVERLAPPING,
      '2026-11-30T12:00:00Z',
      '2026-12-01T01:00:00.000Z',
      '2026-12-01T04:00:00.000Z',
    ],
  ])('plans NEXT_WINDOW %s', (_name, windows, now, plannedAt, windowEnd) => {
    const sut = planTime('NEXT_WINDOW', null, windows, d(now));
    expect({ plannedAt: sut.plannedAt.toISOString(), windowEnd: sut.windowEnd?.toISOString() }).toEqual({ plannedAt, windowEnd });
  });

  it('refuses NEXT_WINDOW without a window, with its own code', () => {
    expect(() => planTime('NEXT_WINDOW', null, NONE, d('2026-12-01T00:00:00Z'))).toThrow(NoMaintenanceWindowError);
  });

  it('plans AT at the instant given, without a window end', () => {
    expect(planTime('AT', d('2026-12-02T10:00:00Z'), NONE, d('2026-12-01T00:00:00Z'))).toEqual({
      plannedAt: d('2026-12-02T10:00:00Z'),
      windowEnd: null,
    });
  });

  it.each([
    ['missing', null],
    ['in the past', d('2026-11-30T23:59:59Z')],
    ['now', d('2026-12-01T00:00:00Z')],
    ['more than 90 days ahead', d('2027-03-02T00:00:01Z')],
    ['not a date', d('nonsense')],
  ])('refuses an AT instant %s as invalid input of `at`', (_name, at) => {
    const attempt = () => planTime('AT', at, NONE, d('2026-12-01T00:00:00Z'));
    expect(attempt).toThrow(InvalidInputError);
    expect(attempt).toThrow(expect.objectContaining({ field: 'at' }));
  });
});

describe('scheduleDecision', () => {
  const inWindow = { when: 'NEXT_WINDOW' as const, plannedAt: '2026-12-01T01:00:00.000Z' };
  const atNoon = { when: 'AT' as const, plannedAt: '2026-12-01T12:00:00.000Z' };
  const nextWeek = { plannedAt: d('2026-12-08T01:00:00Z'), windowEnd: d('2026-12-08T03:00:00Z') };

  it.each<[string, { when: 'NEXT_WINDOW' | 'AT'; plannedAt: string }, MaintenanceWindowsSetting, string, ScheduleDecision]>([
    ['waits before the window', inWindow, TUESDAYS, '2026-11-30T12:00:00Z', { kind: 'WAIT', until: d('2026-12-01T01:00:00Z') }],
    ['installs as the window opens', inWindow, TUESDAYS, '2026-12-01T01:00:00Z', { kind: 'INSTALL', windowEnd: d('2026-12-01T03:00:00Z') }],
    [
      'installs late inside the window',
      inWindow,
      TUESDAYS,
      '2026-12-01T02:59:59Z',
      { kind: 'INSTALL', windowEnd: d('2026-12-01T03:00:00Z') },
    ],
    ['moves to the next window at its end', inWindow, TUESDAYS, '2026-12-01T03:00:00Z', { kind: 'WINDOW_MISSED', next: nextWeek }],
    ['moves to the next window after a downtime', inWindow, TUESDAYS, '2026-12-01T10:00:00Z', { kind: 'WINDOW_MISSED', next: nextWeek }],
    ['is left without a plan when the windows were removed', inWindow, NONE, '2026-12-01T01:00:00Z', { kind: 'WINDOW_MISSED', next: null }],
    ['waits before the AT instant', atNoon, NONE, '2026-12-01T11:59:59Z', { kind: 'WAIT', until: d('2026-12-01T12:00:00Z') }],
    ['installs at the AT instant', atNoon, NONE, '2026-12-01T12:00:00Z', { kind: 'INSTALL', windowEnd: null }],
    [
      'installs at the end of the AT grace',
      atNoon,
      NONE,
      new Date(d('2026-12-01T12:00:00Z').getTime() + AT_GRACE_MS).toISOString(),
      { kind: 'INSTALL', windowEnd: null },
    ],
    ['misses the AT instant after the grace', atNoon, NONE, '2026-12-01T12:05:00.001Z', { kind: 'AT_MISSED' }],
    ['does not need a window for AT', atNoon, TUESDAYS, '2026-12-01T12:01:00Z', { kind: 'INSTALL', windowEnd: null }],
  ])('%s', (_name, plan, windows, now, expected) => {
    expect(scheduleDecision(plan, windows, d(now))).toEqual(expected);
  });
});

describe('postponement', () => {
  const sut = postponement;
  const plan: InstallPlan = {
    when: 'NEXT_WINDOW',
    plannedAt: '2026-12-01T01:00:00.000Z',
    windowEnd: '2026-12-01T03:00:00.000Z',
    drain: { maxWaitMinutes: 240, onTimeout: 'POSTPONE_TO_NEXT_WINDOW' },
    scheduledBy: 'ops',
  };
  const windowEnd = d('2026-12-01T03:00:00Z');

  it('plans the next window when the window closed, counting the postponement, with the same wait and the same author', () => {
    expect(sut(plan, windowEnd, TUESDAYS, d('2026-12-01T03:00:00Z'))).toEqual({
      kind: 'POSTPONE',
      next: { plannedAt: d('2026-12-08T01:00:00Z'), windowEnd: d('2026-12-08T03:00:00Z') },
      plan: { ...plan, plannedAt: '2026-12-08T01:00:00.000Z', windowEnd: '2026-12-08T03:00:00.000Z', postponements: 1 },
    });
  });

  it('at the limit, with the window still open, plans the next window and not the open one', () => {
    const decision = sut(plan, windowEnd, TUESDAYS, d('2026-12-01T01:30:00Z'));
    expect(decision).toMatchObject({ kind: 'POSTPONE', plan: { plannedAt: '2026-12-08T01:00:00.000Z' } });
  });

  it('counts on from the plan: the last allowed postponement, then TOO_OFTEN with the count made', () => {
    const last = { ...plan, postponements: MAX_INSTALL_POSTPONEMENTS - 1 };
    expect(sut(last, windowEnd, TUESDAYS, windowEnd)).toMatchObject({
      kind: 'POSTPONE',
      plan: { postponements: MAX_INSTALL_POSTPONEMENTS },
    });
    expect(sut({ ...plan, postponements: MAX_INSTALL_POSTPONEMENTS }, windowEnd, TUESDAYS, windowEnd)).toEqual({
      kind: 'TOO_OFTEN',
      count: MAX_INSTALL_POSTPONEMENTS,
    });
    expect(MAX_INSTALL_POSTPONEMENTS).toBe(3);
  });

  it('has nowhere to go once no window is set', () => {
    expect(sut(plan, windowEnd, NONE, windowEnd)).toEqual({ kind: 'NO_WINDOW' });
  });
});

describe('finishedTooLate', () => {
  const sut = finishedTooLate;
  const window = { when: 'NEXT_WINDOW' as const, plannedAt: '2026-12-08T01:00:00.000Z', windowEnd: '2026-12-08T03:00:00.000Z' };
  const at = { when: 'AT' as const, plannedAt: '2026-12-08T01:00:00.000Z', windowEnd: null };

  it('says a download staged after the end of its window finished too late', () => {
    expect(sut(window, d('2026-12-08T03:00:01Z'))).toBe(true);
  });

  it('says a download staged within its window (or before it) was in time', () => {
    expect(sut(window, d('2026-12-08T02:59:00Z'))).toBe(false);
    expect(sut(window, d('2026-12-07T12:00:00Z'))).toBe(false);
  });

  it('gives an AT plan its grace before the download counts as too late', () => {
    expect(sut(at, new Date(Date.parse(at.plannedAt) + AT_GRACE_MS))).toBe(false);
    expect(sut(at, new Date(Date.parse(at.plannedAt) + AT_GRACE_MS + 1000))).toBe(true);
  });

  it('says nothing of a job not yet downloaded', () => {
    expect(sut(window, null)).toBe(false);
  });
});

describe('a plan made while the job downloads', () => {
  it('is possible in every download state; the download then goes to INSTALL_SCHEDULED instead of STAGED', () => {
    for (const state of ['SCHEDULED', 'DOWNLOADING', 'DOWNLOADED'] as const) expect(isDownloading(state)).toBe(true);
    expect(isDownloading('STAGED')).toBe(false);
    expect(stagedState(true)).toBe('INSTALL_SCHEDULED');
    expect(stagedState(false)).toBe('STAGED');
    expect(canMove('DOWNLOADED', 'INSTALL_SCHEDULED')).toBe(true);
  });
});

describe('the INSTALL_SCHEDULED state', () => {
  it('is reached from STAGED and left to install, to reschedule or back to STAGED', () => {
    expect(canMove('STAGED', 'INSTALL_SCHEDULED')).toBe(true);
    for (const to of ['INSTALLING', 'INSTALL_SCHEDULED', 'STAGED'] as const) expect(canMove('INSTALL_SCHEDULED', to)).toBe(true);
    expect(canMove('INSTALL_SCHEDULED', 'SUCCEEDED')).toBe(false);
  });

  it('holds the active slot and keeps its streams open (the installation starts by itself)', () => {
    expect(isActive('INSTALL_SCHEDULED')).toBe(true);
    expect(endsJobStreams('INSTALL_SCHEDULED')).toBe(false);
  });
});

describe('the SPA’s words for scheduling', () => {
  for (const [locale, words] of Object.entries({ en, de, fr })) {
    it(`has ${locale} words for every notice of a scheduled installation`, () => {
      expect(INSTALL_SCHEDULE_NOTICE_CODES.filter((code) => !(`notice.${code}` in words))).toEqual([]);
    });
  }
});
