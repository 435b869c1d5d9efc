/** Updates: "Search now", the versions found, the last check, update settings, connectivity. */
import type { EndpointCheck, Endpoint } from '../server/domain/connectivity.js';
import type { UpdateCheckRow } from '../server/repositories/updates.repository.js';
import type { AvailableVersion, FeedFailure, UpdateSettings } from '../server/services/updates.service.js';
import { builder, ErrorInterface } from './builder.js';
import { InvalidInputError, isFeedErrorCode } from '../server/domain/errors/index.js';

const Channel = builder.enumType('UpdateChannel', { values: { STABLE: { value: 'stable' }, BETA: { value: 'beta' } } as const });
const CheckTrigger = builder.enumType('UpdateCheckTrigger', { values: ['MANUAL', 'SCHEDULED'] as const });
const CheckOutcome = builder.enumType('UpdateCheckOutcome', { values: ['SUCCEEDED', 'FAILED'] as const });

/** A failed search, as data: which host, which port, which check. */
const FeedErrorType = builder.objectRef<FeedFailure>('FeedError').implement({
  description:
    'The feed could not be used. Codes: FEED_UNREACHABLE (host, port, cause), FEED_SIGNATURE_INVALID, FEED_EXPIRED (role), FEED_ROLLBACK, FEED_MALFORMED (file), FEED_TOO_LARGE, FEED_NOT_FOUND, FEED_NOT_CONFIGURED.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => typeof v === 'object' && v !== null && 'details' in v && isFeedErrorCode((v as FeedFailure).code),
  fields: (t) => ({
    host: t.string({ nullable: true, resolve: (e) => e.details.host ?? null }),
    port: t.int({ nullable: true, resolve: (e) => e.details.port ?? null }),
    cause: t.string({ nullable: true, resolve: (e) => e.details.cause ?? null }),
    role: t.string({ nullable: true, resolve: (e) => e.details.role ?? null }),
    file: t.string({ nullable: true, resolve: (e) => e.details.file ?? null }),
  }),
});

const UpdateCheck = builder.objectRef<UpdateCheckRow>('UpdateCheck').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    trigger: t.field({ type: CheckTrigger, resolve: (c) => c.trigger }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime' }),
    outcome: t.field({ type: CheckOutcome, resolve: (c) => c.outcome }),
    versionsFound: t.exposeInt('versionsFound', { nullable: true }),
    error: t.field({ type: FeedErrorType, nullable: true, resolve: (c, _a, ctx) => ctx.services.updates.failureOf(c) }),
  }),
});

export const InstallBlocker = builder.objectRef<{ code: string; message: string }>('InstallBlocker').implement({
  description: 'Why a version cannot be installed now, and what would lift it.',
  fields: (t) => ({ code: t.exposeString('code'), message: t.exposeString('message') }),
});

const AvailableVersionType = builder.objectRef<AvailableVersion>('AvailableVersion').implement({
  fields: (t) => ({
    version: t.exposeString('version'),
    releasedAt: t.expose('releasedAt', { type: 'DateTime' }),
    releaseNotes: t.exposeString('releaseNotes', { description: 'Markdown from the vendor: render it sanitized.' }),
    releaseNotesLocale: t.exposeString('releaseNotesLocale', {
      description: 'The language of releaseNotes (English when the asked one is missing).',
    }),
    downloadSize: t.field({ type: 'Float', description: 'Bytes of the release bundle, as signed.', resolve: (v) => v.downloadSize }),
    requiresLicenceMajor: t.exposeInt('requiresLicenceMajor'),
    installable: t.exposeBoolean('installable'),
    blockers: t.field({ type: [InstallBlocker], resolve: (v) => v.blockers }),
    requiredStops: t.exposeStringList('requiredStops', { description: 'Versions to install first, oldest first.' }),
    channel: t.field({ type: Channel, resolve: (v) => v.channel }),
  }),
});

const UpdateSettingsType = builder.objectRef<UpdateSettings>('UpdateSettings').implement({
  fields: (t) => ({
    channel: t.field({ type: Channel, resolve: (s) => s.channel }),
    checkIntervalHours: t.exposeInt('checkIntervalHours'),
    downloadBandwidthLimit: t.exposeInt('downloadBandwidthLimit', {
      nullable: true,
      description: 'Bytes per second for background downloads; null = no cap.',
    }),
  }),
});

const CheckForUpdatesSuccess = builder.objectRef<{ check: UpdateCheckRow }>('CheckForUpdatesSuccess').implement({
  fields: (t) => ({
    check: t.field({ type: UpdateCheck, resolve: (r) => r.check }),
    versions: t.field({
      type: [AvailableVersionType],
      args: { locale: t.arg.string({ required: false }) },
      resolve: (_r, { locale }, ctx) => ctx.services.updates.availableVersions(locale ?? null),
    }),
  }),
});

const CheckForUpdatesResult = builder.unionType('CheckForUpdatesResult', {
  types: [CheckForUpdatesSuccess, FeedErrorType],
  resolveType: (value) => ('check' in value ? 'CheckForUpdatesSuccess' : 'FeedError'),
});

const ConnectivityStep = builder.objectRef<EndpointCheck['steps'][number]>('ConnectivityStep').implement({
  fields: (t) => ({
    step: t.exposeString('step', { description: 'DNS, TCP, TLS or HTTP.' }),
    ok: t.exposeBoolean('ok'),
    latencyMs: t.exposeInt('latencyMs'),
    detail: t.exposeString('detail', { nullable: true }),
  }),
});

const EndpointStatus = builder.objectRef<{ endpoint: Endpoint; result: EndpointCheck | null }>('EndpointStatus').implement({
  fields: (t) => ({
    purpose: t.string({ resolve: (e) => e.endpoint.purpose }),
    url: t.string({ resolve: (e) => e.endpoint.url }),
    host: t.string({ nullable: true, resolve: (e) => e.result?.host ?? null }),
    port: t.int({ nullable: true, resolve: (e) => e.result?.port ?? null }),
    ok: t.boolean({ nullable: true, description: 'Null until checked.', resolve: (e) => e.result?.ok ?? null }),
    checkedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.result?.checkedAt ?? null }),
    steps: t.field({ type: [ConnectivityStep], resolve: (e) => e.result?.steps ?? [] }),
  }),
});

builder.queryFields((t) => ({
  availableVersions: t.field({
    type: [AvailableVersionType],
    description: 'Versions newer than the installed one on the configured channel, newest first, from the last verified catalog.',
    args: { locale: t.arg.string({ required: false, description: 'en, de or fr; notes fall back to English.' }) },
    resolve: (_root, { locale }, ctx) => ctx.services.updates.availableVersions(locale ?? null),
  }),
  lastUpdateCheck: t.field({ type: UpdateCheck, nullable: true, resolve: (_root, _args, ctx) => ctx.services.updates.lastCheck() }),
  updateSettings: t.field({ type: UpdateSettingsType, resolve: (_root, _args, ctx) => ctx.services.updates.settings() }),
  connectivity: t.field({ type: [EndpointStatus], resolve: (_root, _args, ctx) => ctx.services.connectivity.report() }),
}));

builder.mutationFields((t) => ({
  checkForUpdates: t.field({
    type: CheckForUpdatesResult,
    authScopes: { operate: true },
    description: 'Search now: refreshes the signed feed and records the outcome.',
    resolve: (_root, _args, ctx) => ctx.services.updates.searchNow(),
  }),
  setUpdateSettings: t.field({
    type: UpdateSettingsType,
    authScopes: { operate: true },
    errors: { types: [InvalidInputError], directResult: true, union: { name: 'SetUpdateSettingsResult' } },
    args: {
      channel: t.arg({ type: Channel, required: false }),
      checkIntervalHours: t.arg.int({ required: false }),
      downloadBandwidthLimit: t.arg.int({ required: false, description: 'Bytes per second; 0 removes the cap.' }),
    },
    resolve: (_root, args, ctx) => ctx.services.updates.updateSettings(args),
  }),
  runConnectivityCheck: t.field({
    type: [EndpointStatus],
    authScopes: { operate: true },
    resolve: (_root, _args, ctx) => ctx.services.connectivity.runReport(),
  }),
}));
