/**
 * `Notice`: a sentence for the admin as a stable code and typed parameters, which the SPA words
 * in the admin's language. Fields that carry one sit beside an English `message` for integrators.
 */
import type { Notice, NoticeParam } from '../server/domain/notice.js';
import { builder } from './builder.js';

const NoticeParamKindEnum = builder.enumType('NoticeParamKind', {
  description: 'How the SPA formats a parameter: BYTES and MILLISECONDS per locale, VERSION and TEXT as they are.',
  values: ['TEXT', 'VERSION', 'BYTES', 'MILLISECONDS', 'COUNT'] as const,
});

export const NoticeParamRef = builder.objectRef<NoticeParam>('NoticeParam').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.field({ type: NoticeParamKindEnum, resolve: (p) => p.kind }),
    value: t.exposeString('value', { description: 'Numbers as decimal strings.' }),
  }),
});

export const NoticeRef = builder.objectRef<Notice>('Notice').implement({
  description: 'A sentence as a stable code and its parameters, for a client to word in its own language.',
  fields: (t) => ({
    code: t.exposeString('code'),
    params: t.field({ type: [NoticeParamRef], resolve: (n) => n.params }),
  }),
});
