/**
 * `npm run admin` as the operator runs it on the appliance's shell: a real child process against the
 * home of a running Patchbay, which accepts what it changed at the next login.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const SYSTEM = '{ system { version } }';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function admin(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  // PATCHBAY_ADMIN_PASSWORD empty = unset, unless a test gives one.
  const child = spawn(TSX, ['server/admin-cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, PATCHBAY_ADMIN_PASSWORD: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const typename = (res: { data?: unknown }) => (res.data as { login: { __typename: string } }).login.__typename;

describe('npm run admin', () => {
  let app: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    env = { PATCHBAY_HOME: app.home };
  });
  afterAll(() => app.close());

  describe('unlock', () => {
    it('clears the lock of a user name while Patchbay runs', async () => {
      for (let i = 0; i < 5; i++) await app.anonymous().login('admin', `wrong ${i}`);
      expect(typename(await app.anonymous().login('admin', ADMIN_PASSWORD))).toBe('LoginThrottledError');
      const run = await admin(['unlock', '--user', 'admin'], env);
      expect(run).toMatchObject({ code: 0, stdout: 'Cleared 2 login throttling entries (user admin).\n' });
      expect(typename(await app.anonymous().login('admin', ADMIN_PASSWORD))).toBe('LoginSuccess');
    });

    it('clears every lock without arguments', async () => {
      for (let i = 0; i < 5; i++) await app.anonymous().login('admin', `wrong ${i}`);
      const run = await admin(['unlock'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Cleared \d+ login throttling entries \(all\)\.$/m);
      expect(typename(await app.anonymous().login('admin', ADMIN_PASSWORD))).toBe('LoginSuccess');
    });
  });

  describe('reset-password', () => {
    it('reads a password from stdin; the running server accepts it and ends the sessions of admin', async () => {
      const session = app.anonymous();
      await session.login('admin', ADMIN_PASSWORD);
      expect((await session.query(SYSTEM)).errors).toBeUndefined();
      const run = await admin(['reset-password', '--stdin'], env, 'a passphrase from stdin\n');
      // This session and those the tests before opened.
      expect(run).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^The password of user "admin" is set\.\nEnded [1-9]\d* sessions? of user "admin"\.\n$/),
      });
      expect((await session.query(SYSTEM)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(typename(await app.anonymous().login('admin', ADMIN_PASSWORD))).toBe('InvalidCredentialsError');
      expect(typename(await app.anonymous().login('admin', 'a passphrase from stdin'))).toBe('LoginSuccess');
    });

    it('generates a password and prints it once; the old one stops working', async () => {
      const run = await admin(['reset-password'], env);
      expect(run.code).toBe(0);
      const generated = run.stdout.match(/^New password for user "admin": (\S+)$/m)?.[1];
      expect(generated).toMatch(/^[\w-]{20}$/);
      expect(run.stderr).not.toContain(generated);
      expect(typename(await app.anonymous().login('admin', 'a passphrase from stdin'))).toBe('InvalidCredentialsError');
      expect(typename(await app.anonymous().login('admin', generated!))).toBe('LoginSuccess');
    });

    it('takes PATCHBAY_ADMIN_PASSWORD when set', async () => {
      const run = await admin(['reset-password'], { ...env, PATCHBAY_ADMIN_PASSWORD: ADMIN_PASSWORD });
      expect(run.code).toBe(0);
      expect(typename(await app.anonymous().login('admin', ADMIN_PASSWORD))).toBe('LoginSuccess');
    });

    it('refuses a short password from stdin and an unknown user with exit code 2, changing nothing', async () => {
      await app.patchbay.services.accounts.resetPassword('admin', ADMIN_PASSWORD);
      const short = await admin(['reset-password', '--stdin'], env, 'short\n');
      expect(short).toMatchObject({ code: 2, stderr: expect.stringMatching(/^admin: The password must have 12 to 1024 characters\./) });
      const unknown = await admin(['reset-password', '--user', 'mallory'], env);
      expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/^admin: .*user.*mallory/) });
      expect(typename(await app.anonymous().login('admin', ADMIN_PASSWORD))).toBe('LoginSuccess');
    });
  });

  describe('bad arguments', () => {
    it('answers an unknown option, a misplaced one and an unknown command with a message, the usage and exit code 2', async () => {
      const runs = await Promise.all([
        admin(['unlock', '--frobnicate'], env),
        admin(['reset-password', '--address', '10.0.0.1'], env),
        admin(['unlock', 'admin'], env),
        admin(['lock'], env),
      ]);
      expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
      expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
        "admin: Unknown option '--frobnicate'",
        'admin: reset-password takes no --address',
        expect.stringMatching(/^admin: Unexpected argument 'admin'/),
        'admin: unknown command lock',
      ]);
      expect(runs.every((r) => r.stderr.includes('reset-password [--user NAME] [--stdin]'))).toBe(true);
    });

    it('says when PATCHBAY_HOME holds no database, with exit code 2, and creates none', async () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-admin-'));
      try {
        const run = await admin(['unlock'], { PATCHBAY_HOME: empty });
        expect(run).toMatchObject({
          code: 2,
          stderr: `admin: no Patchbay database at ${path.join(empty, 'patchbay.db')}: run this with the server's PATCHBAY_HOME\n`,
        });
        expect(fs.readdirSync(empty)).toEqual([]);
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });

    it('prints the usage for --help with exit code 0', async () => {
      const run = await admin(['--help'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('unlock [--user NAME] [--address ADDR]');
    });
  });
});
