/**
 * The adapter for a real appliance, driving the demo program through real shell commands (as
 * `systemctl start/stop` would) and a real health URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplianceLayout } from '../../../server/adapters/appliance/appliance-layout.js';
import { CommandAppliance } from '../../../server/adapters/appliance/command-appliance.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance } from '../../../server/adapters/appliance/demo-installer.js';
import { unusedPort } from '../../helpers/ports.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

describe('CommandAppliance', () => {
  let root: string;
  let layout: ApplianceLayout;
  let port: number;
  let sut: CommandAppliance;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-command-'));
    layout = new ApplianceLayout(path.join(root, 'appliance'));
    await installDemoAppliance(layout, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
    port = await unusedPort();
    // What an init system would do: launch in the background, remember the pid; stop by pid.
    fs.writeFileSync(
      path.join(root, 'start.sh'),
      `#!/bin/sh\ncd ${layout.currentLink}\nNODE_PATH=${NODE_MODULES} PBX_DATA_DIR=${layout.dataDir} PBX_PORT=${port} PBX_CALL_INTERVAL_MS=0 nohup ${process.execPath} bin/pbx.cjs >/dev/null 2>&1 &\necho $! > ${root}/pbx.pid\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(root, 'stop.sh'),
      `#!/bin/sh\n[ -f ${root}/pbx.pid ] || exit 0\npid=$(cat ${root}/pbx.pid)\nkill $pid 2>/dev/null\nwhile kill -0 $pid 2>/dev/null; do sleep 0.05; done\nrm -f ${root}/pbx.pid\n`,
      { mode: 0o755 },
    );
    sut = new CommandAppliance({
      startCommand: [path.join(root, 'start.sh')],
      stopCommand: [path.join(root, 'stop.sh')],
      healthUrl: `http://127.0.0.1:${port}/health`,
      commandTimeoutMs: 10_000,
    });
  });
  afterEach(async () => {
    await sut.stop().catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts the appliance with the start command and sees it healthy on the health URL', async () => {
    await sut.start();
    const deadline = Date.now() + 10_000;
    let health = await sut.health();
    while (!health.healthy && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      health = await sut.health();
    }
    expect(health).toEqual({ healthy: true, telephonyAvailable: true, version: '8.1.0', detail: null });
  });

  it('stops it with the stop command: the health URL then refuses connections', async () => {
    await sut.start();
    await sut.stop();
    expect(await sut.health()).toMatchObject({ healthy: false, detail: 'connection refused' });
  });

  it('gives a typed error with the exit code and stderr when a command fails', async () => {
    fs.writeFileSync(path.join(root, 'stop.sh'), '#!/bin/sh\necho "Unit pbx.service not loaded." >&2\nexit 5\n', { mode: 0o755 });
    await expect(sut.stop()).rejects.toMatchObject({
      code: 'APPLIANCE_STOP_FAILED',
      details: { exitCode: 5 },
      message: expect.stringMatching(/exited with code 5: Unit pbx.service not loaded/),
    });
  });

  it('gives a typed error when a command hangs past its timeout', async () => {
    fs.writeFileSync(path.join(root, 'start.sh'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const impatient = new CommandAppliance({
      startCommand: [path.join(root, 'start.sh')],
      stopCommand: ['true'],
      healthUrl: 'http://127.0.0.1:1/',
      commandTimeoutMs: 300,
    });
    await expect(impatient.start()).rejects.toMatchObject({
      code: 'APPLIANCE_START_FAILED',
      message: expect.stringMatching(/timed out after 300 ms/),
    });
  });

  it('reports an unreachable health URL as unhealthy with the reason', async () => {
    expect(await sut.health()).toEqual({ healthy: false, telephonyAvailable: false, version: null, detail: 'connection refused' });
  });
});
