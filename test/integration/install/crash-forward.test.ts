/**
 * Patchbay killed with SIGKILL (a power cut: Patchbay, tsx and the appliance at once) at each step
 * of a separate installation of 8.2.0 up to the modules, then started again on the same home: it
 * undoes the installation as `recoveryAction` says, and leaves 8.1.0 running on intact data. The
 * kills after the modules, where it finishes the installation, are in crash-forward-commit.test.ts
 * (two files, so that they run side by side).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrashLab, killedAtEachStep, type Template, TARGET_VERSION } from '../../helpers/crash-cases.js';

// A case starts two Patchbay processes and waits for an installation: well under a minute, more on a loaded machine.
describe('a separate installation of 8.2.0 killed with SIGKILL and started again', { timeout: 120_000 }, () => {
  const lab = new CrashLab('crash-forward');
  let template: Template;

  beforeAll(async () => {
    await lab.publish();
    template = await lab.template('staged', { stage: TARGET_VERSION });
  }, 120_000);
  afterAll(() => lab.teardown());

  killedAtEachStep(lab, () => template, [
    { step: 'PREFLIGHT', outcome: 'ROLLED_BACK', why: '8.1.0 runs again on its untouched data' },
    { step: 'DRAIN', outcome: 'FAILED', why: 'nothing was touched: 8.1.0 runs on (undrained when it can drain)' },
    { step: 'STOP', outcome: 'ROLLED_BACK', why: '8.1.0 runs again on its untouched data' },
    { step: 'BACKUP', outcome: 'ROLLED_BACK', why: '8.1.0 runs again on its untouched data' },
    { step: 'APPLY', outcome: 'ROLLED_BACK', why: '8.1.0 runs again on its untouched data' },
    { step: 'MIGRATE', outcome: 'RESTORED', why: 'the backup is restored and 8.1.0 runs' },
    { step: 'SWITCH', outcome: 'RESTORED', why: 'the backup is restored and 8.1.0 runs' },
    { step: 'MODULES', outcome: 'RESTORED', why: 'the backup is restored and 8.1.0 runs' },
  ]);

  it('killed while it waits for a held call, the PBX drained and left running: the recovery undrains it and new calls are answered', async () => {
    await lab.run({
      template,
      kill: { whileDraining: true, scope: 'process' },
      holdCall: true,
      install: { jobId: template.jobId! },
      targetVersion: TARGET_VERSION,
      outcome: 'FAILED',
      interrupted: 'DRAIN',
    });
  });

  it('killed in the middle of the backup copy, discards the partial backup and runs 8.1.0 on its untouched data', async () => {
    const cut = Math.ceil(template.dataBytes / 2);
    await lab.run({
      template,
      kill: { backupBytes: cut },
      install: { jobId: template.jobId! },
      targetVersion: TARGET_VERSION,
      outcome: 'ROLLED_BACK',
      interrupted: 'BACKUP',
      afterKill: (home) => {
        // The kill left half a backup: a temporary directory with that many bytes, and no manifest.
        const backups = path.join(home, 'backups');
        const partial = fs.readdirSync(backups).filter((n) => n.startsWith('.tmp-'));
        expect(partial).toHaveLength(1);
        const sizes = treeSizes(path.join(backups, partial[0]!));
        expect(Object.keys(sizes)).not.toContain('manifest.json');
        expect(
          Object.values(sizes).reduce((n, size) => n + size, 0),
          JSON.stringify(sizes),
        ).toBe(cut);
      },
    });
  });
});

/** Size of every file under `dir`, by relative path. */
function treeSizes(dir: string, rel = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, treeSizes(dir, p));
    else out[p] = fs.statSync(path.join(dir, p)).size;
  }
  return out;
}
