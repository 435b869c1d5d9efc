/**
 * A backup's record of itself on disk, and what it tells about the backup:
 *
 *   <dir>/<id>/manifest.json              written last, after verification: what the backup holds
 *   <dir>/<id>/verification-failed.json   written when a restore found a file that does not match it
 *
 * Owns the format (and its validation), reading it back into a status — VERIFIED, VERIFICATION_FAILED
 * (readable, but a restore found it does not verify) or UNREADABLE (no readable, valid manifest) —
 * and writing both files.
 */
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errno, exists, writeFileAtomic } from '../fs.js';

export type BackupMethod = 'OFFLINE' | 'ONLINE';

export interface BackupFileEntry {
  /** Posix, relative to the backup directory: 'data/calls.db', 'data/config/pbx.json', 'modules/state.json'. */
  path: string;
  size: number;
  sha256: string;
  kind: 'sqlite' | 'sqlite-wal' | 'file';
  group: string;
  /** Permission bits of the original, given back on restore. */
  mode?: number;
}

export interface BackupManifest {
  formatVersion: 1;
  id: string;
  createdAt: string;
  method: BackupMethod;
  reason: string;
  jobId: string | null;
  applianceVersion: string;
  dataSchemaVersion: number | null;
  totalBytes: number;
  files: BackupFileEntry[];
  groups: { name: string; bytes: number; files: number }[];
  copyMs: number;
  verifyMs: number;
  verifiedAt: string;
  /** Every directory of the copy ('data', 'data/config', …), so that empty ones come back too. */
  directories?: string[];
}

export type BackupStatus = 'VERIFIED' | 'VERIFICATION_FAILED' | 'UNREADABLE';

/**
 * Why a backup cannot be restored: no manifest, one that cannot be read (EACCES, EIO…), one that
 * is not a valid manifest (corrupt JSON, another format, another backup's), or a file a restore
 * found different from the manifest.
 */
export type BackupProblemCode = 'MANIFEST_MISSING' | 'MANIFEST_UNREADABLE' | 'MANIFEST_INVALID' | 'FILE_MISMATCH';

export interface BackupProblem {
  code: BackupProblemCode;
  message: string;
}

/** A directory of the backup store, as what it turned out to be. */
export type BackupEntry =
  | { id: string; status: 'VERIFIED'; manifest: BackupManifest; problem: null }
  | { id: string; status: 'VERIFICATION_FAILED'; manifest: BackupManifest; problem: BackupProblem }
  | { id: string; status: 'UNREADABLE'; manifest: null; problem: BackupProblem };

export const MANIFEST_FILE = 'manifest.json';
export const VERIFICATION_FAILURE_FILE = 'verification-failed.json';
export const MODULE_STATE_PATH = 'modules/state.json';
/** Also keeps ids usable as directory names: no dot first, no separators. */
export const ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  id: z.string().regex(ID_PATTERN),
  createdAt: z.string().datetime(),
  method: z.enum(['OFFLINE', 'ONLINE']),
  reason: z.string(),
  jobId: z.string().nullable(),
  applianceVersion: z.string(),
  dataSchemaVersion: z.number().int().nullable(),
  totalBytes: z.number().int().nonnegative(),
  files: z.array(
    z.object({
      path: z.string().refine(isSafeBackupPath, 'not a path inside the backup'),
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      kind: z.enum(['sqlite', 'sqlite-wal', 'file']),
      group: z.string().min(1),
      mode: z.number().int().optional(),
    }),
  ),
  groups: z.array(z.object({ name: z.string(), bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() })),
  copyMs: z.number().nonnegative(),
  verifyMs: z.number().nonnegative(),
  verifiedAt: z.string().datetime(),
  directories: z.array(z.string().refine(isSafeBackupPath, 'not a path inside the backup')).optional(),
});

const verificationFailureSchema = z.object({ at: z.string().datetime(), file: z.string(), reason: z.string() });
export type VerificationFailure = z.infer<typeof verificationFailureSchema>;

/** `data/...` or the module state file, never outside the backup directory. */
function isSafeBackupPath(p: string): boolean {
  if (p === MODULE_STATE_PATH || p === 'data' || p === 'modules') return true;
  const parts = p.split('/');
  return parts[0] === 'data' && parts.length > 1 && parts.every((s) => s !== '' && s !== '.' && s !== '..');
}

/** `20261125T120501Z-3fa9c2`: sorts by time, unique enough for one appliance. */
export function newBackupId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${crypto.randomBytes(3).toString('hex')}`;
}

/**
 * What the directory `<dir>/<id>` is; null when there is none (or `id` cannot name one). Only a
 * missing directory is "no backup": a manifest that is missing, unreadable or invalid makes the
 * backup UNREADABLE, with the reason.
 */
export async function readBackup(dir: string, id: string): Promise<BackupEntry | null> {
  if (!ID_PATTERN.test(id)) return null;
  const root = path.join(dir, id);
  const unreadable = (code: BackupProblemCode, message: string): BackupEntry => ({
    id,
    status: 'UNREADABLE',
    manifest: null,
    problem: { code, message },
  });
  let raw: string;
  try {
    raw = await fsp.readFile(path.join(root, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') {
      if (!(await exists(root))) return null;
      return unreadable('MANIFEST_MISSING', `Backup ${id} has no ${MANIFEST_FILE}: it is not a complete backup.`);
    }
    return unreadable('MANIFEST_UNREADABLE', `The manifest of backup ${id} cannot be read: ${(err as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return unreadable('MANIFEST_INVALID', `The manifest of backup ${id} is not JSON: ${(err as Error).message}.`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    return unreadable('MANIFEST_INVALID', `The manifest of backup ${id} is not a valid manifest: ${issues}.`);
  }
  if (parsed.data.id !== id) {
    return unreadable('MANIFEST_INVALID', `The manifest in directory ${id} is the manifest of backup ${parsed.data.id}.`);
  }
  const manifest = parsed.data as BackupManifest;
  const failure = await readVerificationFailure(root);
  if (failure === null) return { id, status: 'VERIFIED', manifest, problem: null };
  return { id, status: 'VERIFICATION_FAILED', manifest, problem: { code: 'FILE_MISMATCH', message: failure } };
}

/** Written last into the backup being made: a directory with a manifest claims a verification that happened. */
export async function writeManifest(root: string, manifest: BackupManifest): Promise<void> {
  await writeFileAtomic(path.join(root, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/** Marks the backup at `root` as one that does not verify, durably: it is no longer offered for restoring. */
export async function writeVerificationFailure(root: string, failure: VerificationFailure): Promise<void> {
  await writeFileAtomic(path.join(root, VERIFICATION_FAILURE_FILE), JSON.stringify(failure, null, 2) + '\n');
}

/** The sentence of the backup's verification failure, or null when none was recorded. */
async function readVerificationFailure(root: string): Promise<string | null> {
  let raw: string;
  try {
    raw = await fsp.readFile(path.join(root, VERIFICATION_FAILURE_FILE), 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') return null;
    // The record is there: the backup failed, even if what failed cannot be read back.
    return `A restore found that the backup does not verify (the record of it cannot be read: ${(err as Error).message}).`;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = null;
  }
  const parsed = verificationFailureSchema.safeParse(json);
  if (!parsed.success) return 'A restore found that the backup does not verify (the record of it is damaged).';
  const { at, file, reason } = parsed.data;
  return `A restore on ${at} found that ${file} does not match the manifest (${reason}).`;
}

export function summarizeGroups(files: readonly BackupFileEntry[]): BackupManifest['groups'] {
  const groups = new Map<string, { name: string; bytes: number; files: number }>();
  for (const f of files) {
    const g = groups.get(f.group) ?? { name: f.group, bytes: 0, files: 0 };
    g.bytes += f.size;
    g.files += 1;
    groups.set(f.group, g);
  }
  return [...groups.values()];
}

/** Code-unit order, as the file system's names and ISO timestamps sort (not the locale's). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
