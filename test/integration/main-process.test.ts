/**
 * `npm start` as a newcomer runs it: a real process on an empty PATCHBAY_HOME prints the admin
 * password once, serves the API, and stops cleanly on SIGTERM together with its appliance.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../helpers/graphql-clients.js';
import { pidAlive, waitForOutput } from '../helpers/process-output.js';
import { makeTestCertificate, presentedFingerprint } from '../helpers/tls.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * One Node process that gets the signals itself, as `npm start` (server/start.mjs) and the systemd
 * unit of docs/deploy.md run it, here on the sources (the compiled build: compiled-build.test.ts).
 * Not `tsx server/main.ts`: its relay process stands between the signal and Patchbay (and passes no SIGHUP).
 */
function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
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
    const [, password] = await waitForOutput(first.output, /Initial password for user "admin": (\S+)/);
    const [, url] = await waitForOutput(first.output, /listening on (http:\/\/\S+)/);
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
    await waitForOutput(second.output, /listening on/);
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

  it('stops before anything else runs when the certificate files cannot serve (exit code 2)', async () => {
    const dir = home();
    const missing = path.join(dir, 'missing.pem');
    const { output, exited } = run({ PORT: '0', PATCHBAY_HOME: dir, PATCHBAY_TLS_CERT: missing, PATCHBAY_TLS_KEY: missing });
    expect(await exited).toBe(2);
    expect(output()).toContain(`patchbay: Cannot read ${missing}.`);
    expect(fs.existsSync(path.join(dir, 'patchbay.db'))).toBe(false);
  });

  it('on a LAN-facing HOST serves HTTPS with a self-signed certificate made once, prints its fingerprint, and reloads it on SIGHUP', async () => {
    const dir = home();
    // 0.0.0.0 is what an appliance on the LAN listens on; the test only ever connects through loopback.
    const env = {
      PORT: '0',
      HOST: '0.0.0.0',
      PATCHBAY_HOME: dir,
      PATCHBAY_ADMIN_PASSWORD: 'correct horse battery staple',
      PATCHBAY_DEMO_CALL_INTERVAL_MS: '0',
    };
    const first = run(env);
    children.push(first.child);
    const [, fingerprint] = await waitForOutput(
      first.output,
      /TLS certificate \(self-signed, made now\): \S+\n {2}SHA-256 fingerprint: (\S+)/,
    );
    const [, port] = await waitForOutput(first.output, /listening on https:\/\/0\.0\.0\.0:(\d+)/);
    const certFile = path.join(dir, 'tls', 'self-signed.crt');
    const keyFile = path.join(dir, 'tls', 'self-signed.key');
    expect(fingerprint).toBe(new X509Certificate(fs.readFileSync(certFile)).fingerprint256);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(await presentedFingerprint(Number(port))).toBe(fingerprint);

    const replacement = await makeTestCertificate(dir);
    fs.copyFileSync(replacement.certFile, certFile);
    fs.copyFileSync(replacement.keyFile, keyFile);
    first.child.kill('SIGHUP');
    await waitForOutput(first.output, /"msg":"TLS certificate reloaded"/);
    expect(await presentedFingerprint(Number(port))).toBe(replacement.fingerprint256);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A later start reuses the pair in <home>/tls/ rather than making a new one.
    const second = run(env);
    children.push(second.child);
    const [, again] = await waitForOutput(
      second.output,
      /TLS certificate \(self-signed, made on an earlier start\): \S+\n {2}SHA-256 fingerprint: (\S+)/,
    );
    expect(again).toBe(replacement.fingerprint256);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
