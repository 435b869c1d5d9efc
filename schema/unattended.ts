/**
 * The unattended policy (off by default): which kind of release Patchbay downloads by itself after
 * each successful update check and installs in the next maintenance window (`unattendedPolicy`,
 * `setUnattendedPolicy`), and what it did last, or why it did nothing.
 */
import { builder } from './builder.js';
import { NoticeRef } from './notices.js';
import { InvalidInputError, NoMaintenanceWindowError } from '../server/domain/errors/index.js';
import { UNATTENDED_KINDS, UNATTENDED_USER, type UnattendedPolicy } from '../server/domain/unattended.js';
import type { UnattendedOutcome } from '../server/services/unattended.service.js';

const UnattendedKind = builder.enumType('UnattendedKind', {
  description: 'PATCH: patch releases of the installed major.minor. ANY: any release the licences allow, one required stop at a time.',
  values: UNATTENDED_KINDS,
});

const UnattendedOutcomeRef = builder.objectRef<UnattendedOutcome>('UnattendedOutcome').implement({
  description:
    'What the policy did after the last successful check, or why it did nothing (e.g. a release waiting for an acknowledgement).',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    message: t.exposeString('message', { description: 'In English, for logs and integrators.' }),
    detail: t.field({ type: NoticeRef, resolve: (o) => o.detail }),
  }),
});

const UnattendedPolicyRef = builder.objectRef<UnattendedPolicy>('UnattendedPolicy').implement({
  description: `When enabled, after each successful update check the next release of the kind is downloaded and planned for the next maintenance window, as "${UNATTENDED_USER}". Module warnings are never acknowledged for the admin, required stops are never crossed, and the licences are checked again when the window comes.`,
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled'),
    kind: t.field({ type: UnattendedKind, resolve: (p) => p.kind }),
    lastOutcome: t.field({
      type: UnattendedOutcomeRef,
      nullable: true,
      resolve: (_p, _a, ctx) => ctx.services.unattended.lastOutcome(),
    }),
  }),
});

const SetUnattendedPolicyInput = builder.inputType('SetUnattendedPolicyInput', {
  fields: (t) => ({
    enabled: t.boolean(),
    kind: t.field({ type: UnattendedKind }),
  }),
});

builder.queryFields((t) => ({
  unattendedPolicy: t.field({ type: UnattendedPolicyRef, resolve: (_r, _a, ctx) => ctx.services.unattended.get() }),
}));

builder.mutationFields((t) => ({
  setUnattendedPolicy: t.field({
    type: UnattendedPolicyRef,
    authScopes: { operate: true },
    description: 'Turning it on needs a maintenance window (NoMaintenanceWindowError otherwise); nothing is stored on a refusal.',
    errors: { types: [NoMaintenanceWindowError, InvalidInputError], directResult: true, union: { name: 'SetUnattendedPolicyResult' } },
    args: { input: t.arg({ type: SetUnattendedPolicyInput }) },
    resolve: (_r, { input }, ctx) => ctx.services.unattended.set(input),
  }),
}));
