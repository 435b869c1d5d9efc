/**
 * PREFLIGHT: nothing is touched yet. The appliance must be healthy and still run the version the
 * job was made for; the version must still be installable (or, for a restore, the backup and its
 * release still there); the staged files present; and the disk must hold the backup and, in one
 * go, the bundles and their unpacked copy. Fixes the module state the MODULES step writes.
 */
import path from 'node:path';
import {
  BackupError,
  InstallStepError,
  InsufficientDiskError,
  NotInstallableError,
  ReleaseNotAvailableError,
} from '../../../domain/errors/index.js';
import { roomNeeded } from '../../../domain/install.js';
import { installNotices, type Said } from '../../../domain/install-notices.js';
import { moduleStateAfter } from '../../../domain/module-plan.js';
import type { JobRun } from '../job-run.js';
import { releasePresent } from '../releases.js';

export async function preflight(run: JobRun): Promise<Said> {
  const { supervisor, layout, backups, staging } = run.deps;
  const j = run.journal;
  const live = supervisor.getState();
  if (live.state !== 'RUNNING') throw new InstallStepError({ code: 'APPLIANCE_UNHEALTHY', state: live.state, reason: live.reason });
  const current = await layout.currentVersion();
  if (current !== j.fromVersion) throw new InstallStepError({ code: 'APPLIANCE_CHANGED', running: current, expected: j.fromVersion });
  const job = run.job();
  const backupBytes = (await backups.measure(run.source())).bytes;
  let extraBytes = 0;
  if (j.mode === 'RESTORE') {
    const backup = await backups.get(j.sourceBackupId!);
    if (!backup) throw new BackupError('BACKUP_NOT_FOUND', `Backup ${j.sourceBackupId} does not exist any more.`, { id: j.sourceBackupId });
    if (!(await releasePresent(layout, backup.applianceVersion))) throw new ReleaseNotAvailableError(backup.applianceVersion);
  } else {
    const blockers = await run.deps.blockers(j.targetVersion);
    if (blockers.length) throw new NotInstallableError(j.targetVersion, blockers);
    if (j.mode === 'SEPARATE') {
      const release = !(await staging.manifest(staging.releaseDir(j.jobId)));
      const modules = (
        await Promise.all(
          j.modules.map(async (m) => ((await staging.manifest(staging.moduleDir(j.jobId, m.moduleId))) ? null : m.moduleId)),
        )
      ).filter((m): m is string => m !== null);
      if (release || modules.length)
        throw new InstallStepError({ code: 'STAGED_RELEASE_MISSING', version: j.targetVersion, release, modules });
    } else {
      // One go: the bundles, and their unpacked copy.
      extraBytes = job.bytesTotal * 2;
    }
    const installed = await layout.readInstalled();
    const infos = await Promise.all(
      installed.modules.map(async (m) => ({ ...m, supportedSystem: await layout.moduleSupportedSystem(m.id, m.version) })),
    );
    const after = moduleStateAfter(infos, j.targetVersion, j.modules);
    j.moduleState = after.modules;
    j.moduleChanges = after.changes;
  }
  const needed = roomNeeded(backupBytes, extraBytes);
  const free = await run.deps.freeSpace(path.dirname(layout.root));
  if (free < needed) throw new InsufficientDiskError(needed, free);
  await run.save();
  return installNotices.ready(backupBytes + extraBytes, free);
}
