/** Update jobs: scheduling a background download, cancelling, reading jobs, live progress. */
import type { ProgressEvent } from '../server/events.js';
import { DRAIN_END_VALUES, type DrainProgress } from '../server/domain/drain.js';
import type { CallWait } from '../server/domain/install-notices.js';
import { type JournalOutcome, ROLLBACK_STEPS, stepsFor } from '../server/domain/install.js';
import { JOB_MODES, JOB_STATES, type JobState } from '../server/domain/jobs.js';
import type { JobEventRow, JobRow, JobStepRow } from '../server/repositories/jobs.repository.js';
import { builder, ErrorInterface, refusalAsError } from './builder.js';
import { DowntimeWindow } from './downtime.js';
import { InstallPlanRef } from './install-plan.js';
import { ModuleSelectionInput } from './modules.js';
import { NoticeParamRef, NoticeRef } from './notices.js';
import { InstallBlocker } from './updates.js';
import {
  DiskFullError,
  InsufficientDiskError,
  InvalidInputError,
  InvalidModuleSelectionError,
  InvalidStartTimeError,
  JobAlreadyActiveError,
  JobNotCancellableError,
  NotFoundError,
  NotInstallableError,
  VersionNotFoundError,
  WarningsNotAcknowledgedError,
} from '../server/domain/errors/index.js';

const JobMode = builder.enumType('UpdateJobMode', {
  description: 'SEPARATE: downloaded in the background, installed later. DOWNLOAD_AND_INSTALL: in one go. RESTORE: a backup put back.',
  values: JOB_MODES,
});
const JobStateEnum = builder.enumType('UpdateJobState', { values: JOB_STATES });
const JobOutcome = builder.enumType('UpdateJobOutcome', {
  description:
    'SUCCEEDED: the target runs. RESTORED: a failure after the data changed; the backup was restored and the previous release runs. ROLLED_BACK: a failure before the data changed; the previous release runs on its untouched data. ROLLBACK_FAILED: the way back failed too. FAILED: nothing had been touched. CANCELLED: called off while waiting for the calls to end, before the appliance stopped (nothing was touched).',
  values: ['SUCCEEDED', 'RESTORED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'FAILED', 'CANCELLED'] as const,
});
const StepOutcome = builder.enumType('UpdateJobStepOutcome', { values: ['RUNNING', 'DONE', 'FAILED', 'INTERRUPTED'] as const });

const JobStep = builder.objectRef<JobStepRow>('UpdateJobStep').implement({
  description: 'One installation step as it ran (the rollback steps are named ROLLBACK_*).',
  fields: (t) => ({
    step: t.exposeString('step'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    seconds: t.float({
      nullable: true,
      resolve: (s) => (s.finishedAt ? (s.finishedAt.getTime() - s.startedAt.getTime()) / 1000 : null),
    }),
    outcome: t.field({ type: StepOutcome, resolve: (s) => s.outcome }),
    message: t.exposeString('message', { nullable: true }),
    detail: t.field({ type: NoticeRef, nullable: true, description: 'The message as a notice.', resolve: (s) => s.detail }),
  }),
});

builder.objectType(NotInstallableError, {
  name: 'NotInstallableError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof NotInstallableError,
  fields: (t) => ({ version: t.exposeString('version'), blockers: t.field({ type: [InstallBlocker], resolve: (e) => e.blockers }) }),
});
builder.objectType(InvalidStartTimeError, {
  name: 'InvalidStartTimeError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof InvalidStartTimeError,
  fields: () => ({}),
});
builder.objectType(JobAlreadyActiveError, {
  name: 'JobAlreadyActiveError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof JobAlreadyActiveError,
  fields: (t) => ({ jobId: t.exposeID('jobId', { nullable: true }) }),
});
builder.objectType(WarningsNotAcknowledgedError, {
  name: 'WarningsNotAcknowledgedError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof WarningsNotAcknowledgedError,
  fields: (t) => ({ moduleIds: t.exposeStringList('moduleIds') }),
});
builder.objectType(InvalidModuleSelectionError, {
  name: 'InvalidModuleSelectionError',
  description: 'Codes: UNKNOWN_MODULE, MODULE_VERSION_INCOMPATIBLE.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof InvalidModuleSelectionError,
  fields: (t) => ({ moduleId: t.exposeString('moduleId') }),
});
builder.objectType(InsufficientDiskError, {
  name: 'InsufficientDiskError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof InsufficientDiskError,
  fields: (t) => ({
    neededBytes: t.field({ type: 'Float', resolve: (e) => e.neededBytes }),
    freeBytes: t.field({ type: 'Float', resolve: (e) => e.freeBytes }),
  }),
});
builder.objectType(DiskFullError, {
  name: 'DiskFullError',
  description: 'The disk filled up while writing (a download, a backup, a restore); what was being written was removed.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof DiskFullError,
  fields: () => ({}),
});
builder.objectType(JobNotCancellableError, {
  name: 'JobNotCancellableError',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof JobNotCancellableError,
  fields: (t) => ({ state: t.exposeString('state') }),
});

const JobEvent = builder.objectRef<JobEventRow>('UpdateJobEvent').implement({
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    type: t.exposeString('type'),
    message: t.exposeString('message'),
    detail: t.field({ type: NoticeRef, nullable: true, description: 'The message as a notice.', resolve: (e) => e.detail }),
  }),
});

const JobModule = builder.objectRef<{ moduleId: string; version: string }>('UpdateJobModule').implement({
  fields: (t) => ({ moduleId: t.exposeString('moduleId'), version: t.exposeString('version') }),
});

const JobError = builder.objectRef<Pick<JobRow, 'errorCode' | 'errorMessage' | 'errorParams'>>('UpdateJobError').implement({
  fields: (t) => ({
    code: t.string({ resolve: (e) => e.errorCode ?? '' }),
    message: t.string({ resolve: (e) => e.errorMessage ?? '' }),
    params: t.field({
      type: [NoticeParamRef],
      description: 'The parameters to word `code` with (a notice of that code).',
      resolve: (e) => e.errorParams ?? [],
    }),
  }),
});

const DrainProgressRef = builder.objectRef<DrainProgress>('DrainProgress').implement({
  description: 'An installation waiting for its calls to end before the stop: new calls are refused, the active ones go on.',
  fields: (t) => ({
    activeCalls: t.exposeInt('activeCalls', { description: 'Calls active now.' }),
    waitedMs: t.field({ type: 'Float', resolve: (d) => d.waitedMs }),
    deadline: t.expose('deadline', { type: 'DateTime', description: 'When the limit is reached.' }),
  }),
});

const DrainEndEnum = builder.enumType('CallWaitEnd', {
  description:
    'CALLS_ENDED: no call was active any more. LIMIT_REACHED: the limit passed with calls active. WINDOW_CLOSED: the maintenance window of a scheduled installation closed with calls active. INSTALL_NOW: the admin stopped the wait. CANCELLED: the admin cancelled.',
  values: DRAIN_END_VALUES,
});

const CallWaitRef = builder.objectRef<CallWait>('CallWait').implement({
  description: 'How the wait for calls before the stop went (it is not part of the unavailable time).',
  fields: (t) => ({
    end: t.field({ type: DrainEndEnum, resolve: (w) => w.end }),
    waitedMs: t.field({ type: 'Float', resolve: (w) => w.waitedMs }),
    activeCallsAtEnd: t.exposeInt('activeCallsAtEnd', {
      description: 'Calls active when the wait ended: those cut at the stop, when the installation went on.',
    }),
    wentOn: t.exposeBoolean('wentOn', { description: 'The installation went on to the stop (else it was called off).' }),
  }),
});

const Progress = builder.objectRef<ProgressEvent>('UpdateProgressEvent').implement({
  fields: (t) => ({
    jobId: t.exposeID('jobId'),
    state: t.exposeString('state'),
    step: t.exposeString('step', { nullable: true, description: 'The installation step, during an installation.' }),
    bytesDone: t.field({ type: 'Float', resolve: (p) => p.bytesDone }),
    bytesTotal: t.field({ type: 'Float', resolve: (p) => p.bytesTotal }),
    bytesPerSecond: t.field({ type: 'Float', resolve: (p) => p.bytesPerSecond }),
    secondsLeft: t.exposeInt('secondsLeft', { nullable: true }),
    message: t.exposeString('message', { nullable: true }),
    detail: t.field({ type: NoticeRef, nullable: true, description: 'The message as a notice.', resolve: (p) => p.detail }),
    drain: t.field({
      type: DrainProgressRef,
      nullable: true,
      description: 'While the installation waits for its calls to end (step DRAIN): the live count and the limit.',
      resolve: (p) => p.drain ?? null,
    }),
    installPlan: t.field({
      type: InstallPlanRef,
      nullable: true,
      description: 'While INSTALL_SCHEDULED, or while a job whose installation is planned downloads: when the installation is planned.',
      resolve: (p) => p.installPlan ?? null,
    }),
  }),
});

export const UpdateJob = builder.objectRef<JobRow>('UpdateJob').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    mode: t.field({ type: JobMode, resolve: (j) => j.mode }),
    targetVersion: t.exposeString('targetVersion'),
    modules: t.field({ type: [JobModule], resolve: (j) => j.modules }),
    state: t.field({ type: JobStateEnum, resolve: (j) => j.state as JobState }),
    step: t.string({
      description: 'The installation step being run, or the last one run; the state for a download.',
      resolve: (j) => j.step ?? j.state,
    }),
    outcome: t.field({ type: JobOutcome, nullable: true, resolve: (j) => j.outcome as JournalOutcome | null }),
    restored: t.exposeBoolean('restored', { description: 'After a failure, the backup was restored: the data is as before.' }),
    fromVersion: t.exposeString('fromVersion', { nullable: true, description: 'The version installed when the installation began.' }),
    backupId: t.exposeID('backupId', { nullable: true, description: 'The verified backup taken before anything changed.' }),
    sourceBackupId: t.exposeID('sourceBackupId', { nullable: true, description: 'The backup a RESTORE job puts back.' }),
    steps: t.field({ type: [JobStep], resolve: async (j, _a, ctx) => (await ctx.services.jobRecords.of(j.id)).steps }),
    plannedSteps: t.stringList({
      description: 'The installation steps this job runs, in order (those not run yet included).',
      resolve: (j) => [...stepsFor(j.mode)],
    }),
    rollbackSteps: t.stringList({
      description: 'The steps of the way back, run after a failure once the appliance was stopped.',
      resolve: () => [...ROLLBACK_STEPS],
    }),
    downtime: t.field({ type: [DowntimeWindow], resolve: async (j, _a, ctx) => (await ctx.services.jobRecords.of(j.id)).downtime }),
    callWait: t.field({
      type: CallWaitRef,
      nullable: true,
      description: 'The wait for calls before the stop (of the latest attempt); null when it did not wait.',
      resolve: async (j, _a, ctx) => (await ctx.services.jobRecords.of(j.id)).callWait,
    }),
    unavailableSeconds: t.float({
      description: 'How long the appliance was unavailable during this job (so far).',
      resolve: async (j, _a, ctx) => ctx.services.downtime.totalMs((await ctx.services.jobRecords.of(j.id)).downtime) / 1000,
    }),
    installPlan: t.field({
      type: InstallPlanRef,
      nullable: true,
      description: 'While INSTALL_SCHEDULED, or while a job whose installation is planned downloads: when the installation is planned.',
      resolve: (j) => j.installPlan,
    }),
    startAt: t.expose('startAt', { type: 'DateTime' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    createdBy: t.exposeString('createdBy'),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    bytesDone: t.field({ type: 'Float', resolve: (j, _a, ctx) => ctx.services.downloads.progress(j.id)?.bytesDone ?? j.bytesDone }),
    stepProgress: t.field({
      type: Progress,
      nullable: true,
      description: 'Live figures of the running installation step, for clients that poll.',
      resolve: (j, _a, ctx) => ctx.services.install.progress(j.id),
    }),
    bytesTotal: t.field({ type: 'Float', resolve: (j) => j.bytesTotal }),
    bytesPerSecond: t.field({
      type: 'Float',
      nullable: true,
      resolve: (j, _a, ctx) => ctx.services.downloads.progress(j.id)?.bytesPerSecond ?? null,
    }),
    secondsLeft: t.int({ nullable: true, resolve: (j, _a, ctx) => ctx.services.downloads.progress(j.id)?.secondsLeft ?? null }),
    error: t.field({
      type: JobError,
      nullable: true,
      resolve: (j) => (j.errorCode ? j : null),
    }),
    events: t.field({ type: [JobEvent], resolve: async (j, _args, ctx) => (await ctx.services.jobRecords.of(j.id)).events }),
  }),
});

const ScheduleDownloadInput = builder.inputType('ScheduleDownloadInput', {
  fields: (t) => ({
    version: t.string(),
    modules: t.field({ type: [ModuleSelectionInput], required: false }),
    startAt: t.field({ type: 'DateTime', required: false, description: 'Absent: now.' }),
    acknowledgeWarnings: t.boolean({ required: false }),
  }),
});

const JobPayload = (name: string) =>
  builder.objectRef<{ job: JobRow }>(name).implement({ fields: (t) => ({ job: t.field({ type: UpdateJob, resolve: (r) => r.job }) }) });
const ScheduleDownloadSuccess = JobPayload('ScheduleDownloadSuccess');
const CancelJobSuccess = JobPayload('CancelJobSuccess');

builder.queryFields((t) => ({
  updateJob: t.field({
    type: UpdateJob,
    nullable: true,
    args: { id: t.arg.id() },
    resolve: (_r, { id }, ctx) => ctx.services.downloads.job(String(id)) ?? null,
  }),
  updateJobs: t.field({
    type: [UpdateJob],
    description: 'Past and current jobs, newest first.',
    args: { first: t.arg.int({ required: false }) },
    resolve: (_r, { first }, ctx) => ctx.services.downloads.jobs(first ?? 50),
  }),
}));

builder.mutationFields((t) => ({
  scheduleDownload: t.field({
    type: ScheduleDownloadSuccess,
    authScopes: { operate: true },
    description: 'Download and install separately: downloads the version and modules in the background at startAt, then stages them.',
    errors: {
      types: [
        NotInstallableError,
        InvalidStartTimeError,
        JobAlreadyActiveError,
        WarningsNotAcknowledgedError,
        InvalidModuleSelectionError,
        InsufficientDiskError,
        VersionNotFoundError,
        InvalidInputError,
      ],
      directResult: true,
      union: { name: 'ScheduleDownloadResult' },
    },
    args: { input: t.arg({ type: ScheduleDownloadInput }) },
    resolve: async (_r, { input }, ctx) => ({
      job: await ctx.services.downloads.schedule(ctx.principal!, {
        version: input.version,
        modules: input.modules ?? [],
        startAt: input.startAt ?? null,
        acknowledgeWarnings: input.acknowledgeWarnings ?? false,
      }),
    }),
  }),
  cancelJob: t.field({
    type: CancelJobSuccess,
    authScopes: { operate: true },
    description:
      'Cancels a scheduled, running or staged download and removes its files; or cancels a scheduled installation (INSTALL_SCHEDULED: the job is STAGED again, its files kept; planned while the job downloads: the plan is dropped and the download goes on, a second cancel cancels the download); or calls off an installation while it waits for its calls to end (new calls are accepted again, a staged download stays STAGED). An installation past that wait cannot be cancelled.',
    errors: { types: [NotFoundError, JobNotCancellableError], directResult: true, union: { name: 'CancelJobResult' } },
    args: { id: t.arg.id() },
    resolve: async (_r, { id }, ctx) => ({ job: await ctx.services.install.cancel(ctx.principal!, String(id)) }),
  }),
}));

builder.subscriptionField('updateProgress', (t) =>
  t.field({
    type: Progress,
    description:
      "Phase, installation step and bytes of a job: first where it stands now, then a few times a second while it downloads or copies, and at every change. Ends (`complete`) after the event that reaches STAGED, SUCCEEDED, FAILED or CANCELLED; a subscription to a job already there gets that one event and ends. STAGED ends the download of a separate-mode job: its installation (`install` with the job's id, which answers once the job is INSTALLING) continues the same job, to be followed by a new subscription after that answer. An unknown job id gives one error with `extensions.code` NOT_FOUND, and the stream ends.",
    args: { jobId: t.arg.id() },
    subscribe: (_r, { jobId }, ctx) => refusalAsError(ctx.services.install.followProgress(String(jobId))),
    resolve: (event) => event,
  }),
);
