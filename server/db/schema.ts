/**
 * Drizzle table definitions. Only repositories and wiring import this file; migrations in
 * `migrations/` are generated from it with `npm run db:generate` and never edited once released.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { InstallPlan } from '../domain/install-schedule.js';
import type { Notice, NoticeParam } from '../domain/notice.js';

const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** One row: the identity of this installation, to which licences bind. */
export const systemInfo = sqliteTable(
  'system_info',
  {
    id: integer('id').primaryKey(),
    systemId: text('system_id').notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [check('system_info_single_row', sql`${t.id} = 1`)],
);

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at').notNull(),
  passwordChangedAt: timestamp('password_changed_at').notNull(),
});

/** Browser sessions; `id` is the SHA-256 of the cookie value, never the value itself. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    address: text('address'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** API tokens for integrators; `secretHash` is the SHA-256 of the secret, shown once at creation. */
export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  secretHash: text('secret_hash').notNull().unique(),
  scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull(),
  createdBy: text('created_by')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at').notNull(),
  expiresAt: timestamp('expires_at'),
  lastUsedAt: timestamp('last_used_at'),
  revokedAt: timestamp('revoked_at'),
});

/** Failed-login counters per user name and per client address (`user:<name>`, `addr:<ip>`). */
export const loginThrottle = sqliteTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: timestamp('window_started_at').notNull(),
  lockedUntil: timestamp('locked_until'),
});

/** Operator-changeable settings (feed channel, check schedule…), one JSON value per key. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: timestamp('updated_at').notNull(),
});

/** Every "Search now" and every scheduled check, with its outcome. */
export const updateChecks = sqliteTable(
  'update_checks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    trigger: text('trigger', { enum: ['MANUAL', 'SCHEDULED'] }).notNull(),
    startedAt: timestamp('started_at').notNull(),
    finishedAt: timestamp('finished_at').notNull(),
    outcome: text('outcome', { enum: ['SUCCEEDED', 'FAILED'] }).notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    errorDetails: text('error_details', { mode: 'json' }).$type<Record<string, unknown>>(),
    versionsFound: integer('versions_found'),
  },
  (t) => [index('update_checks_started_idx').on(t.startedAt)],
);

/** The last catalog that TUF verified, kept so that the versions survive a restart or an offline feed. */
export const verifiedCatalog = sqliteTable(
  'verified_catalog',
  {
    id: integer('id').primaryKey(),
    catalog: text('catalog', { mode: 'json' }).notNull(),
    targets: text('targets', { mode: 'json' }).$type<Record<string, { length: number; sha256: string }>>().notNull(),
    verifiedAt: timestamp('verified_at').notNull(),
  },
  (t) => [check('verified_catalog_single_row', sql`${t.id} = 1`)],
);

/** The last connectivity check of each endpoint. */
export const connectivityResults = sqliteTable('connectivity_results', {
  url: text('url').primaryKey(),
  result: text('result', { mode: 'json' }).notNull(),
  checkedAt: timestamp('checked_at').notNull(),
});

/** Imported licences, as signed by the vendor; one row per licence id (a newer issue replaces it). */
export const licences = sqliteTable('licences', {
  id: text('id').primaryKey(),
  issuedAt: timestamp('issued_at').notNull(),
  document: text('document', { mode: 'json' }).notNull(),
  signature: text('signature', { mode: 'json' }).notNull(),
  importedAt: timestamp('imported_at').notNull(),
});

/** Update jobs. `activeSlot` is 1 while a job is active and NULL after: the unique index allows one. */
export const updateJobs = sqliteTable('update_jobs', {
  id: text('id').primaryKey(),
  mode: text('mode', { enum: ['SEPARATE', 'DOWNLOAD_AND_INSTALL', 'RESTORE'] }).notNull(),
  targetVersion: text('target_version').notNull(),
  modules: text('modules', { mode: 'json' }).$type<{ moduleId: string; version: string }[]>().notNull(),
  acknowledgedWarnings: integer('acknowledged_warnings', { mode: 'boolean' }).notNull(),
  state: text('state').notNull(),
  activeSlot: integer('active_slot').unique(),
  startAt: timestamp('start_at').notNull(),
  createdAt: timestamp('created_at').notNull(),
  createdBy: text('created_by').notNull(),
  startedAt: timestamp('started_at'),
  finishedAt: timestamp('finished_at'),
  bytesDone: integer('bytes_done').notNull(),
  bytesTotal: integer('bytes_total').notNull(),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  /** The installation step being run (null for download phases). */
  step: text('step'),
  /** How an installation ended (SUCCEEDED, RESTORED, ROLLED_BACK, ROLLBACK_FAILED, FAILED). */
  outcome: text('outcome'),
  /** The backup was put back after a failure. */
  restored: integer('restored', { mode: 'boolean' }).notNull().default(false),
  fromVersion: text('from_version'),
  /** The verified backup this job took before it changed anything. */
  backupId: text('backup_id'),
  /** The backup an administrator's restore puts back. */
  sourceBackupId: text('source_backup_id'),
  /** The error's parameters, for the SPA to word `errorCode` in the admin's language. */
  errorParams: text('error_params', { mode: 'json' }).$type<NoticeParam[]>(),
  /** While INSTALL_SCHEDULED: when the installation starts, and with which wait for calls. */
  installPlan: text('install_plan', { mode: 'json' }).$type<InstallPlan>(),
});

/** What happened to a job: phase changes, retries, resumes, errors (not every chunk). */
export const updateJobEvents = sqliteTable(
  'update_job_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobId: text('job_id')
      .notNull()
      .references(() => updateJobs.id, { onDelete: 'cascade' }),
    at: timestamp('at').notNull(),
    type: text('type').notNull(),
    message: text('message').notNull(),
    /** The event as a code and parameters, worded by the SPA (null for events written before it existed). */
    detail: text('detail', { mode: 'json' }).$type<Notice>(),
  },
  (t) => [index('update_job_events_job_idx').on(t.jobId, t.id)],
);

/** Each installation step of a job as it ran: when, how long, how it ended (a mirror of the journal). */
export const updateJobSteps = sqliteTable(
  'update_job_steps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobId: text('job_id')
      .notNull()
      .references(() => updateJobs.id, { onDelete: 'cascade' }),
    step: text('step').notNull(),
    startedAt: timestamp('started_at').notNull(),
    finishedAt: timestamp('finished_at'),
    outcome: text('outcome', { enum: ['RUNNING', 'DONE', 'FAILED', 'INTERRUPTED'] }).notNull(),
    message: text('message'),
    /** What the step did or why it failed, as a code and parameters, worded by the SPA. */
    detail: text('detail', { mode: 'json' }).$type<Notice>(),
  },
  (t) => [index('update_job_steps_job_idx').on(t.jobId, t.id)],
);

/** Every window in which the appliance was unavailable (stopped, starting, unhealthy), with its cause. */
export const downtimeWindows = sqliteTable(
  'downtime_windows',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    startedAt: timestamp('started_at').notNull(),
    endedAt: timestamp('ended_at'),
    cause: text('cause').notNull(),
    /** PLANNED: an installation or restore stopped it; UNPLANNED: a crash or a failed health check. */
    kind: text('kind', { enum: ['PLANNED', 'UNPLANNED'] }).notNull(),
    jobId: text('job_id'),
  },
  (t) => [index('downtime_windows_started_idx').on(t.startedAt)],
);
