/** MODULES: the staged module versions are put in place and the module state fixed at preflight is written. */
import { InstallStepError } from '../../../domain/errors/index.js';
import { installNotices, type Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';

export async function modules(run: JobRun): Promise<Said> {
  const { layout, staging } = run.deps;
  const j = run.journal;
  for (const m of j.modules) {
    const staged = staging.moduleDir(j.jobId, m.moduleId);
    const manifest = await staging.manifest(staged);
    if (manifest) {
      if (manifest.id !== m.moduleId || manifest.version !== m.version) {
        const found = { id: String(manifest.id), version: String(manifest.version) };
        throw new InstallStepError({ code: 'MODULE_FAILED', moduleId: m.moduleId, version: m.version, found });
      }
      await layout.applyModule(staged, m.moduleId, m.version);
    } else if (!(await layout.hasModule(m.moduleId, m.version))) {
      throw new InstallStepError({ code: 'MODULE_FAILED', moduleId: m.moduleId, version: m.version, found: null });
    }
  }
  await layout.writeModuleState(j.moduleState ?? (await layout.readModules()));
  return installNotices.modules(j.moduleChanges);
}
