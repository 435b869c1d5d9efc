/**
 * Maintenance windows: weekly periods, in an IANA time zone, in which the disruptive part of an
 * update may run. This module validates a setting and turns it into absolute instants; it has no
 * clock (`now` is a parameter) and no I/O. The zone rules come from luxon (Intl's IANA data).
 *
 * Daylight saving is resolved in local wall-clock terms, the way the admin wrote the window:
 * - a window's end is its local start plus its length on the wall clock, so on a change day the
 *   window is an hour (Lord Howe: half an hour) longer or shorter in real time;
 * - a local time that does not exist (02:30 on the spring-forward day in Europe/Berlin) is taken as
 *   the first instant after the gap (03:00): such a window starts at 03:00 and keeps its end; one
 *   that lies wholly in the gap does not happen that day;
 * - a local time that happens twice (the repeated hour on the fall-back day) is taken at its first
 *   occurrence, so a window runs once, never twice.
 */
import { DateTime, IANAZone } from 'luxon';
import { MaintenanceWindowError } from './errors/index.js';

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MAX_WINDOWS = 14;
export const MAX_LENGTH_MINUTES = 24 * 60;

export interface MaintenanceWindow {
  days: Weekday[];
  /** Local start, `HH:MM` (00:00 to 23:59). */
  start: string;
  lengthMinutes: number;
}

export interface MaintenanceWindowsSetting {
  timeZone: string;
  windows: MaintenanceWindow[];
}

/** One occurrence of one window, as instants and as local times (ISO 8601 with the zone's offset). */
export interface WindowOccurrence {
  window: number;
  start: Date;
  end: Date;
  localStart: string;
  localEnd: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Farther than any zone's offset from UTC (±14 h): instants this far around a wall time bracket its offsets. */
const OFFSET_BRACKET_MS = 15 * 60 * MINUTE_MS;
/** How far ahead `windowAt` follows overlapping or touching occurrences; a setting covering every minute ends here. */
const MERGE_HORIZON_DAYS = 8;

/**
 * The setting as stored: the zone's canonical name (`europe/berlin` → `Europe/Berlin`), each window's
 * days in week order. Throws MaintenanceWindowError for the first field at fault.
 */
export function validateMaintenanceWindows(input: MaintenanceWindowsSetting): MaintenanceWindowsSetting {
  const timeZone = canonicalZone(input.timeZone);
  if (input.windows.length > MAX_WINDOWS) {
    throw new MaintenanceWindowError(
      'TOO_MANY_WINDOWS',
      `At most ${MAX_WINDOWS} maintenance windows can be set (${input.windows.length} given).`,
      'windows',
      null,
      String(input.windows.length),
    );
  }
  const windows = input.windows.map((w, i): MaintenanceWindow => {
    if (w.days.length === 0) {
      throw new MaintenanceWindowError('NO_DAYS', `Window ${i + 1} has no weekday.`, `windows[${i}].days`, i, '');
    }
    const repeated = w.days.find((d, j) => w.days.indexOf(d) !== j);
    if (repeated) {
      throw new MaintenanceWindowError('DUPLICATE_DAYS', `Window ${i + 1} names ${repeated} twice.`, `windows[${i}].days`, i, repeated);
    }
    if (!TIME.test(w.start)) {
      throw new MaintenanceWindowError(
        'INVALID_START_TIME',
        `Window ${i + 1}: the start ${JSON.stringify(w.start)} is not a time HH:MM from 00:00 to 23:59.`,
        `windows[${i}].start`,
        i,
        w.start,
      );
    }
    if (!Number.isInteger(w.lengthMinutes) || w.lengthMinutes < 1 || w.lengthMinutes > MAX_LENGTH_MINUTES) {
      throw new MaintenanceWindowError(
        'INVALID_LENGTH',
        `Window ${i + 1}: the length must be a whole number of minutes from 1 to ${MAX_LENGTH_MINUTES} (${w.lengthMinutes} given).`,
        `windows[${i}].lengthMinutes`,
        i,
        String(w.lengthMinutes),
      );
    }
    return { days: WEEKDAYS.filter((d) => w.days.includes(d)), start: w.start, lengthMinutes: w.lengthMinutes };
  });
  return { timeZone, windows };
}

/** An IANA zone's canonical name (`europe/berlin` → `Europe/Berlin`); null for fixed offsets and unknown names. */
export function ianaZoneName(name: string): string | null {
  if (!IANAZone.isValidZone(name)) return null;
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

function canonicalZone(name: string): string {
  const zone = ianaZoneName(name);
  if (zone === null) {
    throw new MaintenanceWindowError('UNKNOWN_TIME_ZONE', `${JSON.stringify(name)} is not an IANA time zone.`, 'timeZone', null, name);
  }
  return zone;
}

/**
 * The next `count` occurrences that have not ended at `now` (one under way comes first), sorted by
 * start, then by window index. Overlapping windows each report their own occurrence.
 */
export function nextOccurrences(setting: MaintenanceWindowsSetting, now: Date, count: number): WindowOccurrence[] {
  const perWeek = setting.windows.reduce((n, w) => n + w.days.length, 0);
  if (perWeek === 0 || count < 1) return [];
  // A week holds `perWeek` occurrences, less those lying wholly in a spring-forward gap (one day a
  // year): one week more than the count needs covers the week under way, two more that gap as well.
  const weeks = Math.ceil(count / perWeek) + 1;
  for (let span = weeks; ; span += 1) {
    const found = occurrencesBetween(setting, now, new Date(now.getTime() + span * 7 * DAY_MS));
    if (found.length >= count || span > weeks) return found.slice(0, count);
  }
}

/**
 * The end of the maintenance time that `now` is in, or null outside every window. Overlapping and
 * touching occurrences count as one span (an installer asks "may I, and until when?"). Windows are
 * half-open: a window's start is inside it, its end is not.
 */
export function windowAt(setting: MaintenanceWindowsSetting, now: Date): Date | null {
  const horizon = now.getTime() + MERGE_HORIZON_DAYS * DAY_MS;
  let end: number | null = null;
  for (const o of occurrencesBetween(setting, now, new Date(horizon))) {
    const start = o.start.getTime();
    if (end === null ? start > now.getTime() : start > end) break;
    end = Math.max(end ?? 0, o.end.getTime());
  }
  return end === null ? null : new Date(Math.min(end, horizon));
}

/** The occurrences that overlap [from, to), sorted by start, then window index. */
function occurrencesBetween(setting: MaintenanceWindowsSetting, from: Date, to: Date): WindowOccurrence[] {
  const zone = IANAZone.create(setting.timeZone);
  const local = DateTime.fromMillis(from.getTime(), { zone });
  // A window lasts at most a day, so one that started the local day before `from` may still run.
  let date = DateTime.utc(local.year, local.month, local.day).minus({ days: 1 });
  const found: WindowOccurrence[] = [];
  for (; date.toMillis() - OFFSET_BRACKET_MS < to.getTime(); date = date.plus({ days: 1 })) {
    const weekday = WEEKDAYS[date.weekday - 1]!;
    setting.windows.forEach((w, index) => {
      if (!w.days.includes(weekday)) return;
      const startWall = date.toMillis() + (Number(w.start.slice(0, 2)) * 60 + Number(w.start.slice(3, 5))) * MINUTE_MS;
      const start = resolveWallTime(zone, startWall);
      const end = resolveWallTime(zone, startWall + w.lengthMinutes * MINUTE_MS);
      // Wholly inside a spring-forward gap: the window does not happen that day.
      if (end <= start || end <= from.getTime() || start >= to.getTime()) return;
      found.push({
        window: index,
        start: new Date(start),
        end: new Date(end),
        localStart: localIso(zone, start),
        localEnd: localIso(zone, end),
      });
    });
  }
  return found.sort((a, b) => a.start.getTime() - b.start.getTime() || a.window - b.window);
}

/**
 * The instant of a local wall time (given as milliseconds of that wall time read as UTC): its first
 * occurrence when the hour repeats, the first instant after the gap when the time does not exist.
 */
function resolveWallTime(zone: IANAZone, wall: number): number {
  const before = zone.offset(wall - OFFSET_BRACKET_MS) * MINUTE_MS;
  const after = zone.offset(wall + OFFSET_BRACKET_MS) * MINUTE_MS;
  const valid = [wall - before, wall - after].filter((t) => zone.offset(t) * MINUTE_MS === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  // In the gap: the transition lies between the instant read with the new offset (still before it)
  // and the one read with the old offset (already after it).
  let lo = wall - after;
  let hi = wall - before;
  const old = zone.offset(lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === old) lo = mid;
    else hi = mid;
  }
  return hi;
}

function localIso(zone: IANAZone, t: number): string {
  return DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true })!;
}
