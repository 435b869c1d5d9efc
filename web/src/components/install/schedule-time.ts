/**
 * Times of a scheduled installation as the admin reads them: in the zone the maintenance windows
 * are set in (the appliance's), in the admin's locale, with the zone named when the browser runs
 * in another one; and the check of an "At …" time before it is sent.
 */

/** The browser's own zone: times in another zone say which one they are in. */
export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The server refuses an `at` more than 90 days ahead; the form says so before sending it. */
export const MAX_AT_AHEAD_MS = 90 * 24 * 3_600_000;

function withZone(text: string, zone: string): string {
  return zone === browserZone ? text : `${text} (${zone})`;
}

/** A window as "Tue 02:00–04:00" (both weekdays when it crosses midnight). */
export function formatWindow(start: string, end: string, zone: string, locale: string): string {
  const format = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit' });
  return withZone(format.formatRange(new Date(start), new Date(end)), zone);
}

/** An instant as "Tue, 1 Dec 2026, 02:00". */
export function formatInstant(iso: string, zone: string, locale: string): string {
  const format = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return withZone(format.format(new Date(iso)), zone);
}

/** What is wrong with the value of a datetime-local input (read in the browser's zone), if anything. */
export function atProblem(value: string, now: number): 'missing' | 'past' | 'tooFar' | null {
  const at = value ? new Date(value).getTime() : Number.NaN;
  if (Number.isNaN(at)) return 'missing';
  if (at <= now) return 'past';
  if (at > now + MAX_AT_AHEAD_MS) return 'tooFar';
  return null;
}

/** Seconds as "2 d 03:04:05" or "03:04:05", for a countdown. */
export function clockDuration(totalSeconds: number): { days: number; time: string } {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const days = Math.floor(s / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { days, time: `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}` };
}
