/**
 * `npm start` as a newcomer runs it: a real process on an empty PATCHBAY_HOME prints the admin
 * password once, serves the API, and stops cleanly on SIGTERM together with its appliance.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../helpers/graphql-clients.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, ['server/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(output: () => string, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = output().match(pattern);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in output:\n${output()}`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('server/main.ts as a process', () => {
  const homes: string[] = [];
  const children: ChildProcess[] = [];
  const home = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-main-'));
    homes.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
  });

  it('prints a generated admin password once that logs in, and stops cleanly on SIGTERM', async () => {
    const dir = home();
    const env = { PORT: '0', PATCHBAY_HOME: dir, PATCHBAY_ADMIN_PASSWORD: '', PATCHBAY_DEMO_CALL_INTERVAL_MS: '0' };
    const first = run(env);
    children.push(first.child);
    const [, password] = await waitFor(first.output, /Initial password for user "admin": (\S+)/);
    const [, url] = await waitFor(first.output, /listening on (http:\/\/\S+)/);
    const client = new HttpClient(url!);
    const login = await client.login('admin', password!);
    expect(login.data).toMatchObject({ login: { __typename: 'LoginSuccess' } });
    const deadline = Date.now() + 20_000;
    let state = '';
    while (Date.now() < deadline && state !== 'RUNNING') {
      state = (await client.query<{ system: { state: string } }>('{ system { state } }')).data!.system.state;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('RUNNING');
    const pid = Number(fs.readFileSync(path.join(dir, 'appliance', 'data', 'pbx.pid'), 'utf8'));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(pidAlive(pid)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'patchbay.db')).toString('latin1')).not.toContain(password);

    // A second start keeps the account and prints no password.
    const second = run(env);
    children.push(second.child);
    await waitFor(second.output, /listening on/);
    expect(second.output()).not.toMatch(/Initial password/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses invalid configuration with a message naming each variable', async () => {
    const { output, exited } = run({ PORT: 'eighty', PATCHBAY_HOME: home(), PATCHBAY_SESSION_IDLE_MINUTES: '0' });
    expect(await exited).toBe(2);
    expect(output()).toMatch(/PORT: PORT must be a whole number/);
    expect(output()).toMatch(/PATCHBAY_SESSION_IDLE_MINUTES/);
  });
});
