import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { MaintenanceWindowError } from '../../server/domain/errors/index.js';
import {
  type MaintenanceWindow,
  type MaintenanceWindowsSetting,
  nextOccurrences,
  validateMaintenanceWindows,
  WEEKDAYS,
  windowAt,
} from '../../server/domain/maintenance-windows.js';

const daily = (start: string, lengthMinutes = 60): MaintenanceWindow => ({ days: [...WEEKDAYS], start, lengthMinutes });
const setting = (timeZone: string, ...windows: MaintenanceWindow[]): MaintenanceWindowsSetting => ({ timeZone, windows });
const minutes = (o: { start: Date; end: Date }) => (o.end.getTime() - o.start.getTime()) / 60_000;
const startOfYear = (zone: string, year: number) => DateTime.fromObject({ year }, { zone }).toJSDate();
const at = (iso: string) => new Date(iso);

interface ChangeDay {
  date: string;
  localStart: string;
  localEnd: string;
  minutes: number;
}

/**
 * A daily one-hour window through a whole year, with what it is on both days the clocks change. The
 * times are chosen to fall in the skipped or the repeated local time of each zone: Berlin skips and
 * repeats 02:00–03:00, New York skips 02:00–03:00 and repeats 01:00–02:00, Lord Howe skips
 * 02:00–02:30 and repeats 01:30–02:00.
 */
const YEAR_TABLE: { zone: string; year: number; start: string; changeDays: [ChangeDay, ChangeDay] }[] = [
  {
    zone: 'Europe/Berlin',
    year: 2026,
    start: '02:30',
    changeDays: [
      { date: '2026-03-29', localStart: '2026-03-29T03:00:00+02:00', localEnd: '2026-03-29T03:30:00+02:00', minutes: 30 },
      { date: '2026-10-25', localStart: '2026-10-25T02:30:00+02:00', localEnd: '2026-10-25T03:30:00+01:00', minutes: 120 },
    ],
  },
  {
    zone: 'Europe/Berlin',
    year: 2027,
    start: '02:30',
    changeDays: [
      { date: '2027-03-28', localStart: '2027-03-28T03:00:00+02:00', localEnd: '2027-03-28T03:30:00+02:00', minutes: 30 },
      { date: '2027-10-31', localStart: '2027-10-31T02:30:00+02:00', localEnd: '2027-10-31T03:30:00+01:00', minutes: 120 },
    ],
  },
  {
    zone: 'America/New_York',
    year: 2026,
    start: '02:30',
    changeDays: [
      { date: '2026-03-08', localStart: '2026-03-08T03:00:00-04:00', localEnd: '2026-03-08T03:30:00-04:00', minutes: 30 },
      { date: '2026-11-01', localStart: '2026-11-01T02:30:00-05:00', localEnd: '2026-11-01T03:30:00-05:00', minutes: 60 },
    ],
  },
  {
    zone: 'America/New_York',
    year: 2026,
    start: '01:30',
    changeDays: [
      { date: '2026-03-08', localStart: '2026-03-08T01:30:00-05:00', localEnd: '2026-03-08T03:00:00-04:00', minutes: 30 },
      { date: '2026-11-01', localStart: '2026-11-01T01:30:00-04:00', localEnd: '2026-11-01T02:30:00-05:00', minutes: 120 },
    ],
  },
  {
    zone: 'America/New_York',
    year: 2027,
    start: '02:30',
    changeDays: [
      { date: '2027-03-14', localStart: '2027-03-14T03:00:00-04:00', localEnd: '2027-03-14T03:30:00-04:00', minutes: 30 },
      { date: '2027-11-07', localStart: '2027-11-07T02:30:00-05:00', localEnd: '2027-11-07T03:30:00-05:00', minutes: 60 },
    ],
  },
  {
    zone: 'America/New_York',
    year: 2027,
    start: '01:30',
    changeDays: [
      { date: '2027-03-14', localStart: '2027-03-14T01:30:00-05:00', localEnd: '2027-03-14T03:00:00-04:00', minutes: 30 },
      { date: '2027-11-07', localStart: '2027-11-07T01:30:00-04:00', localEnd: '2027-11-07T02:30:00-05:00', minutes: 120 },
    ],
  },
  {
    zone: 'Australia/Lord_Howe',
    year: 2026,
    start: '02:15',
    changeDays: [
      { date: '2026-04-05', localStart: '2026-04-05T02:15:00+10:30', localEnd: '2026-04-05T03:15:00+10:30', minutes: 60 },
      { date: '2026-10-04', localStart: '2026-10-04T02:30:00+11:00', localEnd: '2026-10-04T03:15:00+11:00', minutes: 45 },
    ],
  },
  {
    zone: 'Australia/Lord_Howe',
    year: 2026,
    start: '01:45',
    changeDays: [
      { date: '2026-04-05', localStart: '2026-04-05T01:45:00+11:00', localEnd: '2026-04-05T02:45:00+10:30', minutes: 90 },
      { date: '2026-10-04', localStart: '2026-10-04T01:45:00+10:30', localEnd: '2026-10-04T02:45:00+11:00', minutes: 30 },
    ],
  },
  {
    zone: 'Australia/Lord_Howe',
    year: 2027,
    start: '02:15',
    changeDays: [
      { date: '2027-04-04', localStart: '2027-04-04T02:15:00+10:30', localEnd: '2027-04-04T03:15:00+10:30', minutes: 60 },
      { date: '2027-10-03', localStart: '2027-10-03T02:30:00+11:00', localEnd: '2027-10-03T03:15:00+11:00', minutes: 45 },
    ],
  },
  {
    zone: 'Australia/Lord_Howe',
    year: 2027,
    start: '01:45',
    changeDays: [
      { date: '2027-04-04', localStart: '2027-04-04T01:45:00+11:00', localEnd: '2027-04-04T02:45:00+10:30', minutes: 90 },
      { date: '2027-10-03', localStart: '2027-10-03T01:45:00+10:30', localEnd: '2027-10-03T02:45:00+11:00', minutes: 30 },
    ],
  },
];

const ZONES_AND_YEARS = [2026, 2027].flatMap((year) =>
  ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'].map((zone) => ({ zone, year })),
);

function datesOf(zone: string, year: number): string[] {
  const first = DateTime.fromObject({ year }, { zone });
  const days = first.isInLeapYear ? 366 : 365;
  return Array.from({ length: days }, (_, i) => first.plus({ days: i }).toISODate()!);
}

describe('nextOccurrences', () => {
  describe.each(YEAR_TABLE)('a daily $start window through $year in $zone', ({ zone, year, start, changeDays }) => {
    const sut = nextOccurrences(setting(zone, daily(start)), startOfYear(zone, year), datesOf(zone, year).length);

    it('happens exactly once on every day of the year, the fall-back day included', () => {
      expect(sut.map((o) => o.localStart.slice(0, 10))).toEqual(datesOf(zone, year));
    });

    it('starts and ends at its local times and lasts its length on every other day', () => {
      const ordinary = sut.filter((o) => !changeDays.some((c) => c.date === o.localStart.slice(0, 10)));
      expect(ordinary).toHaveLength(sut.length - 2);
      const end = `${String(Number(start.slice(0, 2)) + 1).padStart(2, '0')}${start.slice(2)}`;
      for (const o of ordinary) {
        expect([o.localStart.slice(11, 16), o.localEnd.slice(11, 16), minutes(o)]).toEqual([start, end, 60]);
      }
    });

    it.each(changeDays)('on $date starts at $localStart and ends at $localEnd ($minutes minutes)', (day) => {
      const o = sut.find((x) => x.localStart.startsWith(day.date))!;
      expect({ localStart: o.localStart, localEnd: o.localEnd, minutes: minutes(o) }).toEqual({
        localStart: day.localStart,
        localEnd: day.localEnd,
        minutes: day.minutes,
      });
      expect(o.start.toISOString()).toBe(new Date(day.localStart).toISOString());
      expect(o.end.toISOString()).toBe(new Date(day.localEnd).toISOString());
    });
  });

  describe.each(ZONES_AND_YEARS)('Sunday 23:00 for 120 minutes through $year in $zone', ({ zone, year }) => {
    const sut = nextOccurrences(setting(zone, { days: ['SUN'], start: '23:00', lengthMinutes: 120 }), startOfYear(zone, year), 60).filter(
      (o) => o.localStart.startsWith(String(year)),
    );

    it('happens on every Sunday of the year', () => {
      const sundays = datesOf(zone, year).filter((d) => DateTime.fromISO(d).weekday === 7);
      expect(sut.map((o) => o.localStart.slice(0, 10))).toEqual(sundays);
    });

    it('crosses midnight and the week’s end into Monday 01:00, two hours every time', () => {
      for (const o of sut) {
        const end = DateTime.fromISO(o.localEnd, { setZone: true });
        expect([o.localStart.slice(11, 16), end.weekday, o.localEnd.slice(11, 16), minutes(o)]).toEqual(['23:00', 1, '01:00', 120]);
      }
    });
  });

  it('skips the day when a window lies wholly in the skipped hour', () => {
    const sut = nextOccurrences(setting('America/New_York', daily('02:10', 20)), at('2026-03-07T00:00:00-05:00'), 2);
    expect(sut.map((o) => o.localStart)).toEqual(['2026-03-07T02:10:00-05:00', '2026-03-09T02:10:00-04:00']);
  });

  it('reports each of two overlapping windows, sorted by start', () => {
    const sut = nextOccurrences(
      setting(
        'Europe/Berlin',
        { days: ['TUE'], start: '02:00', lengthMinutes: 120 },
        { days: ['TUE'], start: '01:00', lengthMinutes: 120 },
      ),
      at('2026-12-01T00:00:00+01:00'),
      3,
    );
    expect(sut.map((o) => [o.window, o.localStart, o.localEnd])).toEqual([
      [1, '2026-12-01T01:00:00+01:00', '2026-12-01T03:00:00+01:00'],
      [0, '2026-12-01T02:00:00+01:00', '2026-12-01T04:00:00+01:00'],
      [1, '2026-12-08T01:00:00+01:00', '2026-12-08T03:00:00+01:00'],
    ]);
  });

  it('puts the occurrence under way first', () => {
    const sut = nextOccurrences(
      setting('Europe/Berlin', { days: ['MON', 'WED'], start: '22:00', lengthMinutes: 240 }),
      at('2026-12-01T01:00:00+01:00'),
      2,
    );
    expect(sut.map((o) => o.localStart)).toEqual(['2026-11-30T22:00:00+01:00', '2026-12-02T22:00:00+01:00']);
  });

  it('gives the instants as absolute times', () => {
    const sut = nextOccurrences(
      setting('Australia/Lord_Howe', { days: ['TUE'], start: '02:00', lengthMinutes: 90 }),
      at('2026-12-01T00:00:00Z'),
      1,
    );
    expect(sut.map((o) => [o.start.toISOString(), o.end.toISOString()])).toEqual([
      ['2026-12-07T15:00:00.000Z', '2026-12-07T16:30:00.000Z'],
    ]);
  });

  it('is empty without windows', () => {
    expect(nextOccurrences(setting('UTC'), at('2026-12-01T00:00:00Z'), 3)).toEqual([]);
  });
});

describe('windowAt', () => {
  const sundayNight = setting('Europe/Berlin', { days: ['SUN'], start: '23:00', lengthMinutes: 120 });
  const overlapping = setting(
    'Europe/Berlin',
    { days: ['TUE'], start: '01:00', lengthMinutes: 120 },
    { days: ['TUE'], start: '02:00', lengthMinutes: 120 },
    { days: ['TUE'], start: '04:00', lengthMinutes: 30 },
    { days: ['TUE'], start: '05:00', lengthMinutes: 30 },
  );

  it.each([
    ['before the start', sundayNight, '2026-12-06T22:59:59+01:00', null],
    ['at the exact start', sundayNight, '2026-12-06T23:00:00+01:00', '2026-12-07T01:00:00+01:00'],
    ['inside, after midnight on Monday', sundayNight, '2026-12-07T00:30:00+01:00', '2026-12-07T01:00:00+01:00'],
    ['a millisecond before the end', sundayNight, '2026-12-07T00:59:59.999+01:00', '2026-12-07T01:00:00+01:00'],
    ['at the exact end', sundayNight, '2026-12-07T01:00:00+01:00', null],
    ['in one of two overlapping windows', overlapping, '2026-12-01T01:30:00+01:00', '2026-12-01T04:30:00+01:00'],
    ['where overlapping and touching windows run into each other', overlapping, '2026-12-01T03:59:00+01:00', '2026-12-01T04:30:00+01:00'],
    ['in the gap between two windows', overlapping, '2026-12-01T04:45:00+01:00', null],
    ['in a separate later window', overlapping, '2026-12-01T05:10:00+01:00', '2026-12-01T05:30:00+01:00'],
  ])('%s', (_name, s, now, end) => {
    expect(windowAt(s, at(now))?.toISOString() ?? null).toBe(end === null ? null : at(end).toISOString());
  });

  it('follows the clock change: the fall-back window ends at its local end, an hour later in real time', () => {
    const s = setting('Europe/Berlin', daily('02:30'));
    expect(windowAt(s, at('2026-10-25T02:15:00+01:00'))?.toISOString()).toBe(at('2026-10-25T03:30:00+01:00').toISOString());
    expect(windowAt(s, at('2026-03-29T02:59:59+02:00'))).toBeNull();
  });

  it('stops following windows that cover every minute after eight days', () => {
    const now = at('2026-12-01T12:00:00Z');
    expect(windowAt(setting('UTC', daily('00:00', 1440)), now)?.toISOString()).toBe('2026-12-09T12:00:00.000Z');
  });
});

describe('validateMaintenanceWindows', () => {
  it('stores the zone’s canonical name and the days in week order', () => {
    expect(validateMaintenanceWindows(setting('europe/berlin', { days: ['SUN', 'MON'], start: '23:00', lengthMinutes: 1440 }))).toEqual(
      setting('Europe/Berlin', { days: ['MON', 'SUN'], start: '23:00', lengthMinutes: 1440 }),
    );
  });

  it('accepts no windows at all', () => {
    expect(validateMaintenanceWindows(setting('UTC'))).toEqual(setting('UTC'));
  });

  const ok: MaintenanceWindow = { days: ['TUE'], start: '02:00', lengthMinutes: 60 };
  it.each([
    ['an unknown zone', setting('Mars/Olympus', ok), 'UNKNOWN_TIME_ZONE', 'timeZone', null, 'Mars/Olympus'],
    ['a fixed offset instead of a zone', setting('+01:00', ok), 'UNKNOWN_TIME_ZONE', 'timeZone', null, '+01:00'],
    ['an empty zone', setting('', ok), 'UNKNOWN_TIME_ZONE', 'timeZone', null, ''],
    ['25:00', setting('UTC', ok, { ...ok, start: '25:00' }), 'INVALID_START_TIME', 'windows[1].start', 1, '25:00'],
    ['24:00', setting('UTC', { ...ok, start: '24:00' }), 'INVALID_START_TIME', 'windows[0].start', 0, '24:00'],
    ['7:5', setting('UTC', { ...ok, start: '7:5' }), 'INVALID_START_TIME', 'windows[0].start', 0, '7:5'],
    ['12:60', setting('UTC', { ...ok, start: '12:60' }), 'INVALID_START_TIME', 'windows[0].start', 0, '12:60'],
    ['a time with seconds', setting('UTC', { ...ok, start: '02:00:00' }), 'INVALID_START_TIME', 'windows[0].start', 0, '02:00:00'],
    ['a zero length', setting('UTC', { ...ok, lengthMinutes: 0 }), 'INVALID_LENGTH', 'windows[0].lengthMinutes', 0, '0'],
    ['a negative length', setting('UTC', { ...ok, lengthMinutes: -30 }), 'INVALID_LENGTH', 'windows[0].lengthMinutes', 0, '-30'],
    ['more than 24 hours', setting('UTC', { ...ok, lengthMinutes: 1441 }), 'INVALID_LENGTH', 'windows[0].lengthMinutes', 0, '1441'],
    ['a fractional length', setting('UTC', { ...ok, lengthMinutes: 1.5 }), 'INVALID_LENGTH', 'windows[0].lengthMinutes', 0, '1.5'],
    ['an empty day set', setting('UTC', ok, ok, { ...ok, days: [] }), 'NO_DAYS', 'windows[2].days', 2, ''],
    ['a day given twice', setting('UTC', { ...ok, days: ['MON', 'TUE', 'MON'] }), 'DUPLICATE_DAYS', 'windows[0].days', 0, 'MON'],
    ['fifteen windows', setting('UTC', ...Array.from({ length: 15 }, () => ok)), 'TOO_MANY_WINDOWS', 'windows', null, '15'],
  ] as const)('refuses %s', (_name, input, code, field, windowIndex, value) => {
    let thrown: unknown;
    try {
      validateMaintenanceWindows(input as MaintenanceWindowsSetting);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(MaintenanceWindowError);
    const e = thrown as MaintenanceWindowError;
    expect({ code: e.code, field: e.field, windowIndex: e.windowIndex, value: e.value }).toEqual({ code, field, windowIndex, value });
  });

  it('accepts fourteen windows, 00:00 and 23:59, and lengths of 1 and 1440 minutes', () => {
    const windows = Array.from({ length: 14 }, (_, i): MaintenanceWindow => ({
      days: ['MON'],
      start: i % 2 ? '23:59' : '00:00',
      lengthMinutes: i % 2 ? 1 : 1440,
    }));
    expect(validateMaintenanceWindows(setting('UTC', ...windows)).windows).toHaveLength(14);
  });
});
