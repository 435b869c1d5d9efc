/** Module updates: the plan for a chosen version, and the check of a selection against it. */
import type { ModulePlanEntry, SelectionProblem } from '../server/domain/module-plan.js';
import { builder, ErrorInterface } from './builder.js';
import { InvalidInputError, VersionNotFoundError } from '../server/domain/errors/index.js';

builder.objectType(VersionNotFoundError, {
  name: 'VersionNotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof VersionNotFoundError,
  fields: (t) => ({ version: t.exposeString('version') }),
});

const Warning = builder.objectRef<ModulePlanEntry['warnings'][number]>('ModuleWarning').implement({
  description: 'Codes: NOT_RELEASED_FOR_TARGET, NOT_UPDATABLE, WILL_BE_DISABLED, UNKNOWN_TO_FEED.',
  fields: (t) => ({ code: t.exposeString('code'), message: t.exposeString('message') }),
});

const ModuleUpdate = builder.objectRef<ModulePlanEntry>('ModuleUpdate').implement({
  fields: (t) => ({
    moduleId: t.exposeString('moduleId'),
    name: t.exposeString('name'),
    installedVersion: t.exposeString('installedVersion'),
    targetVersion: t.exposeString('targetVersion', {
      nullable: true,
      description: 'The newest module version released for the target version.',
    }),
    compatible: t.exposeBoolean('compatible'),
    selected: t.exposeBoolean('selected', { description: 'Pre-selected: updated together with the system unless unchecked.' }),
    updatable: t.exposeBoolean('updatable'),
    runsAsInstalled: t.exposeBoolean('runsAsInstalled', {
      description: 'The installed version supports the target: left unselected, the module keeps running; otherwise it is disabled.',
    }),
    warnings: t.field({ type: [Warning], resolve: (e) => e.warnings }),
  }),
});

const ModulePlan = builder.objectRef<{ targetVersion: string; modules: ModulePlanEntry[] }>('ModulePlan').implement({
  fields: (t) => ({
    targetVersion: t.exposeString('targetVersion'),
    modules: t.field({ type: [ModuleUpdate], resolve: (p) => p.modules }),
  }),
});

const SelectionProblemType = builder.objectRef<SelectionProblem>('ModuleSelectionProblem').implement({
  description: 'Codes: UNKNOWN_MODULE, MODULE_VERSION_INCOMPATIBLE, WARNINGS_NOT_ACKNOWLEDGED.',
  fields: (t) => ({ code: t.exposeString('code'), moduleId: t.exposeString('moduleId'), message: t.exposeString('message') }),
});

const SelectionCheck = builder.objectRef<SelectionProblem[]>('ModuleSelectionCheck').implement({
  fields: (t) => ({
    valid: t.boolean({ resolve: (problems) => problems.length === 0 }),
    problems: t.field({ type: [SelectionProblemType], resolve: (problems) => problems }),
  }),
});

export const ModuleSelectionInput = builder.inputType('ModuleSelectionInput', {
  fields: (t) => ({ moduleId: t.string(), version: t.string() }),
});

builder.queryFields((t) => ({
  moduleUpdates: t.field({
    type: ModulePlan,
    description: 'For each installed module: can it follow the system to targetVersion, and to which version.',
    errors: { types: [VersionNotFoundError], directResult: true, union: { name: 'ModuleUpdatesResult' } },
    args: { targetVersion: t.arg.string() },
    resolve: (_root, { targetVersion }, ctx) => ctx.services.modules.plan(targetVersion),
  }),
  checkModuleSelection: t.field({
    type: SelectionCheck,
    description: 'Validates module selections against the plan, as download and install will.',
    errors: { types: [VersionNotFoundError, InvalidInputError], directResult: true, union: { name: 'CheckModuleSelectionResult' } },
    args: {
      targetVersion: t.arg.string(),
      modules: t.arg({ type: [ModuleSelectionInput] }),
      acknowledgeWarnings: t.arg.boolean({ required: false }),
    },
    resolve: (_root, args, ctx) => ctx.services.modules.check(args.targetVersion, args.modules, args.acknowledgeWarnings ?? false),
  }),
}));
