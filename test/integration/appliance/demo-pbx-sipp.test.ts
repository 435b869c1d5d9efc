/**
 * The demo PBX against a SIP client nobody here wrote: SIPp's built-in `uac` scenario, unchanged,
 * with the PBX run by the ChildProcessAppliance as Patchbay runs it, and its active calls and
 * draining read and switched through the adapter's CallControl.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplianceLayout } from '../../../server/adapters/appliance/appliance-layout.js';
import { ChildProcessAppliance } from '../../../server/adapters/appliance/child-process-appliance.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance } from '../../../server/adapters/appliance/demo-installer.js';
import { runSippUac } from '../../helpers/sipp.js';
import { until } from '../../helpers/until.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

describe('the demo PBX with SIPp as its peer', () => {
  let root: string;
  let sut: ChildProcessAppliance;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-sipp-pbx-'));
    const layout = new ApplianceLayout(root);
    await installDemoAppliance(layout, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
    // Simulated traffic on, as in a real demo: it must not disturb the SIP calls.
    sut = new ChildProcessAppliance({ layout, nodePath: NODE_MODULES, env: { PBX_CALL_INTERVAL_MS: '50' }, stopTimeoutMs: 5000 });
    await sut.start();
  });
  afterAll(async () => {
    await sut.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  function endReasons(): string[] {
    const db = new Database(path.join(root, 'data', 'calls.db'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT end_reason FROM sip_calls ORDER BY id').all() as { end_reason: string }[]).map((r) => r.end_reason);
    } finally {
      db.close();
    }
  }

  it('completes one uac call: SIPp exits 0 and the call is recorded as ended by its BYE', async () => {
    const run = await runSippUac(sut.sipPort!, { calls: 1, holdMs: 200 });
    expect(run.exitCode).toBe(0);
    expect(run.stats['SuccessfulCall(C)']).toBe('1');
    expect(endReasons()).toEqual(['bye']);
  });

  it('counts a held call as active during its hold, and not after', async () => {
    const held = runSippUac(sut.sipPort!, { calls: 1, holdMs: 3000 });
    expect(
      await until(
        () => sut.calls.activeCalls(),
        (n) => n === 1,
      ),
    ).toBe(1);
    expect((await held).exitCode).toBe(0);
    expect(await sut.calls.activeCalls()).toBe(0);
  });

  it('while draining refuses a new call with 503 and lets the held one end normally; after undrain calls work again', async () => {
    const before = endReasons().length;
    const held = runSippUac(sut.sipPort!, { calls: 1, holdMs: 3000 });
    await until(
      () => sut.calls.activeCalls(),
      (n) => n === 1,
    );
    await sut.calls.drain();
    try {
      const refused = await runSippUac(sut.sipPort!, { calls: 1, holdMs: 200 });
      expect(refused.exitCode).toBe(1);
      expect(refused.stats['FailedCall(C)']).toBe('1');
      expect(refused.stats['FailedUnexpectedMessage(C)']).toBe('1');

      const heldRun = await held;
      expect(heldRun.exitCode).toBe(0);
      expect(heldRun.stats['SuccessfulCall(C)']).toBe('1');
      expect(endReasons().slice(before)).toEqual(['bye', 'refused']);
    } finally {
      await sut.calls.undrain();
    }
    const again = await runSippUac(sut.sipPort!, { calls: 2, holdMs: 200 });
    expect(again.exitCode).toBe(0);
    expect(again.stats['SuccessfulCall(C)']).toBe('2');
  });
});
