/** Backups: the stored ones, one made now while the appliance runs, and putting one back (a RESTORE job). */
import { useMutation, useQuery } from '@urql/vue';
import { computed } from 'vue';
import type { BackupsQuery as BackupsResult } from '../graphql/generated/graphql';
import { BackupsQuery, CreateBackupMutation, RestoreBackupMutation } from '../graphql/operations';
import type { Refusal } from './use-installation';

type Row = BackupsResult['backups'][number];
type Problem = NonNullable<Row['problem']>;

/** A backup whose manifest could be read: every field of it is known. */
export interface ReadableBackup {
  kind: 'readable';
  id: string;
  status: 'VERIFIED' | 'VERIFICATION_FAILED';
  problem: Problem | null;
  createdAt: string;
  method: NonNullable<Row['method']>;
  reason: string;
  jobId: string | null;
  applianceVersion: string;
  totalBytes: number;
  files: number;
  copyMs: number;
  verifyMs: number;
  verifiedAt: string;
  restorable: boolean;
}

/** A backup directory without a readable, valid manifest: only its id and why are known. */
export interface UnreadableBackup {
  kind: 'unreadable';
  id: string;
  problem: Problem | null;
}

export type Backup = ReadableBackup | UnreadableBackup;

/** The server leaves the manifest's fields null exactly when the backup is UNREADABLE. */
function toBackup(row: Row): Backup {
  const { createdAt, method, reason, applianceVersion, totalBytes, files, copyMs, verifyMs, verifiedAt } = row;
  if (
    row.status === 'UNREADABLE' ||
    createdAt == null ||
    method == null ||
    reason == null ||
    applianceVersion == null ||
    totalBytes == null ||
    files == null ||
    copyMs == null ||
    verifyMs == null ||
    verifiedAt == null
  ) {
    return { kind: 'unreadable', id: row.id, problem: row.problem ?? null };
  }
  return {
    kind: 'readable',
    id: row.id,
    status: row.status,
    problem: row.problem ?? null,
    createdAt,
    method,
    reason,
    jobId: row.jobId ?? null,
    applianceVersion,
    totalBytes,
    files,
    copyMs,
    verifyMs,
    verifiedAt,
    restorable: row.restorable,
  };
}

export function useBackups() {
  const query = useQuery({ query: BackupsQuery, requestPolicy: 'network-only' });
  const creating = useMutation(CreateBackupMutation);
  const restoring = useMutation(RestoreBackupMutation);
  const refresh = () => query.executeQuery({ requestPolicy: 'network-only' });

  async function create(): Promise<{ ok: true; id: string } | ({ ok: false } & Refusal)> {
    const result = await creating.executeMutation({});
    const outcome = result.data?.createBackup;
    await refresh();
    if (!outcome) return { ok: false, code: 'NETWORK', message: result.error?.message ?? '' };
    if (outcome.__typename === 'CreateBackupSuccess') return { ok: true, id: outcome.backup.id };
    if (outcome.__typename === 'InsufficientDiskError') {
      return { ok: false, code: outcome.code, message: outcome.message, neededBytes: outcome.neededBytes, freeBytes: outcome.freeBytes };
    }
    return { ok: false, code: outcome.code, message: outcome.message };
  }

  /** Starts the restore; the returned job is followed on the Updates page. */
  async function restore(id: string): Promise<{ ok: true; jobId: string } | ({ ok: false } & Refusal)> {
    const result = await restoring.executeMutation({ id });
    const outcome = result.data?.restoreBackup;
    if (!outcome) return { ok: false, code: 'NETWORK', message: result.error?.message ?? '' };
    if (outcome.__typename === 'RestoreBackupSuccess') return { ok: true, jobId: outcome.job.id };
    if (outcome.__typename === 'InsufficientDiskError') {
      return { ok: false, code: outcome.code, message: outcome.message, neededBytes: outcome.neededBytes, freeBytes: outcome.freeBytes };
    }
    return { ok: false, code: outcome.code, message: outcome.message };
  }

  return {
    backups: computed(() => (query.data.value?.backups ?? []).map(toBackup)),
    loading: query.fetching,
    creating: creating.fetching,
    restoring: restoring.fetching,
    create,
    restore,
  };
}
