/** Downtime: every window in which the appliance was unavailable, with its cause. */
import type { DowntimeRow } from '../server/repositories/downtime.repository.js';
import { builder } from './builder.js';

const DowntimeKind = builder.enumType('DowntimeKind', {
  description: 'PLANNED: an installation or a restore stopped the appliance. UNPLANNED: a crash, a failed health check, a start.',
  values: ['PLANNED', 'UNPLANNED'] as const,
});

export const DowntimeWindow = builder.objectRef<DowntimeRow>('DowntimeWindow').implement({
  description: 'A time in which the appliance was unavailable (stopped, starting or unhealthy).',
  fields: (t) => ({
    id: t.exposeID('id'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'Null while it lasts.' }),
    seconds: t.float({
      description: 'Its length (so far, while it lasts).',
      resolve: (w, _a, ctx) => ctx.services.downtime.durationMs(w) / 1000,
    }),
    cause: t.exposeString('cause'),
    kind: t.field({ type: DowntimeKind, resolve: (w) => w.kind }),
    jobId: t.exposeID('jobId', { nullable: true }),
  }),
});

builder.queryField('downtimeWindows', (t) =>
  t.field({
    type: [DowntimeWindow],
    description: 'Windows in which the appliance was unavailable, newest first.',
    args: { first: t.arg.int({ required: false }) },
    resolve: (_r, { first }, ctx) => ctx.services.downtime.list(first ?? 50),
  }),
);
