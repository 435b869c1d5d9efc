/** The installed system: identity, version, modules and live state. */
import { SYSTEM_STATES, type InstalledModule, type SystemSnapshot } from '../server/domain/system.js';
import { builder, ErrorInterface } from './builder.js';
import { nowThenFollow } from '../server/events.js';
import { ApplianceOperationError } from '../server/domain/errors/index.js';
import { ScheduledInstallRef } from './install-plan.js';

const SystemStateEnum = builder.enumType('SystemState', {
  description: 'RUNNING: telephony available. MAINTENANCE: stopped on purpose (update). RESTARTING: coming back. DEGRADED: not healthy.',
  values: SYSTEM_STATES,
});

const Module = builder.objectRef<InstalledModule>('Module').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    version: t.exposeString('version'),
    enabled: t.exposeBoolean('enabled'),
  }),
});

const System = builder.objectRef<SystemSnapshot>('System').implement({
  fields: (t) => ({
    productId: t.exposeString('productId'),
    version: t.exposeString('version', { description: 'Installed version (semver).' }),
    systemId: t.exposeString('systemId', { description: 'The id licences are bound to.' }),
    state: t.field({ type: SystemStateEnum, resolve: (s) => s.state }),
    telephonyAvailable: t.exposeBoolean('telephonyAvailable'),
    stateReason: t.exposeString('stateReason', { nullable: true }),
    stateSince: t.expose('stateSince', { type: 'DateTime' }),
    sipPort: t.exposeInt('sipPort', {
      nullable: true,
      description: 'The loopback UDP port the demo PBX answers SIP on while it runs; null while stopped, and for a real appliance.',
    }),
    modules: t.field({ type: [Module], resolve: (s) => s.modules }),
  }),
});

// Its own resolver, apart from the snapshot: the plan is the install schedule's, read when asked.
builder.objectField(System, 'nextInstall', (t) =>
  t.field({
    type: ScheduledInstallRef,
    nullable: true,
    description: 'The installation planned next (INSTALL_SCHEDULED, or planned while its job downloads), or null.',
    resolve: (_s, _args, ctx) => ctx.services.install.nextInstall(),
  }),
);

builder.objectType(ApplianceOperationError, {
  name: 'ApplianceOperationError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof ApplianceOperationError,
  fields: (t) => ({ operation: t.exposeString('operation') }),
});

builder.queryField('system', (t) => t.field({ type: System, resolve: (_root, _args, ctx) => ctx.services.system.snapshot() }));

builder.mutationField('restartAppliance', (t) =>
  t.field({
    type: System,
    authScopes: { operate: true },
    description: 'Stops and starts the appliance (telephony is unavailable meanwhile); resolves once it is healthy again.',
    errors: { types: [ApplianceOperationError], directResult: true, union: { name: 'RestartApplianceResult' } },
    resolve: (_root, _args, ctx) => ctx.services.system.restart(),
  }),
);

builder.subscriptionField('systemState', (t) =>
  t.field({
    type: System,
    description: 'The current state at once, then a new one at every change.',
    subscribe: (_root, _args, ctx) =>
      nowThenFollow({
        now: async () => ({ events: [await ctx.services.system.snapshot()], ended: false }),
        live: ctx.services.events.subscribe('system/state'),
        pick: (snapshot) => snapshot,
      }),
    resolve: (snapshot) => snapshot,
  }),
);
