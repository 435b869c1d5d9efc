/**
 * The administrator's backups through the API of a real Patchbay with the real demo appliance: one
 * disruptive operation at a time while a backup runs, and backups that cannot be restored (one a
 * restore found corrupt, one without a readable manifest) listed as such and refused.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForJob } from '../../helpers/install-api.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import type { PatchbayOptions } from '../../../server/main.js';

const BACKUP_FIELDS = 'id status problem { code message } createdAt method applianceVersion totalBytes files verifiedAt restorable';
type Listed = {
  id: string;
  status: string;
  problem: { code: string; message: string } | null;
  createdAt: string | null;
  method: string | null;
  applianceVersion: string | null;
  totalBytes: number | null;
  files: number | null;
  verifiedAt: string | null;
  restorable: boolean;
};
type Outcome = { __typename: string; code?: string; operation?: string; backup?: { id: string }; job?: { id: string } };
type Admin = Awaited<ReturnType<TestApp['admin']>>;

describe('backups through the API', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    const closed = await Promise.allSettled(apps.map((app) => app.close()));
    const failed = closed.find((c): c is PromiseRejectedResult => c.status === 'rejected');
    if (failed) throw failed.reason;
  });

  async function appWith(options: PatchbayOptions = {}) {
    const app = await startTestApp({ options: { install: { healthCheckTimeoutMs: 4000 }, ...options } });
    apps.push(app);
    await app.waitForState('RUNNING');
    return { app, admin: await app.admin() };
  }

  const createBackup = async (admin: Admin): Promise<Outcome> =>
    (
      await admin.query<{ createBackup: Outcome }>(
        'mutation { createBackup { __typename ... on CreateBackupSuccess { backup { id } } ... on Error { code } ... on OperationInProgressError { operation } } }',
      )
    ).data!.createBackup;
  const restoreBackup = async (admin: Admin, id: string): Promise<Outcome> =>
    (
      await admin.query<{ restoreBackup: Outcome }>(
        `mutation { restoreBackup(id: "${id}") { __typename ... on RestoreBackupSuccess { job { id } } ... on Error { code } } }`,
      )
    ).data!.restoreBackup;
  const listed = async (admin: Admin): Promise<Listed[]> =>
    (await admin.query<{ backups: Listed[] }>(`{ backups { ${BACKUP_FIELDS} } }`)).data!.backups;

  it('refuses a second backup and an installation while a backup runs, and takes the next one once it is done', async () => {
    // The backup's first file copy waits until the test lets it go on: the backup is running meanwhile.
    let copying!: () => void;
    const copyStarted = new Promise<void>((resolve) => (copying = resolve));
    let letGo!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const { app, admin } = await appWith({
      backupIo: {
        copyFile: async (src, dest) => {
          copying();
          await gate;
          await fsp.copyFile(src, dest);
        },
      },
    });
    fs.writeFileSync(path.join(app.home, 'appliance', 'data', 'note.txt'), 'a file the online backup copies');

    // Two requests at once: one takes the lock, the other is refused.
    const both = Promise.all([createBackup(admin), createBackup(admin)]);
    await copyStarted;
    const refused = await admin.query<{ install: Outcome }>(
      'mutation { install(input: { version: "8.2.0", acknowledgeWarnings: true }) { __typename ... on OperationInProgressError { code operation } } }',
    );
    expect(refused.data!.install).toEqual({ __typename: 'OperationInProgressError', code: 'OPERATION_IN_PROGRESS', operation: 'backup' });
    letGo();
    const outcomes = await both;

    expect(outcomes.map((o) => o.__typename).sort()).toEqual(['CreateBackupSuccess', 'OperationInProgressError']);
    expect(outcomes.find((o) => o.__typename === 'OperationInProgressError')).toMatchObject({
      code: 'OPERATION_IN_PROGRESS',
      operation: 'backup',
    });
    // Released: the next backup is taken.
    expect((await createBackup(admin)).__typename).toBe('CreateBackupSuccess');
    expect((await listed(admin)).map((b) => b.status)).toEqual(['VERIFIED', 'VERIFIED']);
  });

  it('lists a backup a restore found corrupt as VERIFICATION_FAILED, not restorable, and refuses to restore it again', async () => {
    const { app, admin } = await appWith();
    const made = await createBackup(admin);
    expect(made.__typename).toBe('CreateBackupSuccess');
    const id = made.backup!.id;
    const file = path.join(app.home, 'backups', id, 'data', 'calls.db');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
    fs.writeFileSync(file, bytes);

    const started = await restoreBackup(admin, id);
    expect(started.__typename).toBe('RestoreBackupSuccess');
    const done = await waitForJob(admin, started.job!.id, ['SUCCEEDED', 'FAILED']);
    expect(done).toMatchObject({ state: 'FAILED', error: { code: 'RESTORE_FAILED' } });

    const chosen = (await listed(admin)).find((b) => b.id === id)!;
    expect(chosen).toMatchObject({
      status: 'VERIFICATION_FAILED',
      restorable: false,
      problem: { code: 'FILE_MISMATCH', message: expect.stringContaining('data/calls.db does not match the manifest') },
      method: 'ONLINE',
      applianceVersion: '8.1.0',
    });
    // The safety backup the restore took first is intact and can be put back.
    expect((await listed(admin)).find((b) => b.id === done.backupId)).toMatchObject({ status: 'VERIFIED', restorable: true });
    expect(await restoreBackup(admin, id)).toMatchObject({ __typename: 'BackupFailedError', code: 'BACKUP_NOT_VERIFIED' });
  });

  it('lists a backup without a readable manifest as UNREADABLE, its manifest fields null, and refuses to restore or estimate it', async () => {
    const { app, admin } = await appWith();
    const dir = path.join(app.home, 'backups', '20261125T120501Z-abcdef');
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"formatVersion":1,');

    expect(await listed(admin)).toEqual([
      {
        id: '20261125T120501Z-abcdef',
        status: 'UNREADABLE',
        problem: {
          code: 'MANIFEST_INVALID',
          message: expect.stringMatching(/^The manifest of backup 20261125T120501Z-abcdef is not JSON/),
        },
        createdAt: null,
        method: null,
        applianceVersion: null,
        totalBytes: null,
        files: null,
        verifiedAt: null,
        restorable: false,
      },
    ]);
    expect(await restoreBackup(admin, '20261125T120501Z-abcdef')).toMatchObject({
      __typename: 'BackupFailedError',
      code: 'BACKUP_UNREADABLE',
    });
    const estimate = await admin.query<{ installEstimate: { __typename: string; code: string } }>(
      '{ installEstimate(backupId: "20261125T120501Z-abcdef") { __typename ... on Error { code } } }',
    );
    expect(estimate.data!.installEstimate).toEqual({ __typename: 'BackupFailedError', code: 'BACKUP_UNREADABLE' });
  });
});
