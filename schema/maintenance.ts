/**
 * Maintenance windows: the weekly periods, in an IANA zone, in which the disruptive part of an
 * update may run (`maintenanceWindows`, `setMaintenanceWindows`) and where they fall next
 * (`nextMaintenanceWindows`), as instants and as local times of the zone.
 */
import { builder, ErrorInterface } from './builder.js';
import { InvalidInputError, MaintenanceWindowError } from '../server/domain/errors/index.js';
import {
  MAX_LENGTH_MINUTES,
  MAX_WINDOWS,
  type MaintenanceWindow as Window,
  type MaintenanceWindowsSetting,
  WEEKDAYS,
  type WindowOccurrence,
} from '../server/domain/maintenance-windows.js';
import { MAX_NEXT_OCCURRENCES } from '../server/services/maintenance.service.js';

const Weekday = builder.enumType('Weekday', { values: WEEKDAYS });

builder.objectType(MaintenanceWindowError, {
  name: 'MaintenanceWindowError',
  description: `Codes: UNKNOWN_TIME_ZONE, INVALID_START_TIME, INVALID_LENGTH, NO_DAYS, DUPLICATE_DAYS, TOO_MANY_WINDOWS. A start must be HH:MM from 00:00 to 23:59, a length 1 to ${MAX_LENGTH_MINUTES} minutes, at most ${MAX_WINDOWS} windows. Nothing was stored.`,
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof MaintenanceWindowError,
  fields: (t) => ({
    field: t.exposeString('field', { description: '`timeZone`, `windows`, or `windows[i].days|start|lengthMinutes`.' }),
    windowIndex: t.exposeInt('windowIndex', {
      nullable: true,
      description: 'The window at fault (from 0); null for the zone and the count.',
    }),
    value: t.exposeString('value', { description: 'The refused value as text.' }),
  }),
});

const MaintenanceWindow = builder.objectRef<Window>('MaintenanceWindow').implement({
  fields: (t) => ({
    days: t.field({ type: [Weekday], resolve: (w) => w.days }),
    start: t.exposeString('start', { description: 'Local start in the zone, HH:MM.' }),
    lengthMinutes: t.exposeInt('lengthMinutes', {
      description: 'On the wall clock: on a daylight-saving change day the window is longer or shorter in real time.',
    }),
  }),
});

const MaintenanceWindows = builder.objectRef<MaintenanceWindowsSetting>('MaintenanceWindows').implement({
  description:
    'The zone and the weekly windows. A local start that a clock change skips begins at the first instant after it and keeps its end; a repeated local time is taken at its first occurrence.',
  fields: (t) => ({
    timeZone: t.exposeString('timeZone', { description: 'IANA zone; the appliance’s own until one is set.' }),
    windows: t.field({ type: [MaintenanceWindow], resolve: (s) => s.windows }),
    openUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Now inside a window: when the maintenance time ends (overlapping and touching windows count as one). Null outside.',
      resolve: (_s, _a, ctx) => ctx.services.maintenance.openUntil(),
    }),
  }),
});

const MaintenanceWindowOccurrence = builder.objectRef<WindowOccurrence>('MaintenanceWindowOccurrence').implement({
  fields: (t) => ({
    window: t.exposeInt('window', { description: 'The index of its window in `maintenanceWindows.windows`.' }),
    start: t.expose('start', { type: 'DateTime' }),
    end: t.expose('end', { type: 'DateTime' }),
    localStart: t.exposeString('localStart', { description: 'ISO 8601 local time in the zone, with its offset.' }),
    localEnd: t.exposeString('localEnd', { description: 'ISO 8601 local time in the zone, with its offset.' }),
  }),
});

const NextMaintenanceWindows = builder
  .objectRef<{ timeZone: string; occurrences: WindowOccurrence[] }>('NextMaintenanceWindows')
  .implement({
    fields: (t) => ({
      timeZone: t.exposeString('timeZone'),
      occurrences: t.field({ type: [MaintenanceWindowOccurrence], resolve: (n) => n.occurrences }),
    }),
  });

const MaintenanceWindowInput = builder.inputType('MaintenanceWindowInput', {
  fields: (t) => ({
    days: t.field({ type: [Weekday] }),
    start: t.string({ description: 'Local start, HH:MM (00:00 to 23:59).' }),
    lengthMinutes: t.int({ description: `1 to ${MAX_LENGTH_MINUTES}.` }),
  }),
});

const SetMaintenanceWindowsInput = builder.inputType('SetMaintenanceWindowsInput', {
  fields: (t) => ({
    timeZone: t.string({ description: 'IANA zone, e.g. Europe/Berlin.' }),
    windows: t.field({ type: [MaintenanceWindowInput], description: `At most ${MAX_WINDOWS}; none means no window.` }),
  }),
});

builder.queryFields((t) => ({
  maintenanceWindows: t.field({ type: MaintenanceWindows, resolve: (_r, _a, ctx) => ctx.services.maintenance.get() }),
  nextMaintenanceWindows: t.field({
    type: NextMaintenanceWindows,
    description: 'The next occurrences that have not ended, one under way first, sorted by start; overlapping windows each give their own.',
    errors: { types: [InvalidInputError], directResult: true, union: { name: 'NextMaintenanceWindowsResult' } },
    args: { first: t.arg.int({ required: false, defaultValue: 3, description: `1 to ${MAX_NEXT_OCCURRENCES}.` }) },
    resolve: (_r, { first }, ctx) => ctx.services.maintenance.next(first ?? 3),
  }),
}));

builder.mutationFields((t) => ({
  setMaintenanceWindows: t.field({
    type: MaintenanceWindows,
    authScopes: { operate: true },
    description: 'Replaces the zone and all windows.',
    errors: { types: [MaintenanceWindowError], directResult: true, union: { name: 'SetMaintenanceWindowsResult' } },
    args: { input: t.arg({ type: SetMaintenanceWindowsInput }) },
    resolve: (_r, { input }, ctx) => ctx.services.maintenance.set(input),
  }),
}));
