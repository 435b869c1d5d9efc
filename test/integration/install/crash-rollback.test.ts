/**
 * Patchbay killed with SIGKILL (a power cut: Patchbay, tsx and the appliance at once) on the way
 * back from a failed installation, and during the download of a one-go installation, then started
 * again on the same home: the way back is run again from its start and ends with the previous
 * release running on the data as it was.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CrashLab, FAILING_VERSION, type Template, TARGET_VERSION } from '../../helpers/crash-cases.js';

describe('the way back from a failed installation killed with SIGKILL and started again', { timeout: 120_000 }, () => {
  const lab = new CrashLab('crash-rollback');
  let failing: Template;
  let bare: Template;

  beforeAll(async () => {
    await lab.publish();
    failing = await lab.template('staged-failing', { stage: FAILING_VERSION });
    bare = await lab.template('bare', { modulesFor: TARGET_VERSION });
  }, 120_000);
  afterAll(() => lab.teardown());

  // 8.2.1 migrates the data, then never becomes healthy: after 3 s the way back starts.
  for (const step of ['ROLLBACK_STOP', 'ROLLBACK_DATA', 'ROLLBACK_SWITCH', 'ROLLBACK_START', 'ROLLBACK_HEALTHCHECK']) {
    it(`killed at ${step}, runs the way back again: the backup is restored and 8.1.0 runs`, async () => {
      await lab.run({
        template: failing,
        kill: { step },
        install: { jobId: failing.jobId! },
        targetVersion: FAILING_VERSION,
        healthCheckTimeoutMs: 3000,
        outcome: 'RESTORED',
        interrupted: step,
        errorCode: 'HEALTHCHECK_FAILED',
      });
    });
  }

  it('killed at DOWNLOAD of a one-go installation, runs 8.1.0 again on its untouched data and keeps no downloaded file', async () => {
    await lab.run({
      template: bare,
      kill: { step: 'DOWNLOAD' },
      install: { version: TARGET_VERSION, modules: bare.modules, acknowledgeWarnings: true },
      targetVersion: TARGET_VERSION,
      outcome: 'ROLLED_BACK',
      interrupted: 'DOWNLOAD',
    });
  });
});
