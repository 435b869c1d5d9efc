/**
 * Installation: `install` in both modes, `restoreBackup`, the foreseen unavailable time
 * (`installEstimate`), the wait for calls before the stop (`installNow`, `drainDefaults`,
 * `setDrainDefaults`), and the `restoreEvents` of a failed installation. The backups themselves are
 * in backups.ts.
 */
import { RESTORE_EVENT_TYPES, type RestoreEvent } from '../server/events.js';
import type { JobRow } from '../server/repositories/jobs.repository.js';
import type { CallWaitForecast, InstallEstimate } from '../server/services/install-estimate.service.js';
import { DRAIN_ON_TIMEOUT, type DrainPolicy, MAX_DRAIN_WAIT_MINUTES, MIN_DRAIN_WAIT_MINUTES } from '../server/domain/drain.js';
import { builder, ErrorInterface, refusalAsError } from './builder.js';
import { ModuleSelectionInput } from './modules.js';
import { UpdateJob } from './jobs.js';
import { NoticeRef } from './notices.js';
import { InstallWhenEnum } from './install-plan.js';
import {
  BackupError,
  InsufficientDiskError,
  InvalidInputError,
  InvalidModuleSelectionError,
  JobAlreadyActiveError,
  JobNotReadyError,
  JobNotWaitingForCallsError,
  NoMaintenanceWindowError,
  NotFoundError,
  NotInstallableError,
  OperationInProgressError,
  ReleaseNotAvailableError,
  VersionNotFoundError,
  WarningsNotAcknowledgedError,
} from '../server/domain/errors/index.js';

builder.objectType(JobNotReadyError, {
  name: 'JobNotReadyError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof JobNotReadyError,
  fields: (t) => ({ jobId: t.exposeID('jobId'), state: t.exposeString('state') }),
});
builder.objectType(OperationInProgressError, {
  name: 'OperationInProgressError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof OperationInProgressError,
  fields: (t) => ({ operation: t.exposeString('operation') }),
});
builder.objectType(JobNotWaitingForCallsError, {
  name: 'JobNotWaitingForCallsError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof JobNotWaitingForCallsError,
  fields: (t) => ({ jobId: t.exposeID('jobId'), state: t.exposeString('state') }),
});
builder.objectType(ReleaseNotAvailableError, {
  name: 'ReleaseNotAvailableError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof ReleaseNotAvailableError,
  fields: (t) => ({ version: t.exposeString('version') }),
});
const Estimate = builder.objectRef<InstallEstimate>('InstallEstimate').implement({
  description: 'How long telephony will be unavailable, foreseen from the data size, the copy speed measured here and past installations.',
  fields: (t) => ({
    seconds: t.exposeInt('seconds', { description: 'The expected unavailable time.' }),
    backupSeconds: t.exposeInt('backupSeconds'),
    otherSeconds: t.exposeInt('otherSeconds', { description: 'Stop, apply, migrate, switch, start and health check.' }),
    downloadSeconds: t.exposeInt('downloadSeconds', {
      nullable: true,
      description: 'One go: the download while the appliance is stopped; null when its speed is unknown.',
    }),
    worstCaseSeconds: t.exposeInt('worstCaseSeconds', { description: 'If the installation fails and the backup is restored.' }),
    dataBytes: t.field({ type: 'Float', resolve: (e) => e.dataBytes }),
    basis: t.exposeString('basis'),
    callWait: t.field({
      type: CallWaitForecastRef,
      description: 'The wait for calls that comes before the unavailable time (not counted in `seconds`).',
      resolve: (e) => e.callWait,
    }),
  }),
});

const RestoreEventTypeEnum = builder.enumType('RestoreEventType', { values: RESTORE_EVENT_TYPES });

const RestoreEventRef = builder.objectRef<RestoreEvent>('RestoreEvent').implement({
  description: 'A step of the way back after a failed installation: started, each group restored, switched back, healthy, finished.',
  fields: (t) => ({
    jobId: t.exposeID('jobId'),
    seq: t.exposeInt('seq', { description: 'Increases by one per event of the job.' }),
    at: t.expose('at', { type: 'DateTime' }),
    type: t.field({ type: RestoreEventTypeEnum, resolve: (e) => e.type }),
    group: t.exposeString('group', {
      nullable: true,
      description:
        'The database or file group (GROUP_* events). GROUP_RESTORED: its copy is written and verified next to the data; all groups are swapped in together after the last one.',
    }),
    bytesDone: t.field({ type: 'Float', resolve: (e) => e.bytesDone }),
    bytesTotal: t.field({ type: 'Float', resolve: (e) => e.bytesTotal }),
    message: t.exposeString('message'),
    detail: t.field({ type: NoticeRef, nullable: true, description: 'The message as a notice.', resolve: (e) => e.detail }),
  }),
});

const DrainOnTimeoutEnum = builder.enumType('DrainOnTimeout', {
  description:
    'What an installation does when calls are still active at the limit of its wait (or, installing in a maintenance window, when the window closes): install anyway (cutting them), cancel, or POSTPONE_TO_NEXT_WINDOW (only for `when: NEXT_WINDOW`; refused elsewhere, and as a default; after 3 postponements the job fails with POSTPONED_TOO_OFTEN).',
  values: DRAIN_ON_TIMEOUT,
});

const DrainInput = builder.inputType('DrainInput', {
  description:
    'The wait for calls before the stop; what is left out comes from `drainDefaults`. `wait: false` (or `drain: null`): no drain at all, the appliance stops at once.',
  fields: (t) => ({
    wait: t.boolean({ required: false, description: 'False: do not drain nor wait (default true).' }),
    maxWaitMinutes: t.int({ required: false, description: `Whole minutes, ${MIN_DRAIN_WAIT_MINUTES} to ${MAX_DRAIN_WAIT_MINUTES}.` }),
    onTimeout: t.field({ type: DrainOnTimeoutEnum, required: false }),
  }),
});

builder.objectType(NoMaintenanceWindowError, {
  name: 'NoMaintenanceWindowError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof NoMaintenanceWindowError,
});

const InstallInput = builder.inputType('InstallInput', {
  description: 'Either `jobId` (a staged download: separate mode) or `version` with its modules (download and install in one go).',
  fields: (t) => ({
    when: t.field({
      type: InstallWhenEnum,
      required: false,
      description:
        'NOW (default); NEXT_WINDOW or AT plan a staged job (`jobId`): it becomes INSTALL_SCHEDULED; or a job still downloading: it keeps the plan and downloads on, and is INSTALL_SCHEDULED once staged (a time that passed meanwhile counts as missed).',
    }),
    at: t.field({ type: 'DateTime', required: false, description: 'With `when: AT`: the instant to install at (in the future).' }),
    jobId: t.id({ required: false }),
    version: t.string({ required: false }),
    modules: t.field({ type: [ModuleSelectionInput], required: false }),
    acknowledgeWarnings: t.boolean({ required: false }),
    drain: t.field({
      type: DrainInput,
      required: false,
      description: 'Before the stop the appliance refuses new calls and the installation waits for the active ones; absent: the defaults.',
    }),
  }),
});

const DrainSettings = builder.objectRef<DrainPolicy>('DrainSettings').implement({
  description: 'How long an installation waits for its calls to end unless its request says otherwise, and what it does at the limit.',
  fields: (t) => ({
    maxWaitMinutes: t.exposeInt('maxWaitMinutes'),
    onTimeout: t.field({ type: DrainOnTimeoutEnum, resolve: (p) => p.onTimeout }),
  }),
});

const CallWaitForecastRef = builder.objectRef<CallWaitForecast>('CallWaitForecast').implement({
  description:
    'The wait for calls before the stop: it comes before the unavailable time and is not part of it (the appliance runs, refusing new calls).',
  fields: (t) => ({
    supported: t.exposeBoolean('supported', {
      description: 'False: this appliance cannot refuse new calls nor report them; it stops at once, cutting calls in progress.',
    }),
    maxWaitMinutes: t.exposeInt('maxWaitMinutes', { description: 'The default limit (drainDefaults).' }),
    onTimeout: t.field({ type: DrainOnTimeoutEnum, resolve: (w) => w.onTimeout }),
  }),
});

const JobPayload = (name: string) =>
  builder.objectRef<{ job: JobRow }>(name).implement({ fields: (t) => ({ job: t.field({ type: UpdateJob, resolve: (r) => r.job }) }) });
const InstallSuccess = JobPayload('InstallSuccess');
const InstallNowSuccess = JobPayload('InstallNowSuccess');
const RescheduleInstallSuccess = JobPayload('RescheduleInstallSuccess');
const RestoreBackupSuccess = JobPayload('RestoreBackupSuccess');
builder.queryFields((t) => ({
  installEstimate: t.field({
    type: Estimate,
    description:
      'The foreseen unavailable time of installing a staged job (`jobId`), a version in one go (`version`), or of restoring a backup (`backupId`).',
    errors: { types: [NotFoundError, InvalidInputError, BackupError], directResult: true, union: { name: 'InstallEstimateResult' } },
    args: {
      jobId: t.arg.id({ required: false }),
      version: t.arg.string({ required: false }),
      backupId: t.arg.id({ required: false }),
    },
    resolve: (_r, { jobId, version, backupId }, ctx) =>
      ctx.services.installEstimate.estimate({ jobId: jobId?.toString(), version, backupId: backupId?.toString() }),
  }),
  drainDefaults: t.field({ type: DrainSettings, resolve: (_r, _a, ctx) => ctx.services.install.drainDefaults() }),
}));

builder.mutationFields((t) => ({
  install: t.field({
    type: InstallSuccess,
    authScopes: { operate: true },
    description:
      'Installs a staged download (`jobId`), or downloads and installs a version in one go. The appliance is unavailable during the installation (and, in one go, the download); a verified backup is taken first and restored on any failure. Follow `updateProgress` and `restoreEvents`.',
    errors: {
      types: [
        NotInstallableError,
        JobNotReadyError,
        JobAlreadyActiveError,
        WarningsNotAcknowledgedError,
        InsufficientDiskError,
        InvalidModuleSelectionError,
        VersionNotFoundError,
        OperationInProgressError,
        NotFoundError,
        InvalidInputError,
        NoMaintenanceWindowError,
      ],
      directResult: true,
      union: { name: 'InstallResult' },
    },
    args: { input: t.arg({ type: InstallInput }) },
    resolve: async (_r, { input }, ctx) => ({
      job: await ctx.services.install.install(ctx.principal!, { ...input, jobId: input.jobId?.toString() }),
    }),
  }),
  rescheduleInstall: t.field({
    type: RescheduleInstallSuccess,
    authScopes: { operate: true },
    description:
      'Another time for a scheduled installation (INSTALL_SCHEDULED, or planned while the job downloads), with the wait for calls it was planned with. To install now use `install`; to call it off, `cancelJob` (the job is STAGED again, or downloads on without a plan).',
    errors: {
      types: [NotFoundError, JobNotReadyError, InvalidInputError, NoMaintenanceWindowError],
      directResult: true,
      union: { name: 'RescheduleInstallResult' },
    },
    args: { jobId: t.arg.id(), when: t.arg({ type: InstallWhenEnum }), at: t.arg({ type: 'DateTime', required: false }) },
    resolve: (_r, { jobId, when, at }, ctx) => ({
      job: ctx.services.install.rescheduleInstall(ctx.principal!, { jobId: String(jobId), when, at }),
    }),
  }),
  installNow: t.field({
    type: InstallNowSuccess,
    authScopes: { operate: true },
    description:
      'Ends the wait for calls of a running installation: the appliance stops now, cutting the calls still active (their number is recorded).',
    errors: { types: [NotFoundError, JobNotWaitingForCallsError], directResult: true, union: { name: 'InstallNowResult' } },
    args: { jobId: t.arg.id() },
    resolve: (_r, { jobId }, ctx) => ({ job: ctx.services.install.installNow(ctx.principal!, String(jobId)) }),
  }),
  setDrainDefaults: t.field({
    type: DrainSettings,
    authScopes: { operate: true },
    errors: { types: [InvalidInputError], directResult: true, union: { name: 'SetDrainDefaultsResult' } },
    args: {
      maxWaitMinutes: t.arg.int({ description: `Whole minutes, ${MIN_DRAIN_WAIT_MINUTES} to ${MAX_DRAIN_WAIT_MINUTES}.` }),
      onTimeout: t.arg({ type: DrainOnTimeoutEnum }),
    },
    resolve: (_r, args, ctx) => ctx.services.install.setDrainDefaults(args),
  }),
  restoreBackup: t.field({
    type: RestoreBackupSuccess,
    authScopes: { operate: true },
    description:
      'Puts a backup back: stops the appliance, backs up what it replaces, restores the data and the release it belongs to, starts it. On a failure the replaced state comes back.',
    errors: {
      types: [NotFoundError, BackupError, ReleaseNotAvailableError, JobAlreadyActiveError, OperationInProgressError, InsufficientDiskError],
      directResult: true,
      union: { name: 'RestoreBackupResult' },
    },
    args: { id: t.arg.id() },
    resolve: async (_r, { id }, ctx) => ({ job: await ctx.services.install.restoreBackup(ctx.principal!, String(id)) }),
  }),
}));

builder.subscriptionField('restoreEvents', (t) =>
  t.field({
    type: RestoreEventRef,
    description:
      'The way back of a failed installation or restore: the events so far, then each new one. Ends (`complete`) with the job, as `updateProgress` does (STAGED, SUCCEEDED, FAILED, CANCELLED), after every restore event of the job (FINISHED or FAILED when it went back); a job that ended without a way back gives no event and ends. An unknown job id gives one error with `extensions.code` NOT_FOUND, and the stream ends.',
    args: { jobId: t.arg.id() },
    subscribe: (_r, { jobId }, ctx) => refusalAsError(ctx.services.install.followRestoreEvents(String(jobId))),
    resolve: (event) => event,
  }),
);
