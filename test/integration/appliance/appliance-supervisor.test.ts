import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplianceLayout } from '../../../server/adapters/appliance/appliance-layout.js';
import { ChildProcessAppliance } from '../../../server/adapters/appliance/child-process-appliance.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance } from '../../../server/adapters/appliance/demo-installer.js';
import { systemClock } from '../../../server/adapters/clock.js';
import { ApplianceSupervisor, type SupervisorState } from '../../../server/services/appliance-supervisor.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));
const HEALTH_INTERVAL_MS = 200;

async function waitFor(sut: ApplianceSupervisor, state: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (sut.getState().state !== state) {
    if (Date.now() > deadline) throw new Error(`state ${sut.getState().state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ApplianceSupervisor with the real demo appliance', () => {
  let root: string;
  let layout: ApplianceLayout;
  let sut: ApplianceSupervisor;
  let seen: SupervisorState[];

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-supervisor-'));
    layout = new ApplianceLayout(root);
    await installDemoAppliance(layout, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
    const runtime = new ChildProcessAppliance({ layout, nodePath: NODE_MODULES });
    sut = new ApplianceSupervisor({
      runtime,
      clock: systemClock,
      healthIntervalMs: HEALTH_INTERVAL_MS,
      restartBackoffMs: { initial: 100, max: 1000 },
    });
    seen = [];
    sut.onStateChange((s) => seen.push(s));
  });
  afterEach(async () => {
    await sut.shutdown({ stopAppliance: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts the appliance and reports RUNNING once it is healthy', async () => {
    await sut.start();
    expect(sut.getState()).toMatchObject({ state: 'RUNNING', telephonyAvailable: true, reason: null });
  });

  it('notices a kill -9, reports DEGRADED with the signal, and restarts it by itself', async () => {
    await sut.start();
    seen.length = 0;
    const pid = Number(fs.readFileSync(path.join(layout.dataDir, 'pbx.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await waitFor(sut, 'DEGRADED');
    expect(sut.getState().reason).toMatch(/SIGKILL/);
    await waitFor(sut, 'RUNNING');
    expect(seen.map((s) => s.state)).toEqual(['DEGRADED', 'RESTARTING', 'RUNNING']);
    expect(Number(fs.readFileSync(path.join(layout.dataDir, 'pbx.pid'), 'utf8'))).not.toBe(pid);
  });

  it('announces RESTARTING then RUNNING on a requested restart', async () => {
    await sut.start();
    seen.length = 0;
    await sut.restart('test');
    expect(seen.map((s) => s.state)).toEqual(['RESTARTING', 'RUNNING']);
  });

  it('keeps the appliance stopped in MAINTENANCE, then starts it again on request', async () => {
    await sut.start();
    await sut.stopForMaintenance('update to 8.1.3');
    expect(sut.getState()).toMatchObject({ state: 'MAINTENANCE', telephonyAvailable: false, reason: 'update to 8.1.3' });
    // Not a wait for something to happen: three health-check intervals in which nothing may start it.
    await new Promise((r) => setTimeout(r, 3 * HEALTH_INTERVAL_MS));
    expect(sut.getState().state).toBe('MAINTENANCE');
    expect(fs.existsSync(path.join(layout.dataDir, 'pbx.pid'))).toBe(false);
    await sut.startAfterMaintenance();
    expect(sut.getState().state).toBe('RUNNING');
  });
});
