/**
 * Backups: the stored ones with their status (`backups`), one made now (`createBackup`), how many
 * are kept (`backupSettings`, `setBackupSettings`). Putting one back is `restoreBackup` (install.ts).
 */
import type { BackupManifest } from '../server/adapters/backup/backup-store.js';
import type { BackupView } from '../server/services/backup.service.js';
import { builder, ErrorInterface } from './builder.js';
import {
  BackupError,
  DiskFullError,
  InsufficientDiskError,
  InvalidInputError,
  OperationInProgressError,
} from '../server/domain/errors/index.js';

builder.objectType(BackupError, {
  name: 'BackupFailedError',
  description:
    'Codes: BACKUP_NOT_VERIFIED (a copy differs from its source, or the backup from its manifest), BACKUP_UNREADABLE, BACKUP_FAILED. Nothing was changed. A full disk is DiskFullError.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof BackupError,
  fields: () => ({}),
});

const BackupMethod = builder.enumType('BackupMethod', {
  description: 'OFFLINE: a plain copy while the appliance was stopped. ONLINE: SQLite online backup while it ran.',
  values: ['OFFLINE', 'ONLINE'] as const,
});

const BackupStatus = builder.enumType('BackupStatus', {
  description:
    'VERIFIED: verified when made, and no restore found it different since. VERIFICATION_FAILED: a restore found a file that does not match its manifest. UNREADABLE: its manifest is missing, cannot be read or is not valid.',
  values: ['VERIFIED', 'VERIFICATION_FAILED', 'UNREADABLE'] as const,
});

const BackupProblemCode = builder.enumType('BackupProblemCode', {
  values: ['MANIFEST_MISSING', 'MANIFEST_UNREADABLE', 'MANIFEST_INVALID', 'FILE_MISMATCH'] as const,
});

const BackupProblem = builder.objectRef<NonNullable<BackupView['problem']>>('BackupProblem').implement({
  description: 'Why a backup cannot be restored.',
  fields: (t) => ({
    code: t.field({ type: BackupProblemCode, resolve: (p) => p.code }),
    message: t.exposeString('message'),
  }),
});

const BackupGroup = builder.objectRef<{ name: string; bytes: number; files: number }>('BackupGroup').implement({
  description: 'A database (by file name), `files` (configuration and other files) or `modules` (module state).',
  fields: (t) => ({
    name: t.exposeString('name'),
    bytes: t.field({ type: 'Float', resolve: (g) => g.bytes }),
    files: t.exposeInt('files'),
  }),
});

/** A field of the manifest: null for an UNREADABLE backup, whose manifest cannot be read. */
const fromManifest =
  <T>(read: (m: BackupManifest) => T) =>
  (b: BackupView): T | null =>
    b.manifest ? read(b.manifest) : null;

export const Backup = builder.objectRef<BackupView>('Backup').implement({
  description:
    'A copy of the appliance data and module state, with a manifest of sizes and SHA-256. The manifest fields are null when the backup is UNREADABLE.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: BackupStatus, resolve: (b) => b.status }),
    problem: t.field({ type: BackupProblem, nullable: true, resolve: (b) => b.problem }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: fromManifest((m) => m.createdAt) }),
    method: t.field({ type: BackupMethod, nullable: true, resolve: fromManifest((m) => m.method) }),
    reason: t.string({ nullable: true, resolve: fromManifest((m) => m.reason) }),
    jobId: t.id({ nullable: true, resolve: fromManifest((m) => m.jobId) }),
    applianceVersion: t.string({ nullable: true, resolve: fromManifest((m) => m.applianceVersion) }),
    totalBytes: t.field({ type: 'Float', nullable: true, resolve: fromManifest((m) => m.totalBytes) }),
    files: t.int({ nullable: true, resolve: fromManifest((m) => m.files.length) }),
    groups: t.field({ type: [BackupGroup], nullable: true, resolve: fromManifest((m) => m.groups) }),
    copyMs: t.int({ nullable: true, resolve: fromManifest((m) => m.copyMs) }),
    verifyMs: t.int({ nullable: true, resolve: fromManifest((m) => m.verifyMs) }),
    verifiedAt: t.field({ type: 'DateTime', nullable: true, resolve: fromManifest((m) => m.verifiedAt) }),
    restorable: t.exposeBoolean('restorable', {
      description: 'VERIFIED, and the release its data belongs to is still on the appliance.',
    }),
  }),
});

const CreateBackupSuccess = builder.objectRef<{ backup: BackupView }>('CreateBackupSuccess').implement({
  fields: (t) => ({ backup: t.field({ type: Backup, resolve: (r) => r.backup }) }),
});

const BackupSettings = builder.objectRef<{ keep: number }>('BackupSettings').implement({
  fields: (t) => ({ keep: t.exposeInt('keep', { description: 'How many backups are kept; older ones go after the next backup.' }) }),
});

builder.queryFields((t) => ({
  backupSettings: t.field({ type: BackupSettings, resolve: (_r, _a, ctx) => ({ keep: ctx.services.backups.retention() }) }),
  backups: t.field({
    type: [Backup],
    description: 'Stored backups, newest first; unreadable ones (their time unknown) last.',
    resolve: (_r, _a, ctx) => ctx.services.backups.list(),
  }),
}));

builder.mutationFields((t) => ({
  createBackup: t.field({
    type: CreateBackupSuccess,
    authScopes: { operate: true },
    description: 'Backs up the data while the appliance runs (SQLite online backup API); telephony stays available.',
    errors: {
      types: [BackupError, DiskFullError, OperationInProgressError, InsufficientDiskError],
      directResult: true,
      union: { name: 'CreateBackupResult' },
    },
    resolve: async (_r, _a, ctx) => ({ backup: await ctx.services.backups.createBackup(ctx.principal!) }),
  }),
  setBackupSettings: t.field({
    type: BackupSettings,
    authScopes: { operate: true },
    errors: { types: [InvalidInputError], directResult: true, union: { name: 'SetBackupSettingsResult' } },
    args: { keep: t.arg.int({ description: 'How many backups are kept (1 to 100).' }) },
    resolve: (_r, { keep }, ctx) => ({ keep: ctx.services.backups.setRetention(keep) }),
  }),
}));
