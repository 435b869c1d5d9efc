/**
 * The README's API examples, run exactly as written against a fresh Patchbay process: every `sh`
 * block of the "API examples" section, in order, in one bash session (`set -euo pipefail`), and each
 * `js` block as the file it tells the reader to save and run with node. Only what the README tells
 * the reader to set is set: where Patchbay listens (`PB`) and the password its first start printed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForOutput } from '../helpers/process-output.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Block {
  lang: 'sh' | 'js';
  code: string;
}

/** The fenced blocks of the README's "API examples" section, in order. */
export function apiExampleBlocks(readme: string): Block[] {
  const start = readme.indexOf('\n## API examples\n');
  if (start < 0) throw new Error('the README has no "API examples" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(sh|js)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as Block['lang'], code: m[2]! }));
}

/** The environment of a newcomer's shell: no Patchbay setting, so every default applies. */
function withoutPatchbaySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('PATCHBAY_')));
}

describe('the README API examples', () => {
  let dir: string;
  let patchbay: ChildProcess;
  let out = '';
  let url: string;
  let password: string;
  let licencePath: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-readme-'));
    // The reader runs `npm start` in the repository, so `var/` is beside the `node follow.mjs` they save.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    patchbay = spawn(TSX, [path.join(ROOT, 'server/main.ts')], {
      cwd: dir,
      env: { ...withoutPatchbaySettings(process.env), PORT: '0', PATCHBAY_DEMO_CALL_INTERVAL_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    patchbay.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    patchbay.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    password = (await waitForOutput(() => out, /Initial password for user "admin": (\S+)/, 60_000))[1]!;
    licencePath = (await waitForOutput(() => out, /Demo upgrade licence to import: (\S+)/, 60_000))[1]!;
    url = (await waitForOutput(() => out, /listening on (http:\/\/\S+)/, 60_000))[1]!;
  }, 90_000);

  afterAll(async () => {
    if (patchbay.exitCode === null) {
      const exited = new Promise((resolve) => patchbay.once('exit', resolve));
      patchbay.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the first start prints the licence path the examples import', () => {
    expect(licencePath).toBe(path.join(dir, 'var', 'demo-vendor', 'licence-upgrade.json'));
    expect(fs.existsSync(licencePath)).toBe(true);
  });

  it('run as written, top to bottom, and end with the new version installed', () => {
    const blocks = apiExampleBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.filter((b) => b.lang === 'sh').length).toBeGreaterThanOrEqual(8);
    expect(blocks.filter((b) => b.lang === 'js').length).toBe(1);
    const script = ['set -euo pipefail'];
    blocks.forEach((block, i) => {
      script.push(`echo '>>> block ${i}'`);
      if (block.lang === 'sh') {
        script.push(block.code);
      } else {
        const file = path.join(dir, `follow-${i}.mjs`);
        fs.writeFileSync(file, block.code);
        script.push(`PB="$PB" TOKEN="$TOKEN" node ${JSON.stringify(file)}`);
      }
    });
    // The README's last word: the version now running, through the token the examples made.
    script.push(`gql -H "authorization: Bearer $TOKEN" -d '{"query":"{ system { version state } }"}'`);
    const run = spawnSync('bash', ['-c', script.join('\n')], {
      cwd: dir,
      env: { PATH: process.env.PATH!, HOME: dir, PB: `${url}/graphql`, ADMIN_PASSWORD: password },
      encoding: 'utf8',
      timeout: 600_000,
    });
    const transcript = `${run.stdout}\n--- stderr ---\n${run.stderr}`;
    expect(run.status, transcript).toBe(0);
    // Every answer is a success: no GraphQL error, no typed error result.
    expect(run.stdout, transcript).not.toContain('"errors"');
    expect(run.stdout, transcript).not.toMatch(/"__typename":"\w*Error"/);
    expect(run.stdout).toContain('"__typename":"LoginSuccess"');
    expect(run.stdout).toMatch(/"importLicence":\{"__typename":"ImportLicenceSuccess"/);
    expect(run.stdout).toMatch(/"state":"STAGED"/);
    expect(run.stdout).toMatch(/"updateJob":\{"state":"SUCCEEDED"/);
    expect(run.stdout).toMatch(/"createBackup":\{"__typename":"CreateBackupSuccess"/);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('{"data":{"system":{"version":"8.2.0","state":"RUNNING"}}}');
  }, 600_000);
});
