/**
 * The production build as `npm start` runs it: `npm run build` compiles the server with source maps,
 * and the compiled `main.js` — with no TypeScript loader — still finds everything it reads beside
 * its code (the SPA, the migrations, the demo appliance's programs and the demo vendor), serves,
 * and stops cleanly on SIGTERM together with its appliance.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../helpers/graphql-clients.js';
import { pidAlive, waitForOutput } from '../helpers/process-output.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the compiled build', () => {
  // Inside the checkout (gitignored .tmp/), as dist/ is: the build finds the project root above it.
  const outDir = path.join(ROOT, '.tmp', `build-test-${process.pid}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-build-'));
  let child: ChildProcess | null = null;

  beforeAll(() => {
    const build = spawnSync('npm', ['run', 'build', '--', outDir], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr + build.stdout).toBe(0);
  }, 180_000);
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('is JavaScript with source maps, stamped with the hash of its sources', () => {
    expect(fs.existsSync(path.join(outDir, 'server', 'main.js'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'server', 'main.js.map'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'schema', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'server', 'adapters', 'backup', 'backup-worker-thread.mjs'))).toBe(true);
    expect(fs.readFileSync(path.join(outDir, '.build-stamp'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('names the TypeScript line in a stack trace under --enable-source-maps', () => {
    const config = path.join(outDir, 'server', 'config.js');
    const run = spawnSync(
      process.execPath,
      [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `import(${JSON.stringify(config)}).then((m) => m.loadConfig({ PORT: 'eighty' }))`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/server\/config\.ts:\d+/);
  });

  it('starts on an empty home with the demo, logs in with the printed password, and stops cleanly on SIGTERM', async () => {
    const env = { ...process.env, PORT: '0', PATCHBAY_HOME: home, PATCHBAY_ADMIN_PASSWORD: '', PATCHBAY_DEMO_CALL_INTERVAL_MS: '0' };
    const started = spawn(process.execPath, ['--enable-source-maps', path.join(outDir, 'server', 'main.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let out = '';
    started.stdout.on('data', (d: Buffer) => (out += d.toString()));
    started.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    const output = () => out;

    const [, password] = await waitForOutput(output, /Initial password for user "admin": (\S+)/);
    const [, url] = await waitForOutput(output, /listening on (http:\/\/\S+)/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const client = new HttpClient(url!);
    expect((await client.login('admin', password!)).data).toMatchObject({ login: { __typename: 'LoginSuccess' } });
    // The appliance runs from the demo's .cjs programs, and the demo vendor's feed offers its newer releases.
    const deadline = Date.now() + 20_000;
    let seen = { state: '', versions: 0 };
    while (Date.now() < deadline && (seen.state !== 'RUNNING' || seen.versions === 0)) {
      const { data } = await client.query<{ system: { state: string }; availableVersions: unknown[] }>(
        '{ system { state } availableVersions { version } }',
      );
      seen = { state: data!.system.state, versions: data!.availableVersions.length };
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.state).toBe('RUNNING');
    expect(seen.versions).toBeGreaterThan(0);

    const pid = Number(fs.readFileSync(path.join(home, 'appliance', 'data', 'pbx.pid'), 'utf8'));
    expect(pidAlive(pid)).toBe(true);
    started.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(pidAlive(pid)).toBe(false);
  });
});
