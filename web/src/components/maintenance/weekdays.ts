/** The weekdays of the API (Monday first), named in the admin's language by Intl. */
import type { MaintenanceWindowInput, Weekday } from '../../graphql/generated/graphql';

export type WindowDraft = MaintenanceWindowInput;
export const WEEKDAYS: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** 1 January 2024 was a Monday. */
export function weekdayName(day: Weekday, locale: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + WEEKDAYS.indexOf(day)));
}
