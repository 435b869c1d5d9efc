/** A scheduled installation's plan, as UpdateJob and the progress events show it, and when an installation may run. */
import { INSTALL_WHEN, type InstallPlan } from '../server/domain/install-schedule.js';
import { builder } from './builder.js';

export const InstallWhenEnum = builder.enumType('InstallWhen', {
  description:
    'NOW: at once. NEXT_WINDOW: in the next maintenance window (the one open now, if any). AT: at the instant `at` (up to 5 minutes late; later, the time counts as missed).',
  values: INSTALL_WHEN,
});

const ScheduledWhenEnum = builder.enumType('ScheduledWhen', { values: ['NEXT_WINDOW', 'AT'] as const });

export const InstallPlanRef = builder.objectRef<InstallPlan>('InstallPlan').implement({
  description: 'When a scheduled installation (INSTALL_SCHEDULED) starts.',
  fields: (t) => ({
    when: t.field({ type: ScheduledWhenEnum, resolve: (p) => p.when }),
    plannedAt: t.field({ type: 'DateTime', resolve: (p) => p.plannedAt }),
    windowEnd: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'NEXT_WINDOW: the end of that maintenance window (overlapping windows merged).',
      resolve: (p) => p.windowEnd,
    }),
    scheduledBy: t.exposeString('scheduledBy'),
  }),
});
