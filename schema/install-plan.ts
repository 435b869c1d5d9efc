/** A scheduled installation's plan, as UpdateJob, the progress events and `system.nextInstall` show it, and when an installation may run. */
import { INSTALL_WHEN, type InstallPlan, MAX_INSTALL_POSTPONEMENTS } from '../server/domain/install-schedule.js';
import type { NextInstall } from '../server/services/install-schedule.service.js';
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
    postponements: t.int({
      description: `How many times a wait for calls that outlasted its window postponed it (at most ${MAX_INSTALL_POSTPONEMENTS}; once more and the job fails).`,
      resolve: (p) => p.postponements ?? 0,
    }),
  }),
});

export const ScheduledInstallRef = builder.objectRef<NextInstall>('ScheduledInstall').implement({
  description: 'The installation planned next (the one INSTALL_SCHEDULED job).',
  fields: (t) => ({
    jobId: t.id({ resolve: (n) => n.jobId }),
    version: t.string({ resolve: (n) => n.version }),
    when: t.field({ type: ScheduledWhenEnum, resolve: (n) => n.plan.when }),
    plannedAt: t.field({ type: 'DateTime', resolve: (n) => n.plan.plannedAt }),
    windowEnd: t.field({ type: 'DateTime', nullable: true, resolve: (n) => n.plan.windowEnd }),
    plan: t.field({ type: InstallPlanRef, resolve: (n) => n.plan }),
  }),
});
