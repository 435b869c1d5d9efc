/** The body of each forward step, by name: the engine runs them in the order of `stepsFor(mode)`. */
import type { InstallStep } from '../../../domain/install.js';
import type { Said } from '../../../domain/install-notices.js';
import type { JobRun } from '../job-run.js';
import { apply } from './apply.js';
import { backup } from './backup.js';
import { commit } from './commit.js';
import { download } from './download.js';
import { drain } from './drain.js';
import { migrate } from './migrate.js';
import { modules } from './modules.js';
import { preflight } from './preflight.js';
import { restoreData } from './restore-data.js';
import { healthcheck, start } from './start.js';
import { stop } from './stop.js';
import { switchRelease } from './switch.js';

/** A step acts, and says what it did (null: nothing worth a line in the job's record). */
export type StepBody = (run: JobRun) => Promise<Said | null>;

export const FORWARD_STEPS: Record<InstallStep, StepBody> = {
  PREFLIGHT: preflight,
  DRAIN: drain,
  STOP: stop,
  DOWNLOAD: download,
  BACKUP: backup,
  APPLY: apply,
  MIGRATE: migrate,
  RESTORE_DATA: restoreData,
  SWITCH: switchRelease,
  MODULES: modules,
  START: start,
  HEALTHCHECK: healthcheck,
  COMMIT: commit,
};
