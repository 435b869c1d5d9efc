/**
 * Patchbay killed with SIGKILL (a power cut: Patchbay, tsx and the appliance at once) at each step
 * of a separate installation of 8.2.0 from the start of the new release on, then started again on
 * the same home: it finishes the installation as `recoveryAction` says, and leaves 8.2.0 running on
 * the migrated data. The kills before, where it undoes the installation, are in crash-forward.test.ts.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CrashLab, killedAtEachStep, type Template, TARGET_VERSION } from '../../helpers/crash-cases.js';

// A case starts two Patchbay processes and waits for an installation: well under a minute, more on a loaded machine.
describe('a separate installation of 8.2.0 killed with SIGKILL after its modules and started again', { timeout: 120_000 }, () => {
  const lab = new CrashLab('crash-forward-commit');
  let template: Template;

  beforeAll(async () => {
    await lab.publish();
    template = await lab.template('staged', { stage: TARGET_VERSION });
  }, 120_000);
  afterAll(() => lab.teardown());

  killedAtEachStep(lab, () => template, [
    { step: 'START', outcome: 'SUCCEEDED', why: '8.2.0 is started again, found healthy and committed' },
    { step: 'HEALTHCHECK', outcome: 'SUCCEEDED', why: '8.2.0 is started again, found healthy and committed' },
    { step: 'COMMIT', outcome: 'SUCCEEDED', why: 'the commit is completed' },
  ]);

  it('with Patchbay alone killed at HEALTHCHECK, stops the orphaned 8.2.0, starts it once more and succeeds', async () => {
    await lab.run({
      template,
      kill: { step: 'HEALTHCHECK', scope: 'process' },
      install: { jobId: template.jobId! },
      targetVersion: TARGET_VERSION,
      outcome: 'SUCCEEDED',
      interrupted: 'HEALTHCHECK',
    });
  });
});
